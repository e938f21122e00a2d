import type { GitHubApi } from '../github-api.js';
import type { ApiFor } from './notice-stopped.js';

/**
 * A client for the installation on a repository, asked of GitHub as the App (JWT): what a message
 * without a webhook payload (an ECS event) needs to reach the PR. Not installed there: undefined.
 */
export function installationApi(auth: (installationId?: number) => Promise<GitHubApi>): ApiFor {
  return async (repo) => {
    let id: number | undefined;
    try {
      const { data } = await (
        await auth()
      ).request('GET /repos/{owner}/{repo}/installation', {
        owner: repo.owner,
        repo: repo.repo,
      });
      id = (data as { id?: number }).id;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
    return id === undefined ? undefined : auth(id);
  };
}
