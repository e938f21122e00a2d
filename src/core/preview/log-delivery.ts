/**
 * `preview.logs` in `.github/ecs-paas.yml`: what `/logs` does with a preview's log lines.
 * `comment` edits them into the PR's comment, `link` only says where to read them, `off` answers
 * that `/logs` is off.
 */
export const LOG_DELIVERIES = ['comment', 'link', 'off'] as const;
export type LogDelivery = (typeof LOG_DELIVERIES)[number];

/** Who can read the repository, and so every comment on its pull requests. */
export type RepoVisibility = 'public' | 'private' | 'internal';

export interface LogDeliveryDecision {
  readonly delivery: LogDelivery;
  /**
   * Why the lines are not posted when `delivery` is `link`: the repository is public (and the
   * config asked for `comment` or nothing), or the config chose `link`.
   */
  readonly reason?: 'public' | 'public-refused-comment' | 'configured';
}

/**
 * Masking only catches the secrets it can recognise (values from ECS `secrets`, odd names and
 * encoded values slip through), so log lines reach a comment only where the comment is as private
 * as the logs: a public repository gets `link` whatever the config says. An unknown visibility
 * counts as public, because a wrong guess the other way posts lines for the whole internet.
 */
export function decideLogDelivery(
  configured: LogDelivery | undefined,
  visibility: RepoVisibility | undefined,
): LogDeliveryDecision {
  if (configured === 'off') return { delivery: 'off' };
  if (configured === 'link') return { delivery: 'link', reason: 'configured' };
  if (visibility === 'private' || visibility === 'internal') return { delivery: 'comment' };
  return {
    delivery: 'link',
    reason: configured === 'comment' ? 'public-refused-comment' : 'public',
  };
}

/**
 * The visibility in a `GET /repos/{owner}/{repo}` answer. `visibility` is the precise field
 * (`internal` exists only there); `private` is what older GitHub Enterprise servers send alone.
 * Anything that does not say private clearly is public.
 */
export function visibilityOf(repository: unknown): RepoVisibility {
  const answer = (typeof repository === 'object' && repository !== null ? repository : {}) as {
    visibility?: unknown;
    private?: unknown;
  };
  if (answer.visibility === 'public') return 'public';
  if (answer.visibility === 'private' || answer.visibility === 'internal') {
    // Both fields present and disagreeing is no answer to trust with log lines.
    return answer.private === false ? 'public' : answer.visibility;
  }
  return answer.private === true ? 'private' : 'public';
}
