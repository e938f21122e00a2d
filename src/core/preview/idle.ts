/** What CloudWatch said about a preview's HTTP requests. */
export type RequestSignal =
  /** No request metric applies (dns mode without `activity-metric`): PR activity alone decides. */
  | { readonly kind: 'none' }
  /**
   * Read; `lastRequestAt` is absent when there were no requests in the whole window. `count` is
   * the requests in the window, for listings (the verdict needs only the last one).
   */
  | { readonly kind: 'read'; readonly lastRequestAt?: Date; readonly count?: number }
  | { readonly kind: 'failed'; readonly reason: string };

export interface IdleInput {
  readonly now: Date;
  /** `preview.idle-after`; null when idle teardown is off. */
  readonly idleAfterMs: number | null;
  /** When the serving task was launched (a push launches a new one). */
  readonly launchedAt?: Date;
  /** The `ecs-paas:last-activity` tag: the last comment or review the App saw. */
  readonly lastActivity?: Date;
  /** The PR's `updated_at`: catches pushes, comments and reviews made while the App was away. */
  readonly pullUpdatedAt?: Date;
  readonly keepUntil?: Date;
  readonly requests: RequestSignal;
}

export type IdleVerdict =
  | { readonly idle: false; readonly why: 'disabled' | 'undated' }
  | { readonly idle: false; readonly why: 'kept'; readonly until: Date }
  | { readonly idle: false; readonly why: 'active'; readonly lastSeen: Date }
  /** Would be idle by PR activity, but the request count could not be read: never stop on a guess. */
  | { readonly idle: false; readonly why: 'unknown'; readonly reason: string }
  | { readonly idle: true; readonly since: Date };

/**
 * A preview is idle when, for `idle-after`, it served no requests and its PR saw no activity.
 * Both signals must agree: an age-based TTL kills previews someone is still clicking through, and
 * traffic alone would keep a preview alive for a health checker nobody reads.
 */
export function idleVerdict(input: IdleInput): IdleVerdict {
  if (input.idleAfterMs === null) return { idle: false, why: 'disabled' };
  if (input.keepUntil && input.keepUntil.getTime() > input.now.getTime()) {
    return { idle: false, why: 'kept', until: input.keepUntil };
  }
  const seen = [
    input.launchedAt,
    input.lastActivity,
    input.pullUpdatedAt,
    input.requests.kind === 'read' ? input.requests.lastRequestAt : undefined,
  ].filter((d): d is Date => d !== undefined && !Number.isNaN(d.getTime()));
  // A task we cannot date (no launch tag, no start time) is never stopped for idleness.
  if (seen.length === 0) return { idle: false, why: 'undated' };
  const lastSeen = new Date(Math.max(...seen.map((d) => d.getTime())));
  if (input.now.getTime() - lastSeen.getTime() < input.idleAfterMs) {
    return { idle: false, why: 'active', lastSeen };
  }
  if (input.requests.kind === 'failed') {
    return { idle: false, why: 'unknown', reason: input.requests.reason };
  }
  return { idle: true, since: lastSeen };
}
