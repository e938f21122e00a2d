import type { BotServices } from '../bot-services.js';
import type { GitHubApi, RepoRef } from '../github-api.js';
import type { FleetSource } from '../sweep/installed-repositories.js';

/** What the fleet API and the dashboard share: the App's services and its GitHub identities. */
export interface FleetServices {
  readonly bot: BotServices;
  /** Every installed repository with its installation's client, as the sweep reads them. */
  readonly installed: FleetSource;
  /** The installation client for one repository; undefined where the App is not installed. */
  readonly installation: (repo: RepoRef) => Promise<GitHubApi | undefined>;
}

/**
 * The installation client for a repository, found with the App's JWT. GitHub answers 404 for a
 * repository the App is not installed on: that is "not ours", not a failure.
 */
export function installationOf(
  auth: (installationId?: number) => Promise<GitHubApi>,
): FleetServices['installation'] {
  return async (repo) => {
    let id: number;
    try {
      const { data } = await (
        await auth()
      ).request('GET /repos/{owner}/{repo}/installation', {
        ...repo,
      });
      id = (data as { id: number }).id;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
    return auth(id);
  };
}
