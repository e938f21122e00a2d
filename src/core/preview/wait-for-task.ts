import {
  DescribeTasksCommand,
  StopTaskCommand,
  type ECSClient,
  type Task,
} from '@aws-sdk/client-ecs';
import { formatDuration } from '../duration.js';
import { pollUntil } from '../poll.js';

/** Thrown by the poll at its timeout; caught below, where the task is stopped. */
class StillStarting extends Error {}

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
  let last: Task | undefined;
  try {
    return await pollUntil<TaskOutcome, Task | undefined>(
      async () => {
        const response = await ecs.send(new DescribeTasksCommand({ cluster, tasks: [taskArn] }));
        last = response.tasks?.[0];
        if (last?.lastStatus === 'RUNNING') return { done: { state: 'running', task: last } };
        if (last?.lastStatus === 'STOPPED' || last?.desiredStatus === 'STOPPED') {
          return { done: { state: 'stopped', task: last } };
        }
        return { miss: last };
      },
      options,
      () => new StillStarting(),
    );
  } catch (error) {
    if (!(error instanceof StillStarting)) throw error;
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
