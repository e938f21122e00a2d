import type { PreviewConfig } from '../core/config/repo-config.js';
import { errorMessage, publicReason } from '../core/errors.js';
import { findComment, upsertComment } from '../core/github/living-comment.js';
import { readApproval, withApproval, withHeadMarker } from '../core/github/head-marker.js';
import { findEcrImage } from '../core/image/find-ecr-image.js';
import { launchPreview } from '../core/preview/launch-preview.js';
import { listPreviewTasks } from '../core/preview/preview-tasks.js';
import type { PreviewResult, PullRequestRef } from '../core/preview/preview-types.js';
import { teardownPreview } from '../core/preview/teardown-preview.js';
import { logBlockOf, replaceLogBlock } from '../core/report/log-block.js';
import type { BotServices } from './bot-services.js';
import { settleHealth } from './health/settle-health.js';
import {
  configErrorBody,
  policyErrorBody,
  type PreviewHealth,
  IDLE_STOPPED_MARKER,
  previewBody,
  stopReason,
  waitingBody,
} from './comment-bodies.js';
import { readRepoConfig } from './config-reader.js';
import {
  getPull,
  isHead,
  type GitHubApi,
  type PullRequestData,
  type RepoRef,
} from './github-api.js';
import {
  deactivatePreviewDeployments,
  previewDeployment,
  previewEnvironment,
} from './preview-deployment.js';

export interface ReconcileTrigger {
  /** `/deploy` by someone with write access: approves a fork PR at exactly this SHA. */
  readonly approvedSha?: string;
  /** Who caused this run (the PR author, or who typed the command). */
  readonly actor?: string;
  /** Tear down whatever runs, and say why (closed, `/preview stop`, no-preview label…). */
  readonly teardown?: string;
  /** A CI run for the head succeeded: launch if its image is there, unless stopped for idleness. */
  readonly imageReady?: boolean;
  /** A relaunch after a crash: the how-manieth for this head, recorded on the new task. */
  readonly relaunches?: number;
}

export type ReconcileOutcome =
  PreviewResult | { kind: 'waiting'; image: string } | { kind: 'skipped'; reason: string };

/**
 * One pass of the reconcile loop for a PR: read the config from the default branch, decide what
 * the PR wants, let the engine make AWS match, then tell the PR (comment and Deployment). Every
 * event, command and redelivery runs this same function, one at a time per PR.
 */
export async function reconcilePullRequest(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  number: number,
  trigger: ReconcileTrigger = {},
): Promise<ReconcileOutcome> {
  return services.queue.run(key(repo, number), () =>
    reconcileNow(api, services, repo, number, trigger),
  );
}

