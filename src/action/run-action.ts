import * as core from '@actions/core';
import { createAwsClients } from '../core/aws/clients.js';
import { checkDeployControllers } from '../core/deploy/codedeploy-controller.js';
import { deployServices, type DeployReport } from '../core/deploy/deploy-services.js';
import { DeploymentRecorder } from '../core/github/deployments.js';
import { deploySummary } from '../core/report/deploy-summary.js';
import { actionsLogger as log } from './actions-logger.js';
import { provideActionImage } from './provide-action-image.js';
import { RegistryLogins } from './registry-logins.js';
import { parseSettings, type ActionSettings } from './settings.js';
import { readEventHead, refuseUntrustedHead } from './untrusted-head.js';
import { githubRequestOptions } from '../core/github/request-timeout.js';

/** The Action: settings in, core calls, outputs and summary out. Throws to fail the step. */
export async function runAction(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const settings = parseSettings((name) => core.getInput(name), env);
  if (settings.githubToken) log.secret(settings.githubToken);
  // Before any credential is used: preview refuses forks on its own, with a comment on the PR.
  if (settings.command === 'build' || settings.command === 'deploy') {
    refuseUntrustedHead(settings.command, await readEventHead(env));
  }
  const logins = new RegistryLogins();
  const clients = createAwsClients(settings.region, { maxAttempts: settings.maxRetries });
  const timings: Array<[string, number]> = [];
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await work();
    } finally {
      timings.push([phase, Date.now() - started]);
    }
  };

  if (settings.command === 'preview' || settings.command === 'teardown') {
    const { runPreviewCommand } = await import('./run-preview.js');
    return runPreviewCommand(settings, clients, env, logins);
  }
  if (settings.command === 'deploy' && !settings.image) {
    // A service whose controller we cannot drive is refused before anything is built or pushed.
    // With a prebuilt image nothing is built, and deployServices refuses it before registering.
    await checkDeployControllers(
      clients.ecs,
      settings.cluster,
      settings.services,
      settings.codeDeploy,
    );
  }
  const provided = await timed(settings.image ? 'resolve image' : 'build and push', () =>
    provideActionImage(
      settings,
      clients,
      env,
      { sha: settings.sha, repository: settings.ecrRepository },
      logins,
    ),
  );
  core.setOutput('image', provided.image);
  core.setOutput('digest', provided.digest);
  log.info(`Image: ${provided.image}`);
  if (settings.command === 'build') {
    await core.summary.addHeading('Image built', 2).addCodeBlock(provided.image).write();
    return;
  }

  const recorder = await startDeployment(settings, env);
  const report = await timed('deploy', () =>
    deployServices(
      clients,
      {
        cluster: settings.cluster,
        services: settings.services,
        containers: settings.containers,
        taskDefinition: settings.taskDefinition,
        image: provided.image,
        wait: settings.wait,
        waitTimeoutMs: settings.waitTimeoutMs,
        rollback: settings.rollback,
        ...(settings.runBefore ? { runBefore: settings.runBefore } : {}),
        keepRevisions: settings.keepRevisions,
        ...(settings.codeDeploy ? { codeDeploy: settings.codeDeploy } : {}),
        ...(env.ECS_PAAS_POLL_MS ? { pollMs: Number(env.ECS_PAAS_POLL_MS) } : {}),
      },
      log,
    ),
  );
  await finishDeployment(recorder, report);
  writeOutputs(report);
  await core.summary
    .addRaw(
      deploySummary({
        report,
        image: provided.image,
        digest: provided.digest,
        cluster: settings.cluster,
        timings,
      }),
    )
    .write();
  if (report.failure) throw new Error(report.failure);
}

function writeOutputs(report: DeployReport): void {
  core.setOutput('task-definition-arn', report.taskDefinitionArn);
  core.setOutput('previous-task-definition-arn', report.previousTaskDefinitionArn);
  core.setOutput('rolled-back', String(report.rolledBack));
  if (report.codeDeployDeploymentId) {
    core.setOutput('codedeploy-deployment-id', report.codeDeployDeploymentId);
  }
}

async function startDeployment(
  settings: ActionSettings,
  env: NodeJS.ProcessEnv,
): Promise<DeploymentRecorder | undefined> {
  if (!settings.environment) return undefined;
  if (!settings.githubToken) {
    log.warning(
      "Input 'environment' is set but 'github-token' is empty; no GitHub Deployment is recorded",
    );
    return undefined;
  }
  const [owner = '', repo = ''] = settings.repository.split('/');
  // Loaded only when needed: Octokit is most of the bundle's start-up time.
  const { getOctokit } = await import('@actions/github');
  const recorder = new DeploymentRecorder(
    getOctokit(settings.githubToken, githubRequestOptions()),
    {
      owner,
      repo,
      environment: settings.environment,
      sha: settings.sha,
      production: /^prod/i.test(settings.environment),
    },
    log,
  );
  const runUrl = env.GITHUB_RUN_ID
    ? `${env.GITHUB_SERVER_URL ?? 'https://github.com'}/${settings.repository}/actions/runs/${env.GITHUB_RUN_ID}`
    : undefined;
  await recorder.start(runUrl);
  return recorder;
}

async function finishDeployment(
  recorder: DeploymentRecorder | undefined,
  report: DeployReport,
): Promise<void> {
  if (!recorder) return;
  await recorder.status(report.failure ? 'failure' : 'success', {
    description: report.failure ?? `Deployed ${report.taskDefinitionArn.split('/').pop() ?? ''}`,
  });
}
