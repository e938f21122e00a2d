import type { RequestSignal } from '../../core/preview/idle.js';

/**
 * How long, in `idle-after` periods, a preview's request count may stay unreadable before PR
 * activity alone judges it. Until then an unreadable count means "unknown" and stops nothing; for
 * ever would mean a broken metric (a deleted target group, a denied GetMetricData) keeps every
 * preview running and paid for without anyone noticing.
 */
export const BLIND_PERIODS = 3;

/** The request signal the idle verdict gets, and since when the count has been unreadable. */
export interface JudgedRequests {
  readonly requests: RequestSignal;
  /** Set when the count was unreadable for too long and PR activity alone now judges. */
  readonly blindSince?: Date;
}

/**
 * Remembers when each preview's request count could first not be read (in `unreadableSince`,
 * by `owner/repo#n`; a read that works forgets it) and gives the verdict the failure itself
 * until `idle-after` × BLIND_PERIODS has passed, then "no request metric" instead.
 */
export function judgedRequests(
  unreadableSince: Map<string, number>,
  key: string,
  requests: RequestSignal,
  now: Date,
  idleAfterMs: number | null,
): JudgedRequests {
  if (requests.kind !== 'failed') {
    unreadableSince.delete(key);
    return { requests };
  }
  const since = unreadableSince.get(key) ?? now.getTime();
  unreadableSince.set(key, since);
  if (idleAfterMs === null || now.getTime() - since < idleAfterMs * BLIND_PERIODS) {
    return { requests };
  }
  return { requests: { kind: 'none' }, blindSince: new Date(since) };
}
