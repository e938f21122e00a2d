import type { DeploymentsApi } from './deployments.js';

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

/** The fields of a pull request that ecs-paas reads. */
export interface PullRequestData {
  number: number;
  state: string;
  draft?: boolean;
  labels?: Array<{ name?: string }>;
  user?: { login?: string } | null;
  head: { sha: string; ref: string; repo?: { full_name?: string } | null };
  base: { repo: { full_name: string; default_branch?: string } };
}

export async function getPull(
  api: DeploymentsApi,
  repo: RepoRef,
  number: number,
): Promise<PullRequestData> {
  const { data } = await api.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
    ...repo,
    pull_number: number,
  });
  return data as PullRequestData;
}

/**
 * Whether `sha` is still the PR's head, for the engine's switch-over check. When GitHub cannot
 * say, the launch is kept: the next event for the PR converges anyway.
 */
export async function isHead(
  api: DeploymentsApi,
  repo: RepoRef,
  number: number,
  sha: string,
): Promise<boolean> {
  try {
    return (await getPull(api, repo, number)).head.sha === sha;
  } catch {
    return true;
  }
}
