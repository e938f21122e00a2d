import { visibilityOf, type RepoVisibility } from '../preview/log-delivery.js';
import type { DeploymentsApi } from './deployments.js';
import type { RepoRef } from './pull-requests.js';

/**
 * Who can read the repository, asked of GitHub each time rather than taken from the webhook
 * payload: a repository made public since the delivery was sent must not get log lines posted.
 */
export async function readRepoVisibility(
  api: DeploymentsApi,
  repo: RepoRef,
): Promise<RepoVisibility> {
  const { data } = await api.request('GET /repos/{owner}/{repo}', { ...repo });
  return visibilityOf(data);
}
