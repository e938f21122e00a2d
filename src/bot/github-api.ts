import type { DeploymentsApi } from '../core/github/deployments.js';

/** The one method of Octokit the App uses, so handlers take Probot's client or any other. */
export type GitHubApi = DeploymentsApi;

export {
  getPull,
  isHead,
  type PullRequestData,
  type RepoRef,
} from '../core/github/pull-requests.js';
