import type { Task } from '@aws-sdk/client-ecs';
import { awslogsStream, readLastLogEvents, taskIdOf } from '../aws/awslogs.js';
import type { AwsClients } from '../aws/clients.js';
import { describeTaskDefinition } from '../deploy/load-task-definition.js';
import { errorMessage } from '../errors.js';
import { maskLogLines, maskSecrets, secretsOf } from './log-secrets.js';

/** What `/logs` shows when no count is given, and the most it reads per container. */
export const DEFAULT_LOG_LINES = 50;
export const MAX_LOG_LINES = 500;

/** One container's last lines, already masked, or why there are none. */
export interface ContainerLogs {
  readonly container: string;
  /** Oldest first. */
  readonly lines: string[];
  /** The log group and stream the lines came from. */
  readonly source?: string;
  /** Why there are no lines: no awslogs configuration, stream not found, read failed. */
  readonly note?: string;
}

/**
 * The last `lines` log lines of every container of a preview task, in task definition order, each
 * masked for the secrets in the task's environment. One container's failure becomes its note and
 * never costs the others their lines; only a task definition that cannot be described fails.
 */
export async function readPreviewLogs(
  aws: AwsClients,
  cluster: string,
  task: Task,
  lines: number,
): Promise<ContainerLogs[]> {
  if (!task.taskArn || !task.taskDefinitionArn) {
    throw new Error(`The task in cluster ${cluster} has no ARN or task definition`);
  }
  const count = Number.isFinite(lines)
    ? Math.min(Math.max(Math.trunc(lines), 1), MAX_LOG_LINES)
    : DEFAULT_LOG_LINES;
  const { input: definition } = await describeTaskDefinition(aws.ecs, task.taskDefinitionArn);
  const secrets = secretsOf(definition, task.overrides);
  const taskId = taskIdOf(task.taskArn);
  return Promise.all(
    (definition.containerDefinitions ?? []).map(async (container): Promise<ContainerLogs> => {
      const name = container.name ?? '?';
      const location = awslogsStream(container, taskId);
      if ('unknown' in location) return { container: name, lines: [], note: location.unknown };
      const source = `${location.group} › ${location.stream}`;
      // AwsClients reads one region; a group elsewhere would look missing, which misleads.
      if (location.region && location.region !== aws.region) {
        const note = `the logs are in ${location.region}, and the App reads ${aws.region}`;
        return { container: name, lines: [], source, note };
      }
      try {
        const messages = await readLastLogEvents(await aws.logs(), location, count);
        // A multi-line event (a stack trace joined by awslogs-multiline-pattern) is many lines.
        const split = messages.flatMap((message) => message.replace(/\r?\n$/, '').split(/\r?\n/));
        return { container: name, lines: maskLogLines(split, secrets).slice(-count), source };
      } catch (error) {
        const note =
          error instanceof Error && error.name === 'ResourceNotFoundException'
            ? 'log stream not found: the container has written nothing yet, or its logs expired'
            : `read failed: ${maskSecrets(errorMessage(error), secrets)}`;
        return { container: name, lines: [], source, note };
      }
    }),
  );
}
