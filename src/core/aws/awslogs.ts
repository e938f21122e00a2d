import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';

/** Where the awslogs driver writes one container's output in one task. */
export interface AwslogsStream {
  readonly group: string;
  readonly stream: string;
  /** `awslogs-region`, when the task definition names one. */
  readonly region: string | undefined;
}

/** Why a container's stream cannot be named: shown to users as is. */
export interface NoAwslogsStream {
  readonly unknown: string;
}

// Real AWS may hand back short pages of a large stream; a few more calls fill them, and the cap
// keeps a stream that only ever returns tiny pages from costing more than a handful of requests.
const MAX_PAGES = 10;

/**
 * Names the awslogs stream of `containerName` in task `taskId`: `<prefix>/<container>/<task id>`.
 * Without `awslogs-stream-prefix` ECS names the stream after the Docker container id, which a
 * task description does not give, so the stream cannot be found.
 */
export function awslogsStream(
  container: ContainerDefinition | undefined,
  taskId: string,
): AwslogsStream | NoAwslogsStream {
  const config = container?.logConfiguration;
  if (config?.logDriver !== 'awslogs') return { unknown: 'no awslogs log configuration' };
  const group = config.options?.['awslogs-group'];
  const prefix = config.options?.['awslogs-stream-prefix'];
  if (!group) return { unknown: 'the awslogs configuration has no awslogs-group' };
  if (!prefix) return { unknown: 'the awslogs configuration has no awslogs-stream-prefix' };
  return {
    group,
    stream: `${prefix}/${container?.name ?? ''}/${taskId}`,
    region: config.options?.['awslogs-region'],
  };
}

/** The id at the end of a task ARN, which is what awslogs puts in stream names. */
export function taskIdOf(taskArn: string): string {
  return taskArn.split('/').pop() ?? taskArn;
}

/**
 * The last `count` messages of a stream, oldest first. A page shorter than asked is followed
 * backwards only while older events keep coming; the head of a stream answers with an empty page
 * (or its own token again). Errors reach the caller, which knows how to word them.
 */
export async function readLastLogEvents(
  logs: CloudWatchLogsClient,
  location: AwslogsStream,
  count: number,
): Promise<string[]> {
  // Imported here so a bundle that never reads logs never loads the Logs commands.
  const { GetLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  let messages: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES && messages.length < count; page++) {
    const response = await logs.send(
      new GetLogEventsCommand({
        logGroupName: location.group,
        logStreamName: location.stream,
        limit: count - messages.length,
        startFromHead: false,
        ...(token ? { nextToken: token } : {}),
      }),
    );
    const events = response.events ?? [];
    // Each page is oldest first, and each backward page is older than everything read so far.
    messages = [...events.map((event) => event.message ?? ''), ...messages];
    const next = response.nextBackwardToken;
    if (events.length === 0 || !next || next === token) break;
    token = next;
  }
  return messages.slice(-count);
}
