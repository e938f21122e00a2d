import { errorMessage } from '../core/errors.js';
import { DeploymentRecorder } from '../core/github/deployments.js';
import type { Logger } from '../core/logger.js';
import type { GitHubApi, RepoRef } from './github-api.js';

/** One environment per PR, so previews of different PRs never mark each other inactive. */
export function previewEnvironment(number: number): string {
  return `preview/pr-${number}`;
}

/** The PR's preview as a transient GitHub Deployment (GitHub lets those go quietly). */
export function previewDeployment(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  sha: string,
  log: Logger,
  id?: number,
): DeploymentRecorder {
  return new DeploymentRecorder(
    api,
    {
      owner: repo.owner,
      repo: repo.repo,
      environment: previewEnvironment(number),
      sha,
      transient: true,
      description: `Preview of #${number} at ${sha.slice(0, 7)}`,
    },
    log,
    id,
  );
}

/** Marks the PR's newest preview Deployment inactive (teardown): "View deployment" goes away. */
export async function deactivatePreviewDeployments(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  log: Logger,
): Promise<void> {
  try {
    // The newest one is enough: each success already marked the ones before it inactive.
    const deployment = await newestPreviewDeployment(api, repo, number);
    if (deployment) {
      await previewDeployment(api, repo, number, deployment.sha, log, deployment.id).status(
        'inactive',
        {
          description: 'Preview torn down',
        },
      );
    }
  } catch (error) {
    log.warning(`Could not mark PR #${number}'s Deployments inactive: ${errorMessage(error)}`);
  }
}

/**
 * Turns the PR's newest preview Deployment to failure when it is for `sha` (a crash after it
 * went green): GitHub then shows the preview as failed, with why, instead of a dead link.
 */
export async function failPreviewDeployment(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  sha: string,
  description: string,
  log: Logger,
): Promise<void> {
  try {
    const newest = await newestPreviewDeployment(api, repo, number);
    if (!newest || newest.sha !== sha) return;
    await previewDeployment(api, repo, number, sha, log, newest.id).status('failure', {
      description,
    });
  } catch (error) {
    log.warning(`Could not mark PR #${number}'s Deployment failed: ${errorMessage(error)}`);
  }
}

async function newestPreviewDeployment(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
): Promise<{ id: number; sha: string } | undefined> {
  const { data } = await api.request('GET /repos/{owner}/{repo}/deployments', {
    ...repo,
    environment: previewEnvironment(number),
    per_page: 1,
  });
  return (data as Array<{ id: number; sha: string }>)[0];
}
