import type { GitHubApi, PullRequestData, RepoRef } from '../github-api.js';
import { allPages } from './installed-repositories.js';

export interface OpenPull extends PullRequestData {
  /** Moves on pushes, comments and reviews: PR activity the App may have missed. */
  readonly updated_at?: string;
}

/** A repository's open PRs in one list (a call per hundred), instead of one read per preview. */
export async function listOpenPulls(api: GitHubApi, repo: RepoRef): Promise<Map<number, OpenPull>> {
  const pulls = await allPages(
    api,
    'GET /repos/{owner}/{repo}/pulls',
    { ...repo, state: 'open' },
    (data) => data as OpenPull[],
  );
  return new Map(pulls.map((p) => [p.number, p]));
}
