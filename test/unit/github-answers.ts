import type { GitHubApi } from '../../src/bot/github-api.js';

/** What GitHub answers to one route: the response data, or an error with its HTTP status. */
export type Answer = (parameters: Record<string, unknown>) => unknown;

/** An HTTP error as Octokit raises it: the status is what callers look at. */
export function httpError(status: number, message = `HTTP ${status}`): Error {
  return Object.assign(new Error(message), { status });
}

/**
 * GitHub's side of the one `request(route, params)` method the App calls, answering only the
 * routes a test names. Any other route fails the test: nothing may reach a GitHub it did not plan.
 * `calls` records every request, to show what was (or was not) asked of GitHub.
 */
export function githubAnswering(answers: Record<string, Answer>): GitHubApi & {
  readonly calls: Array<{ route: string; parameters: Record<string, unknown> }>;
} {
  const calls: Array<{ route: string; parameters: Record<string, unknown> }> = [];
  return {
    calls,
    request(route, parameters) {
      calls.push({ route, parameters });
      const answer = answers[route];
      if (!answer) return Promise.reject(new Error(`unexpected GitHub request: ${route}`));
      try {
        return Promise.resolve({ data: answer(parameters) });
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}
