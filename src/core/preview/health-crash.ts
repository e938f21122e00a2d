import type { Task } from '@aws-sdk/client-ecs';
import { STARTED_BY } from './routing-types.js';

/** Every stop ecs-paas makes gives a reason with this prefix (superseded, idle, closed, …). */
export const OUR_STOP_PREFIX = 'ecs-paas:';

/**
 * A preview task that stopped without ecs-paas stopping it: a crash, an OOM kill, a failed
 * container health check, a Spot interruption. Anything we stopped ourselves says so in its reason.
 */
export function stoppedBehindOurBack(task: Task): boolean {
  return (
    task.lastStatus === 'STOPPED' &&
    task.startedBy === STARTED_BY &&
    !(task.stoppedReason ?? '').startsWith(OUR_STOP_PREFIX)
  );
}

/** What AWS says about the stop, for the PR: the reason, and each container's exit code. */
export interface CrashFacts {
  readonly reason: string;
  readonly containers: ReadonlyArray<{ readonly name: string; readonly exit: string }>;
}

export function crashFacts(task: Task): CrashFacts {
  const reason = (task.stoppedReason || task.stopCode || 'no reason given').slice(0, 300);
  return {
    reason,
    containers: (task.containers ?? []).map((container) => ({
      name: container.name ?? '?',
      exit:
        (container.exitCode === undefined || container.exitCode === null
          ? 'no exit code'
          : `exit code ${container.exitCode}`) +
        (container.reason ? ` (${container.reason.slice(0, 200)})` : ''),
    })),
  };
}
