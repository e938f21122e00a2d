/** The events the App acts on; anything else is acknowledged and dropped before the queue. */
export const QUEUED_EVENTS = new Set([
  'pull_request',
  'issue_comment',
  'workflow_run',
  'check_suite',
  'pull_request_review',
  'pull_request_review_comment',
]);

interface Payload {
  repository?: { full_name?: string };
  pull_request?: { number?: number };
  issue?: { number?: number };
  workflow_run?: { pull_requests?: Array<{ number?: number } | null> };
  check_suite?: { pull_requests?: Array<{ number?: number } | null> };
}

/**
 * The message group of a delivery: `owner/repo#pr` when it concerns one PR, so that PR's work
 * runs in order on whichever replica takes it; `owner/repo` for a run naming none or several.
 */
export function deliveryGroup(payload: unknown): string {
  const p = (payload ?? {}) as Payload;
  const repo = p.repository?.full_name ?? 'unknown';
  const pulls = p.workflow_run?.pull_requests ?? p.check_suite?.pull_requests;
  const number =
    p.pull_request?.number ??
    p.issue?.number ??
    (pulls?.length === 1 ? (pulls[0]?.number ?? undefined) : undefined);
  // SQS takes at most 128 characters of letters, digits and punctuation.
  return (number === undefined ? repo : `${repo}#${number}`).slice(0, 128);
}
