import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { GitHubApi, RepoRef } from './github-api.js';

/** One environment per PR, so previews of different PRs never mark each other inactive. */
export function previewEnvironment(number: number): string {
  return `preview/pr-${number}`;
}

/** Starts a transient GitHub Deployment for the PR's preview and returns its id. */
export async function startPreviewDeployment(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  sha: string,
  log: Logger,
): Promise<number | undefined> {
  try {
    const { data } = await api.request('POST /repos/{owner}/{repo}/deployments', {
      ...repo,
      ref: sha,
      environment: previewEnvironment(number),
      auto_merge: false,
      required_contexts: [],
      transient_environment: true,
      production_environment: false,
      description: `Preview of #${number} at ${sha.slice(0, 7)}`,
    });
    const id = (data as { id?: number }).id;
    if (id !== undefined) await setDeploymentState(api, repo, id, 'in_progress', {}, log);
    return id;
  } catch (error) {
    log.warning(`Could not record a GitHub Deployment for PR #${number}: ${errorMessage(error)}`);
    return undefined;
  }
}

export async function setDeploymentState(
  api: GitHubApi,
  repo: RepoRef,
  id: number,
  state: 'in_progress' | 'success' | 'failure' | 'inactive',
  details: { environmentUrl?: string; description?: string; logUrl?: string },
  log: Logger,
): Promise<void> {
  try {
    await api.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      ...repo,
      deployment_id: id,
      state,
      ...(details.environmentUrl ? { environment_url: details.environmentUrl } : {}),
      ...(details.logUrl ? { log_url: details.logUrl } : {}),
      ...(details.description ? { description: details.description.slice(0, 140) } : {}),
    });
  } catch (error) {
    log.warning(`Could not set GitHub Deployment ${id} to ${state}: ${errorMessage(error)}`);
  }
}

/** Marks the PR's preview Deployments inactive (teardown): the "View deployment" button goes away. */
export async function deactivatePreviewDeployments(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  log: Logger,
): Promise<void> {
  try {
    const { data } = await api.request('GET /repos/{owner}/{repo}/deployments', {
      ...repo,
      environment: previewEnvironment(number),
      per_page: 10,
    });
    // The newest one is enough: a success marks the ones before it inactive already.
    for (const deployment of (data as Array<{ id: number }>).slice(0, 1)) {
      await setDeploymentState(
        api,
        repo,
        deployment.id,
        'inactive',
        { description: 'Preview torn down' },
        log,
      );
    }
  } catch (error) {
    log.warning(`Could not mark PR #${number}'s Deployments inactive: ${errorMessage(error)}`);
  }
}
