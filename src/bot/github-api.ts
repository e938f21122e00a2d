import type { DeploymentsApi } from '../core/github/deployments.js';

/** The one method of Octokit the App uses, so handlers take Probot's client or any other. */
export type GitHubApi = DeploymentsApi;

export interface RepoRef {
  readonly owner: string;
  readonly repo: string;
}

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
  api: GitHubApi,
  repo: RepoRef,
  number: number,
): Promise<PullRequestData> {
  const { data } = await api.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
    ...repo,
    pull_number: number,
  });
  return data as PullRequestData;
}

export async function getDefaultBranch(api: GitHubApi, repo: RepoRef): Promise<string> {
  const { data } = await api.request('GET /repos/{owner}/{repo}', { ...repo });
  return (data as { default_branch?: string }).default_branch ?? 'main';
}
