/**
 * Octokit calls `fetch` with no deadline: a GitHub connection that stops answering would hold the
 * Action's step (or a PR's queue in the App) until the job's own timeout. This `fetch` gives each
 * attempt its own deadline, so a retry plugin (the App's) retries it as it would a 5xx, and the
 * Action, which has none, fails saying what timed out instead of hanging.
 *
 * 30 s: GitHub answers REST calls in well under a second; its slowest (a comment update on a busy
 * repository, a large diff) stay far below. `ECS_PAAS_GITHUB_REQUEST_TIMEOUT_MS` overrides it,
 * for tests.
 */
export const GITHUB_REQUEST_TIMEOUT_MS = 30_000;
export const GITHUB_REQUEST_TIMEOUT_VARIABLE = 'ECS_PAAS_GITHUB_REQUEST_TIMEOUT_MS';

export function githubRequestTimeoutMs(
  env: Readonly<Record<string, string | undefined>> = process.env,
): number {
  const override = env[GITHUB_REQUEST_TIMEOUT_VARIABLE];
  const ms = override === undefined ? GITHUB_REQUEST_TIMEOUT_MS : Number(override);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new Error(
      `${GITHUB_REQUEST_TIMEOUT_VARIABLE} must be a whole number of milliseconds above 0, not '${override ?? ''}'`,
    );
  }
  return ms;
}

/** A `fetch` whose every call fails after `ms` (the caller's own abort signal still works). */
export function fetchWithTimeout(ms: number, inner: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const deadline = AbortSignal.timeout(ms);
    const signal = init?.signal ? AbortSignal.any([init.signal, deadline]) : deadline;
    try {
      return await inner(input, { ...init, signal });
    } catch (error) {
      if (!deadline.aborted || init?.signal?.aborted) throw error;
      const url = input instanceof Request ? input.url : String(input);
      throw new Error(`GitHub did not answer ${init?.method ?? 'GET'} ${url} within ${ms} ms`, {
        cause: error,
      });
    }
  };
}

/** Octokit constructor options (`getOctokit(token, …)`, `new Probot({ request })`) with the deadline. */
export function githubRequestOptions(
  env: Readonly<Record<string, string | undefined>> = process.env,
): { request: { fetch: typeof fetch } } {
  return { request: { fetch: fetchWithTimeout(githubRequestTimeoutMs(env)) } };
}
