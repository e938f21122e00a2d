import { TagResourceCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';

/**
 * Where a preview's health lives: on its task, as tags, like the rest of its state (DESIGN.md
 * "State: none of our own"), so a restarted App, another replica and the fleet API all read the
 * same answer.
 */
export const HEALTH_TAGS = {
  /** `starting` until the preview answers, then `ready`, or `unhealthy` after `ready-timeout`. */
  health: 'ecs-paas:health',
  /** How many times the App relaunched this PR's head after a crash; the launch for a push has none. */
  relaunches: 'ecs-paas:relaunches',
  /** Set on a crashed task once its PR was told, so the event and the sweep report it once. */
  crashNoticed: 'ecs-paas:crash-noticed',
} as const;

export type HealthState = 'starting' | 'ready' | 'unhealthy';

export function taskTag(task: Task, key: string): string | undefined {
  return task.tags?.find((tag) => tag.key === key)?.value;
}

export function healthOf(task: Task): HealthState | undefined {
  const value = taskTag(task, HEALTH_TAGS.health);
  return value === 'starting' || value === 'ready' || value === 'unhealthy' ? value : undefined;
}

/**
 * The relaunches recorded on a task. A value that is not a small count (edited by hand) reads as
 * `ceiling`, so a broken tag can only stop relaunches, never make them endless.
 */
export function relaunchesOf(task: Task, ceiling: number): number {
  const value = taskTag(task, HEALTH_TAGS.relaunches);
  if (value === undefined) return 0;
  return /^\d{1,3}$/.test(value) ? Number(value) : ceiling;
}

/** Writes one health-related tag on a task. */
export async function tagTask(
  ecs: ECSClient,
  taskArn: string,
  key: string,
  value: string,
): Promise<void> {
  await ecs.send(new TagResourceCommand({ resourceArn: taskArn, tags: [{ key, value }] }));
}
