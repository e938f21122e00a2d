import * as core from '@actions/core';
import type { AwsClients } from '../core/aws/clients.js';
import { parseRepoConfig } from '../core/config/repo-config.js';
import { errorMessage } from '../core/errors.js';
import type { DeploymentsApi } from '../core/github/deployments.js';
import { upsertComment } from '../core/github/living-comment.js';
import { isHead } from '../core/github/pull-requests.js';
import { createRouter } from '../core/preview/create-router.js';
import { launchPreview } from '../core/preview/launch-preview.js';
import type { PreviewResult } from '../core/preview/preview-types.js';
import { teardownPreview } from '../core/preview/teardown-preview.js';
import { previewComment } from '../core/report/preview-comment.js';
import { actionsLogger as log } from './actions-logger.js';
import { readBaseConfig } from './base-config.js';
import { assertCheckoutAt } from './checkout-head.js';
import { provideActionImage } from './provide-action-image.js';
import { readPullRequestEvent } from './pull-request-event.js';
import type { RegistryLogins } from './registry-logins.js';
import type { ActionSettings } from './settings.js';
import { githubRequestOptions } from '../core/github/request-timeout.js';

/**
 * `preview` and `teardown` in a pull_request workflow: the same engine the App runs, for teams
 * that want previews without installing the App. Throws to fail the step.
 */
export async function runPreviewCommand(
  settings: ActionSettings,
  clients: AwsClients,
  env: NodeJS.ProcessEnv,
  logins: RegistryLogins,
): Promise<void> {
  const event = await readPullRequestEvent(env, settings.command);
  const { pr } = event;
  const github = settings.githubToken ? await octokit(settings.githubToken) : undefined;
  const configFile = await readBaseConfig({ path: settings.configPath, github, log }, event);
  log.info(`Config: ${configFile.from}`);
  const config = parseRepoConfig(configFile.text, settings.configPath);
  if (!config.preview) {
    throw new Error(
      `Input 'config': ${configFile.from} has no 'preview' section; add one to use command '${settings.command}'`,
    );
  }
  const preview = config.preview;
  const [owner = '', repo = ''] = pr.repo.split('/');
  const deps = {
    aws: clients,
    router: await createRouter(clients, preview.routing),
    log,
    ...pollOverride(env),
  };

  let result: PreviewResult;
  let image: string | undefined;
  if (settings.command === 'teardown') {
    result = await teardownPreview(deps, preview, pr, 'pull request closed');
  } else if (pr.fork) {
    // Refused before anything is built: building a fork's Dockerfile runs its code with this
    // job's credentials. Fork previews go through the App, where a maintainer approves a SHA.
    result = {
      kind: 'refused',
      reason:
        preview.forks === 'never'
          ? 'previews of pull requests from forks are disabled (forks: never)'
          : "this pull request comes from a fork: the Action does not build fork code; a maintainer can approve it with the App's /deploy",
    };
  } else {
    const repository = settings.ecrRepositoryExplicit
      ? settings.ecrRepository
      : (preview.ecrRepository ?? settings.ecrRepository);
    // What is built must be the commit the image is tagged with, whatever the checkout holds.
    if (!settings.image) await assertCheckoutAt(settings.build.context, pr.sha, env);
    const provided = await provideActionImage(
      settings,
      clients,
      env,
      { sha: pr.sha, repository, refName: pr.branch },
      logins,
    );
    image = provided.image;
    core.setOutput('image', provided.image);
    core.setOutput('digest', provided.digest);
    result = await launchPreview(deps, preview, {
      pr,
      image: provided.image,
      launchedBy: pr.author,
      ...(github
        ? { isCurrentHead: (sha: string) => isHead(github, { owner, repo }, pr.number, sha) }
        : {}),
    });
  }

  const url = 'url' in result ? result.url : '';
  core.setOutput('url', url);
  core.setOutput('result', result.kind);
  const body = previewComment(result, {
    sha: pr.sha,
    ...(image ? { image } : {}),
    since: new Date(),
    ...(env.GITHUB_RUN_ID
      ? {
          logsUrl: `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${pr.repo}/actions/runs/${env.GITHUB_RUN_ID}`,
        }
      : {}),
  });
  await core.summary.addRaw(body).write();
  if (github) {
    try {
      await upsertComment(github, { owner, repo, issueNumber: pr.number }, body);
    } catch (error) {
      log.warning(`Could not update the pull request comment: ${errorMessage(error)}`);
    }
  }
  if (result.kind === 'failed') throw new Error(`Preview failed: ${result.reason}`);
  log.info(
    url
      ? `Preview: ${url} (${result.kind})`
      : `Preview: ${result.kind}${'reason' in result ? ` — ${result.reason}` : ''}`,
  );
}

async function octokit(token: string): Promise<DeploymentsApi> {
  const { getOctokit } = await import('@actions/github');
  return getOctokit(token, githubRequestOptions());
}

function pollOverride(env: NodeJS.ProcessEnv): { pollMs?: number } {
  return env.ECS_PAAS_POLL_MS ? { pollMs: Number(env.ECS_PAAS_POLL_MS) } : {};
}
