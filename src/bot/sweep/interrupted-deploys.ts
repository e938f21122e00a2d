import { errorMessage } from '../../core/errors.js';
import type { InstalledRepo } from './installed-repositories.js';
import type { BotServices } from '../bot-services.js';

/** A `/deploy <env>` waits at most 15 minutes for its rollout; past this one is not running any more. */
export const INTERRUPTED_AFTER_MS = 30 * 60_000;

/** A repository whose config has `/deploy <env>` environments the App runs itself. */
export interface DeployingRepo extends InstalledRepo {
  readonly full: string;
  readonly environments: readonly string[];
}

interface Deployment {
  id: number;
  created_at: string;
  performed_via_github_app?: { id?: number } | null;
  creator?: { type?: string } | null;
}

/**
 * A `/deploy <env>` whose App was killed mid-rollout leaves its Deployment `in_progress` for good,
 * and the environment looks busy to everyone. The newest Deployment of each environment still in
 * progress long after any rollout could have ended is marked `error` with a line why. Age alone
 * decides, not this process's own locks: another replica may be the one running a recent deploy.
 */
export async function failInterruptedDeploys(
  services: BotServices,
  repos: readonly DeployingRepo[],
  problem: (text: string) => void,
): Promise<number> {
  const now = services.now().getTime();
  let failed = 0;
  for (const repo of repos) {
    for (const environment of repo.environments) {
      try {
        const { data } = await repo.api.request('GET /repos/{owner}/{repo}/deployments', {
          ...repo.repo,
          environment,
          per_page: 1,
        });
        const [latest] = data as Deployment[];
        // Only the App's own Deployments: a workflow's are the workflow's to finish.
        if (!latest || latest.creator?.type !== 'Bot') continue;
        if (now - Date.parse(latest.created_at) < INTERRUPTED_AFTER_MS) continue;
        const statuses = await repo.api.request(
          'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
          { ...repo.repo, deployment_id: latest.id, per_page: 1 },
        );
        const [status] = statuses.data as Array<{ state?: string }>;
        if (status?.state !== 'in_progress') continue;
        await repo.api.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
          ...repo.repo,
          deployment_id: latest.id,
          state: 'error',
          description:
            `The App stopped before this deploy finished; type /deploy ${environment} again`.slice(
              0,
              140,
            ),
        });
        services.log.info(`sweep: ${repo.full} ${environment}: an interrupted deploy marked error`);
        failed++;
      } catch (error) {
        problem(
          `${repo.full}: could not check the deploys of ${environment}: ${errorMessage(error)}`,
        );
      }
    }
  }
  return failed;
}
