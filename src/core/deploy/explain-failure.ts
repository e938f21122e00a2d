import { DescribeTasksCommand, ListTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { awslogsStream, readLastLogEvents, taskIdOf } from '../aws/awslogs.js';
import type { AwsClients } from '../aws/clients.js';
import { errorMessage } from '../errors.js';
import type { TaskDefinitionInput } from './render-task-definition.js';

const LOG_LINES = 20;
const TASKS_SHOWN = 3;

/**
 * Why tasks of a revision died, in words: each stopped task's reason, every container's exit code
 * and reason, and the last lines of its awslogs stream. Reading this never fails the caller.
 */
export async function explainStoppedTasks(
  clients: AwsClients,
  cluster: string,
  tasks: readonly Task[],
  definition: TaskDefinitionInput,
): Promise<string[]> {
  const lines: string[] = [];
  for (const task of tasks.slice(0, TASKS_SHOWN)) {
    const id = task.taskArn ? taskIdOf(task.taskArn) : '?';
    lines.push(`task ${id} stopped: ${task.stoppedReason ?? task.stopCode ?? 'no reason given'}`);
    for (const container of task.containers ?? []) {
      const exit =
        container.exitCode === undefined ? 'no exit code' : `exit code ${container.exitCode}`;
      lines.push(
        `  container ${container.name ?? '?'}: ${exit}${container.reason ? ` (${container.reason})` : ''}`,
      );
      lines.push(
        ...(await lastLogLines(clients, definition, container.name ?? '', id)).map(
          (l) => `    | ${l}`,
        ),
      );
    }
  }
  if (tasks.length === 0) lines.push(`no stopped tasks were found in cluster ${cluster}`);
  return lines;
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
