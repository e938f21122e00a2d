import type { DeploymentsApi } from '../core/github/deployments.js';

/** The one method of Octokit the App uses, so handlers take Probot's client or any other. */
export type GitHubApi = DeploymentsApi;

export {
  getPull,
  isHead,
  type PullRequestData,
  type RepoRef,
} from '../core/github/pull-requests.js';
import type { RepoRef } from '../core/github/pull-requests.js';

export async function getDefaultBranch(api: GitHubApi, repo: RepoRef): Promise<string> {
  const { data } = await api.request('GET /repos/{owner}/{repo}', { ...repo });
  return (data as { default_branch?: string }).default_branch ?? 'main';
}
