import {
  DescribeTasksCommand,
  StopTaskCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { formatDuration } from '../duration.js';

export type TaskOutcome =
  | { readonly state: 'running'; readonly task: Task }
  | { readonly state: 'stopped'; readonly task: Task }
  | { readonly state: 'timed-out'; readonly task?: Task; readonly reason: string };

/**
 * Polls one task with backoff until it is RUNNING or STOPPED. A task still starting at the
 * timeout is stopped, so a slow start never leaves a task nobody tracks.
 */
export async function waitForTask(
  ecs: ECSClient,
  cluster: string,
  taskArn: string,
  options: { timeoutMs: number; pollMs: number },
): Promise<TaskOutcome> {
  const started = Date.now();
  let delay = options.pollMs;
  let last: Task | undefined;
  for (;;) {
    const response = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
    last = response.tasks?.[0];
    if (last?.lastStatus === 'RUNNING') return { state: 'running', task: last };
    if (last?.lastStatus === 'STOPPED' || last?.desiredStatus === 'STOPPED') {
      return { state: 'stopped', task: last };
    }
    if (Date.now() - started + delay > options.timeoutMs) break;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 10_000);
  }
  await ecs
    .send(
      new StopTaskCommand({ cluster, task: taskArn, reason: 'ecs-paas: did not start in time' }),
    )
    .catch(() => undefined);
  return {
    state: 'timed-out',
    ...(last ? { task: last } : {}),
    reason: `the task was still ${last?.lastStatus ?? 'unknown'} after ${formatDuration(options.timeoutMs)}; it was stopped`,
  };
}
