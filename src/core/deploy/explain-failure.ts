import { DescribeTasksCommand, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { awslogsStream, readLastLogEvents, taskIdOf } from '../aws/awslogs.js';
import type { AwsClients } from '../aws/clients.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { maskLogLines, maskSecrets, secretsOf } from '../preview/log-secrets.js';
import type { TaskDefinitionInput } from './render-task-definition.js';

const LOG_LINES = 20;
const TASKS_SHOWN = 3;

/**
 * Why tasks of a revision died, in words: each stopped task's reason, every container's exit code
 * and reason, and the last lines of its awslogs stream. Reading this never fails the caller.
 * Every value of the definition's environment is registered with `log.secret` before this returns
 * and masked in what it returns, as apps print their configuration when they fail to start.
 */
export async function explainStoppedTasks(
  clients: AwsClients,
  cluster: string,
  tasks: readonly Task[],
  definition: TaskDefinitionInput,
  log: Logger,
): Promise<string[]> {
  const secrets = environmentValues(definition);
  // Registered before any line is printed: the runner masks only what it was told about before.
  for (const secret of secrets) log.secret(secret);
  const lines: string[] = [];
  for (const task of tasks.slice(0, TASKS_SHOWN)) {
    const id = task.taskArn ? taskIdOf(task.taskArn) : '?';
    lines.push(
      maskSecrets(
        `task ${id} stopped: ${task.stoppedReason ?? task.stopCode ?? 'no reason given'}`,
        secrets,
      ),
    );
    for (const container of task.containers ?? []) {
      const exit =
        container.exitCode === undefined ? 'no exit code' : `exit code ${container.exitCode}`;
      lines.push(
        maskSecrets(
          `  container ${container.name ?? '?'}: ${exit}${container.reason ? ` (${container.reason})` : ''}`,
          secrets,
        ),
      );
      const logLines = await lastLogLines(clients, definition, container.name ?? '', id);
      lines.push(...maskLogLines(logLines, secrets).map((l) => `    | ${l}`));
    }
  }
  if (tasks.length === 0) lines.push(`no stopped tasks were found in cluster ${cluster}`);
  return lines;
}

/**
 * Every value of the containers' environment, in each form a log prints it (line by line,
 * percent-encoded), longest first. Not only secret-looking names: a task definition's environment
 * is readable by whoever can change the service, while the Action's log is readable by everyone
 * with read access to the repository. secretsOf keeps values of secret names in those forms and
 * skips the ones whose masking hides nothing but garbles the log (`true`, `80`); naming every
 * variable a secret makes it keep all the others.
 */
function environmentValues(definition: TaskDefinitionInput): string[] {
  return secretsOf({
    containerDefinitions: (definition.containerDefinitions ?? []).map((container) => ({
      environment: (container.environment ?? []).map((variable) => ({
        name: 'SECRET',
        value: variable.value ?? '',
      })),
    })),
  });
}

/** Stopped tasks of `service` running `taskDefinitionArn`, newest first. */
export async function stoppedServiceTasks(
  clients: AwsClients,
  cluster: string,
  service: string,
  taskDefinitionArn: string,
): Promise<Task[]> {
  try {
    const listed = await clients.ecs.send(
      new ListTasksCommand({
        cluster,
        serviceName: service,
        desiredStatus: 'STOPPED',
        maxResults: 100,
      }),
    );
    const arns = listed.taskArns ?? [];
    if (arns.length === 0) return [];
    const described = await clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: arns }));
    return (described.tasks ?? [])
      .filter((task) => task.taskDefinitionArn === taskDefinitionArn)
      .sort((a, b) => (b.stoppedAt?.getTime() ?? 0) - (a.stoppedAt?.getTime() ?? 0));
  } catch {
    return [];
  }
}

async function lastLogLines(
  clients: AwsClients,
  definition: TaskDefinitionInput,
  containerName: string,
  taskId: string,
): Promise<string[]> {
  const container = definition.containerDefinitions?.find((c) => c.name === containerName);
  const location = awslogsStream(container, taskId);
  if ('unknown' in location) return [];
  try {
    return await readLastLogEvents(await clients.logs(), location, LOG_LINES);
  } catch (error) {
    return [`(could not read ${location.group}/${location.stream}: ${errorMessage(error)})`];
  }
}
