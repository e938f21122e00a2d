import { DescribeTasksCommand, type Task } from '@aws-sdk/client-ecs';
import { errorMessage } from '../../core/errors.js';
import { withHeadMarker } from '../../core/github/head-marker.js';
import { upsertComment } from '../../core/github/living-comment.js';
import { readRepoVisibility } from '../../core/github/repo-visibility.js';
import { crashFacts, stoppedBehindOurBack } from '../../core/preview/health-crash.js';
import { HEALTH_TAGS, relaunchesOf, tagTask, taskTag } from '../../core/preview/health-tags.js';
import { decideLogDelivery } from '../../core/preview/log-delivery.js';
import { listLogStreams, readPreviewLogs } from '../../core/preview/preview-logs.js';
import { listPreviewTasks } from '../../core/preview/preview-tasks.js';
import { TAGS } from '../../core/preview/routing-types.js';
import { renderLogBlock } from '../../core/report/log-block.js';
import { renderLogLinks } from '../../core/report/log-links.js';
import type { BotServices } from '../bot-services.js';
import { crashBody } from '../comment-bodies.js';
import { readRepoConfig } from '../config-reader.js';
import { getPull, type GitHubApi, type RepoRef } from '../github-api.js';
import { failPreviewDeployment } from '../preview-deployment.js';
import { reconcilePullRequest } from '../reconcile-pull-request.js';
import { decideCrash, RELAUNCH_LIMIT } from './relaunch-rule.js';

/** Lines of each container's log shown with a crash (under the `/logs` rules). */
const CRASH_LOG_LINES = 20;

export type CrashOutcome =
  | { readonly kind: 'ignored'; readonly why: string }
  | { readonly kind: 'relaunched'; readonly attempt: number }
  | { readonly kind: 'gave-up' };

/** A client for a repository's installation; undefined when the App is not installed there. */
export type ApiFor = (repo: RepoRef) => Promise<GitHubApi | undefined>;

/**
 * A preview task stopped: when ecs-paas did not stop it, its PR is still open at the task's SHA
 * and nothing replaced it, the PR's comment and Deployment say it failed (reason, exit codes, last
 * log lines under the `/logs` rules), and the App relaunches the head with backoff, at most
 * RELAUNCH_LIMIT times per SHA. Whose preview it was is read from the task's tags in ECS, never
 * from whoever reported the stop. Reported once: the task is tagged when its PR was told.
 */
export async function noticeStoppedTask(
  services: BotServices,
  apiFor: ApiFor,
  cluster: string,
  stopped: Task | string,
): Promise<CrashOutcome> {
  const task =
    typeof stopped === 'string' ? await describeOne(services, cluster, stopped) : stopped;
  if (!task?.taskArn) return { kind: 'ignored', why: 'no such task' };
  if (!stoppedBehindOurBack(task))
    return { kind: 'ignored', why: 'stopped by ecs-paas, or running' };
  if (taskTag(task, HEALTH_TAGS.crashNoticed)) return { kind: 'ignored', why: 'already reported' };
  const full = taskTag(task, TAGS.repo) ?? '';
  const number = Number(taskTag(task, TAGS.pr));
  const sha = taskTag(task, TAGS.sha) ?? '';
  const [owner = '', name = ''] = full.split('/');
  if (taskTag(task, TAGS.managed) !== 'true' || !owner || !name || !Number.isInteger(number)) {
    return { kind: 'ignored', why: 'not a managed preview task' };
  }
  const repo: RepoRef = { owner, repo: name };
  const api = await apiFor(repo);
  if (!api) return { kind: 'ignored', why: `the App is not installed on ${full}` };
  const taskArn = task.taskArn;
  const aws = services.awsFor(full, number);
  const markNoticed = () => tagTask(aws.ecs, taskArn, HEALTH_TAGS.crashNoticed, 'true');

  const told = await services.queue.run(`${full}#${number}`, async () => {
    const pull = await getPull(api, repo, number);
    if (pull.state !== 'open' || pull.head.sha !== sha) {
      await markNoticed();
      return undefined;
    }
    const read = await readRepoConfig(api, repo, services.configCache, services.policy);
    const preview = read.kind === 'ok' ? read.config.preview : undefined;
    if (!preview) return undefined;
    const replacement = (await listPreviewTasks(aws.ecs, cluster)).some(
      (t) => t.repo === full && t.pr === number,
    );
    if (replacement) {
      await markNoticed();
      return undefined;
    }
    const deps = await services.previewDeps(preview, aws);
    const decision = decideCrash(relaunchesOf(task, RELAUNCH_LIMIT), (deps.pollMs ?? 2_000) * 5);
    const facts = crashFacts(task);
    const logs = await crashLogs(services, api, repo, preview.logs, cluster, task);
    await upsertComment(api, { ...repo, issueNumber: number }, (existing) =>
      withHeadMarker(crashBody(sha, facts, decision, logs), existing, sha, services.now()),
    );
    await failPreviewDeployment(api, repo, number, sha, `Crashed: ${facts.reason}`, services.log);
    await markNoticed();
    services.metrics.launchFailed(full);
    services.log.info(
      `PR #${number}: its preview task stopped (${facts.reason}); ${decision.kind === 'relaunch' ? `relaunch ${decision.attempt} of ${RELAUNCH_LIMIT}` : 'giving up'}`,
    );
    return decision;
  });
  if (!told) return { kind: 'ignored', why: 'the PR moved on, closed, or has a preview again' };
  if (told.kind === 'give-up') return { kind: 'gave-up' };
  await new Promise((resolve) => setTimeout(resolve, told.afterMs));
  await reconcilePullRequest(api, services, repo, number, { relaunches: told.attempt });
  return { kind: 'relaunched', attempt: told.attempt };
}

async function describeOne(
  services: BotServices,
  cluster: string,
  taskArn: string,
): Promise<Task | undefined> {
  const { tasks = [] } = await services.aws.ecs.send(
    new DescribeTasksCommand({ cluster, tasks: [taskArn], include: ['TAGS'] }),
  );
  return tasks[0];
}

/** The last lines where `/logs` would post them, where to read them otherwise, nothing when off. */
async function crashLogs(
  services: BotServices,
  api: GitHubApi,
  repo: RepoRef,
  configured: Parameters<typeof decideLogDelivery>[0],
  cluster: string,
  task: Task,
): Promise<string | undefined> {
  try {
    const visibility =
      configured === 'off' || configured === 'link'
        ? undefined
        : await readRepoVisibility(api, repo);
    const decision = decideLogDelivery(configured, visibility);
    if (decision.delivery === 'off') return undefined;
    if (decision.delivery === 'link') {
      return renderLogLinks(await listLogStreams(services.aws, cluster, task), decision.reason);
    }
    const logs = await readPreviewLogs(services.aws, cluster, task, CRASH_LOG_LINES);
    // The block names who asked for `/logs`; here nobody did, so no one is mentioned.
    return renderLogBlock(logs, {
      requested: CRASH_LOG_LINES,
      at: services.now(),
      requestedBy: '',
    }).replace(', for @</summary>', ' before it stopped</summary>');
  } catch (error) {
    services.log.warning(`Could not read the crashed task's logs: ${errorMessage(error)}`);
    return undefined;
  }
}
