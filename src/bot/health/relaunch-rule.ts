/** Relaunches of one head SHA after crashes; then the App gives up until a push or `/deploy`. */
export const RELAUNCH_LIMIT = 3;

export type CrashDecision =
  | { readonly kind: 'relaunch'; readonly attempt: number; readonly afterMs: number }
  | { readonly kind: 'give-up'; readonly attempts: number };

/**
 * What to do about a crash of a task that was itself the `relaunches`-th relaunch of its head:
 * try again after a doubling wait (base, 2×base, 4×base), or give up after RELAUNCH_LIMIT tries.
 * The count lives on the task, so a push (a launch with no count) starts again from zero.
 */
export function decideCrash(relaunches: number, baseMs: number): CrashDecision {
  if (relaunches >= RELAUNCH_LIMIT) return { kind: 'give-up', attempts: relaunches };
  return { kind: 'relaunch', attempt: relaunches + 1, afterMs: baseMs * 2 ** relaunches };
}
