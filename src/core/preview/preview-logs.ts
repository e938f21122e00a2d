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

/** Where one container of a preview task writes its logs, or why that cannot be said. */
export interface ContainerLogStream {
  readonly container: string;
  /** Left out when the stream cannot be named; `note` says why. */
  readonly location?: { readonly group: string; readonly stream: string; readonly region: string };
  readonly note?: string;
}

/**
 * The awslogs group, stream and region of every container of a preview task, in task definition
 * order, without reading a single line: what `/logs` names where it must not post lines.
 */
export async function listLogStreams(
  aws: AwsClients,
  cluster: string,
  task: Task,
): Promise<ContainerLogStream[]> {
  return (await describeLogStreams(aws, cluster, task)).streams;
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
  const count = Number.isFinite(lines)
    ? Math.min(Math.max(Math.trunc(lines), 1), MAX_LOG_LINES)
    : DEFAULT_LOG_LINES;
  const { streams, secrets } = await describeLogStreams(aws, cluster, task);
  return Promise.all(
    streams.map(async ({ container, location, note }): Promise<ContainerLogs> => {
      if (!location) return { container, lines: [], note: note ?? 'no log stream' };
      const source = `${location.group} › ${location.stream}`;
      // AwsClients reads one region; a group elsewhere would look missing, which misleads.
      if (location.region !== aws.region) {
        const elsewhere = `the logs are in ${location.region}, and the App reads ${aws.region}`;
        return { container, lines: [], source, note: elsewhere };
      }
      try {
        const messages = await readLastLogEvents(await aws.logs(), location, count);
        // A multi-line event (a stack trace joined by awslogs-multiline-pattern) is many lines.
        const split = messages.flatMap((message) => message.replace(/\r?\n$/, '').split(/\r?\n/));
        return { container, lines: maskLogLines(split, secrets).slice(-count), source };
      } catch (error) {
        const why =
          error instanceof Error && error.name === 'ResourceNotFoundException'
            ? 'log stream not found: the container has written nothing yet, or its logs expired'
            : `read failed: ${maskSecrets(errorMessage(error), secrets)}`;
        return { container, lines: [], source, note: why };
      }
    }),
  );
}

async function describeLogStreams(
  aws: AwsClients,
  cluster: string,
  task: Task,
): Promise<{ streams: ContainerLogStream[]; secrets: string[] }> {
  if (!task.taskArn || !task.taskDefinitionArn) {
    throw new Error(`The task in cluster ${cluster} has no ARN or task definition`);
  }
  const { input: definition } = await describeTaskDefinition(aws.ecs, task.taskDefinitionArn);
  const taskId = taskIdOf(task.taskArn);
  const streams = (definition.containerDefinitions ?? []).map((container): ContainerLogStream => {
    const name = container.name ?? '?';
    const location = awslogsStream(container, taskId);
    if ('unknown' in location) return { container: name, note: location.unknown };
    // Without awslogs-region the awslogs driver writes to the task's own region, the App's.
    const region = location.region ?? aws.region;
    return {
      container: name,
      location: { group: location.group, stream: location.stream, region },
    };
  });
  return { streams, secrets: secretsOf(definition, task.overrides) };
}