async function reconcileNow(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  number: number,
  trigger: ReconcileTrigger,
): Promise<ReconcileOutcome> {
  const target = { owner: repo.owner, repo: repo.repo, issueNumber: number };
  const read = await readRepoConfig(api, repo, services.configCache, services.policy);
  const usable = read.kind === 'ok' && read.config.preview !== undefined;
  if (!usable && trigger.teardown) {
    // The config that launched the preview is gone or broken; its tasks' tags still say where
    // everything is.
    return teardownFromTags(api, services, repo, number, trigger.teardown);
  }
  if (read.kind === 'missing' || (read.kind === 'ok' && !read.config.preview)) {
    return { kind: 'skipped', reason: 'no preview section in .github/ecs-paas.yml' };
  }
  if (read.kind === 'invalid') {
    await upsertComment(
      api,
      target,
      read.byPolicy ? policyErrorBody(read.error.message) : configErrorBody(read.error.message),
    );
    return { kind: 'refused', reason: read.error.message };
  }
  const preview = read.config.preview as PreviewConfig;
  if (trigger.imageReady && (await findComment(api, target))?.body.includes(IDLE_STOPPED_MARKER)) {
    return { kind: 'skipped', reason: 'stopped for idleness; a push or /deploy brings it back' };
  }
  const pull = await getPull(api, repo, number);
  const ref = pullRef(repo, pull);
  const aws = services.awsFor(ref.repo, number);
  const deps = await services.previewDeps(preview, aws);
  let approvedSha = trigger.approvedSha === ref.sha ? ref.sha : undefined;
  // Every comment this run writes records the head it shows, and since when: `/deploy` approves a
  // fork's head only if the App showed it before the command was written. A fork's approval rides
  // along, so the launch after its image is built still holds it.
  const write = (body: string | ((existing: string | undefined) => string)) =>
    upsertComment(api, target, (existing) =>
      withHeadMarker(
        withApproval(
          typeof body === 'string' ? body : body(existing),
          ref.fork ? approvedSha : undefined,
        ),
        existing,
        ref.sha,
        services.now(),
      ),
    );

  const why = trigger.teardown ?? wantsNoPreview(pull);
  if (why) {
    const result = await teardownPreview(
      deps,
      preview,
      ref,
      why,
      await services.teardownScope(aws),
    );
    if (result.kind === 'torn-down' && result.stopped.length > 0) {
      services.metrics.tornDown(ref.repo, stopReason(why).kind === 'closed' ? 'closed' : 'command');
      await deactivatePreviewDeployments(api, repo, number, services.log);
    }
    if (result.kind === 'torn-down' && (result.stopped.length > 0 || trigger.teardown)) {
      await write(previewBody(result, ref.sha, { stopped: stopReason(why) }));
    }
    return result;
  }

  if (ref.fork && !approvedSha && preview.forks !== 'never') {
    const given = readApproval((await findComment(api, target))?.body);
    if (given === ref.sha) approvedSha = given;
  }
  const approved = approvedSha !== undefined;
  if (ref.fork && (preview.forks === 'never' || !approved)) {
    const result = await launchPreview(deps, preview, {
      pr: ref,
      image: '',
      launchedBy: ref.author,
    });
    await write(previewBody(result, ref.sha));
    return result;
  }

  // Lowercased as the Action's ecr-repository default is, so both look in the same repository.
  const repository = preview.ecrRepository ?? repo.repo.toLowerCase();
  const image = await findEcrImage(await aws.ecr(), aws.region, repository, ref.sha);
  if (!image) {
    const waiting = `${repository}:${ref.sha}`;
    await write(waitingBody(waiting, ref.sha));
    return { kind: 'waiting', image: waiting };
  }

  // A Deployment only for a real launch: a redelivered event for a running SHA records nothing.
  const serving = (await listPreviewTasks(deps.aws.ecs, preview.cluster)).some(
    (t) => t.repo === ref.repo && t.pr === number && t.sha === ref.sha && t.status === 'RUNNING',
  );
  const deployment = serving
    ? undefined
    : previewDeployment(api, repo, number, ref.sha, services.log);
  await deployment?.start();
  let result: PreviewResult;
  try {
    result = await launchPreview(deps, preview, {
      pr: ref,
      image: image.image,
      launchedBy: trigger.actor ?? ref.author,
      approved,
      isCurrentHead: (sha) => isHead(api, repo, number, sha),
      ...(trigger.relaunches !== undefined && { relaunches: trigger.relaunches }),
    });
  } catch (error) {
    // The PR sees what failed in words; the error itself (ARNs, account ids) stays in the log.
    result = {
      kind: 'failed',
      reason: `A call to AWS failed while launching: ${publicReason(error, services.log)}.`,
      details: [],
    };
  }
  if (result.kind === 'launched' || result.kind === 'replaced') {
    services.metrics.launched(ref.repo, result.seconds);
  } else if (result.kind === 'failed') {
    services.metrics.launchFailed(ref.repo);
  }
  const body = (health?: PreviewHealth): string =>
    previewBody(result, ref.sha, {
      image: image.image,
      region: services.aws.region,
      cluster: preview.cluster,
      idleAfterMs: preview.idleAfterMs,
      requestsMeasured: preview.routing.mode === 'alb' || preview.activityMetric !== undefined,
      ...(health && { health }),
    });
  // `/logs` output stays while the same task serves; a new task's comment starts without it.
  const show = (text: string) =>
    write((existing) =>
      result.kind === 'unchanged' ? replaceLogBlock(text, logBlockOf(existing)) : text,
    );
  // Ready means answering: until then the comment says starting and the Deployment stays in progress.
  let health: PreviewHealth | undefined;
  if (result.kind === 'launched' || result.kind === 'replaced' || result.kind === 'unchanged') {
    try {
      health = await settleHealth(deps, preview, result, async (starting) => {
        await show(body(starting));
      });
    } catch (error) {
      services.log.warning(
        `PR #${number}: could not tell whether the preview answers: ${errorMessage(error)}`,
      );
    }
  }
  const failed = result.kind === 'failed' || health?.state === 'unhealthy';
  await deployment?.status(
    failed ? 'failure' : result.kind === 'discarded' ? 'inactive' : 'success',
    {
      ...('url' in result ? { environmentUrl: result.url } : {}),
      description:
        result.kind === 'failed'
          ? result.reason
          : health?.state === 'unhealthy'
            ? `Unhealthy: ${health.reason}`
            : `${result.kind} ${ref.sha.slice(0, 7)}`,
    },
  );
  // A discarded launch lost to a newer head, whose own run writes the comment.
  if (result.kind !== 'discarded') await show(body(health));
  return result;
}

/**
 * Teardown with no usable config (deleted, without `preview:`, invalid or refused by the policy):
 * the PR's tasks are found by their tags in every cluster previews may use, and their routes
 * removed where the tags say. The comment is written only when there was something to stop.
 */
async function teardownFromTags(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  number: number,
  why: string,
): Promise<ReconcileOutcome> {
  const full = `${repo.owner}/${repo.repo}`;
  const aws = services.awsFor(full, number);
  const result = await teardownPreview(
    { aws, log: services.log },
    undefined,
    { repo: full, number, branch: '' },
    why,
    await services.teardownScope(aws),
  );
  if (result.kind !== 'torn-down' || result.stopped.length === 0) {
    return { kind: 'skipped', reason: 'no preview section in .github/ecs-paas.yml' };
  }
  services.metrics.tornDown(full, stopReason(why).kind === 'closed' ? 'closed' : 'command');
  await deactivatePreviewDeployments(api, repo, number, services.log);
  await upsertComment(
    api,
    { owner: repo.owner, repo: repo.repo, issueNumber: number },
    previewBody(result, '', { stopped: stopReason(why) }),
  );
  return result;
}

function pullRef(repo: RepoRef, pull: PullRequestData): PullRequestRef {
  const full = `${repo.owner}/${repo.repo}`;
  return {
    repo: full,
    number: pull.number,
    sha: pull.head.sha,
    branch: pull.head.ref,
    author: pull.user?.login ?? '',
    fork: (pull.head.repo?.full_name ?? '') !== full,
  };
}

function wantsNoPreview(pull: PullRequestData): string | undefined {
  if (pull.state !== 'open') return 'the pull request was closed';
  if (pull.draft) return 'the pull request is a draft';
  if (pull.labels?.some((label) => label.name === 'no-preview'))
    return "the pull request is labelled 'no-preview'";
  return undefined;
}

export { previewEnvironment };

function key(repo: RepoRef, number: number): string {
  return `${repo.owner}/${repo.repo}#${number}`;
}
