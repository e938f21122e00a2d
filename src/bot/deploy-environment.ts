import type {
  ServicesEnvironment,
  WorkflowEnvironment,
} from '../core/config/environment-config.js';
import { deployServices } from '../core/deploy/deploy-services.js';
import { errorMessage } from '../core/errors.js';
import { DeploymentRecorder } from '../core/github/deployments.js';
import { findEcrImage } from '../core/image/find-ecr-image.js';
import { approveHead } from './approve-head.js';
import type { BotServices } from './bot-services.js';
import { needPermission } from './command-permission.js';
import type { CommandComment, Outcome } from './command-types.js';
import { readRepoConfig } from './config-reader.js';
import { getPull, type GitHubApi, type RepoRef } from './github-api.js';
import { approvedAt, headChecks } from './head-checks.js';

/**
 * `/deploy <env> [sha]`, gated like a production deploy, in this order: the environment exists;
 * the PR is open and not from a fork; the commenter has the environment's permission (write or
 * more); the SHA is one the commenter saw; the head's checks are green; an approving review of
 * that SHA when required; no other deploy to that environment is running. Then either the App
 * deploys the services itself or it dispatches the environment's workflow.
 */
export async function deployEnvironment(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  comment: CommandComment,
  name: string,
  sha: string | undefined,
): Promise<Outcome> {
  const read = await readRepoConfig(api, repo, services.configCache, services.policy);
  if (read.kind !== 'ok')
    return {
      ok: false,
      reply:
        read.kind === 'missing'
          ? 'There is no .github/ecs-paas.yml on the default branch; add an `environments:` section to it.'
          : '.github/ecs-paas.yml on the default branch is not valid; the preview comment names the key to fix.',
    };
  const environment = read.config.environments[name];
  if (!environment) {
    const known = Object.keys(read.config.environments);
    return {
      ok: false,
      reply: `There is no such environment in .github/ecs-paas.yml${known.length ? ` (known: ${known.join(', ')})` : ''}.`,
    };
  }
  const pull = await getPull(api, repo, comment.issueNumber);
  if (pull.state !== 'open')
    return { ok: false, reply: 'Only an open pull request can be deployed.' };
  if ((pull.head.repo?.full_name ?? '') !== `${repo.owner}/${repo.repo}`) {
    return {
      ok: false,
      reply:
        'A pull request from a fork cannot be deployed to an environment: its code has not been pushed by someone with write access. Merge it, or push its commits to a branch of this repository.',
    };
  }
  const denied = await needPermission(api, repo, comment.author, environment.permission);
  if (denied) return denied;
  const approval = await approveHead(api, repo, pull, {
    ...(sha !== undefined && { sha }),
    createdAt: comment.createdAt,
    fork: false,
  });
  if (!approval.ok) return approval;
  const head = approval.sha;
  if (environment.requireChecks) {
    const checks = await headChecks(api, repo, head);
    if (!checks.green) {
      return {
        ok: false,
        reply: `\`${head.slice(0, 7)}\` is not green: ${checks.why}. Nothing was deployed; try again when its checks pass.`,
      };
    }
  }
  if (environment.requireApproval && !(await approvedAt(api, repo, pull.number, head))) {
    return {
      ok: false,
      reply: `**${name}** needs an approving review of \`${head.slice(0, 7)}\` first. Nothing was deployed.`,
    };
  }
  const lock = `${repo.owner}/${repo.repo}:env:${name}`;
  const running = services.environmentLocks.get(lock);
  if (running !== undefined) {
    return { ok: false, reply: `A deploy to **${name}** is in progress: ${running}` };
  }
  services.environmentLocks.set(lock, comment.htmlUrl);
  try {
    return environment.kind === 'workflow'
      ? await dispatchWorkflow(api, repo, environment, {
          name,
          sha: head,
          pull: pull.number,
          ref: pull.head.ref,
        })
      : await deployServicesNow(api, services, repo, environment, {
          name,
          sha: head,
          ecrRepository: read.config.preview?.ecrRepository ?? repo.repo.toLowerCase(),
          pr: pull.number,
        });
  } finally {
    services.environmentLocks.delete(lock);
  }
}

async function deployServicesNow(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  environment: ServicesEnvironment,
  target: { name: string; sha: string; ecrRepository: string; pr: number },
): Promise<Outcome> {
  const { name, sha } = target;
  const aws = services.awsFor(`${repo.owner}/${repo.repo}`, target.pr);
  const image = await findEcrImage(await aws.ecr(), aws.region, target.ecrRepository, sha);
  if (!image)
    return {
      ok: false,
      reply: `No image for \`${sha.slice(0, 7)}\` in ECR yet; wait for CI and try again.`,
    };
  const recorder = new DeploymentRecorder(
    api,
    { owner: repo.owner, repo: repo.repo, environment: name, sha, production: /^prod/.test(name) },
    services.log,
  );
  await recorder.start();
  const report = await deployServices(
    aws,
    {
      cluster: environment.cluster,
      services: environment.services,
      containers: environment.containers,
      taskDefinition: environment.taskDefinition
        ? { kind: 'reference', reference: environment.taskDefinition }
        : { kind: 'service' },
      image: image.image,
      wait: true,
      waitTimeoutMs: 15 * 60_000,
      rollback: 'on-failure',
      keepRevisions: 0,
    },
    services.log,
  );
  if (report.failure) {
    services.log.warning(`${repo.owner}/${repo.repo} /deploy ${name} failed: ${report.failure}`);
  }
  await recorder.status(report.failure ? 'failure' : 'success', {
    description: report.failure
      ? 'The deploy failed; the App logs have the details'
      : `Deployed ${sha.slice(0, 7)}`,
  });
  return report.failure
    ? {
        ok: false,
        reply: `The deploy to **${name}** failed${report.rolledBack ? ' and was rolled back' : ''}. The App's logs have the details.`,
      }
    : {
        ok: true,
        reply: `Deployed \`${sha.slice(0, 7)}\` to **${name}** (${environment.services.length} service${environment.services.length === 1 ? '' : 's'}).`,
      };
}

/** Marks the reply to a dispatch, so the run's result can be written into it when it finishes. */
export const dispatchMarker = (runId: number): string => `<!-- ecs-paas:dispatch run=${runId} -->`;

async function dispatchWorkflow(
  api: GitHubApi,
  repo: RepoRef,
  environment: WorkflowEnvironment,
  target: { name: string; sha: string; pull: number; ref: string },
): Promise<Outcome> {
  let run: { workflow_run_id?: number; html_url?: string };
  try {
    const { data } = await api.request(
      'POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches',
      {
        ...repo,
        workflow_id: environment.workflow,
        ref: target.ref,
        inputs: { sha: target.sha, environment: target.name, pr: String(target.pull) },
        return_run_details: true,
      },
    );
    run = data ?? {};
  } catch (error) {
    return {
      ok: false,
      reply: `The ${environment.workflow} workflow could not be started (${statusOf(error)}); check that it has a workflow_dispatch trigger with inputs sha, environment and pr.`,
    };
  }
  const link = run.html_url ? `: ${run.html_url}` : '';
  return {
    ok: true,
    reply: [
      `Started ${environment.workflow} for \`${target.sha.slice(0, 7)}\` to **${target.name}**${link}. GitHub's protection rules for the environment apply there; this comment gets the result.`,
      ...(run.workflow_run_id ? [dispatchMarker(run.workflow_run_id)] : []),
    ].join('\n'),
  };
}

function statusOf(error: unknown): string {
  const status = (error as { status?: number }).status;
  return status ? `GitHub answered ${status}` : errorMessage(error).slice(0, 80);
}
