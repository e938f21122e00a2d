import { errorMessage } from '../../core/errors.js';
import { findComment } from '../../core/github/living-comment.js';
import type { BotServices } from '../bot-services.js';
import { reconcilePullRequest } from '../reconcile-pull-request.js';
import { findIdle, type IdleFindings } from './find-idle.js';
import { failInterruptedDeploys } from './interrupted-deploys.js';
import type { FleetSource } from './installed-repositories.js';
import { planSweep, type SweepPlan } from './sweep-plan.js';
import { readFleet, readRepos, type FleetView, type SweptRepos } from './sweep-read.js';
import { noticeCrashes } from './sweep-crashes.js';
import { showRequestCounts } from './sweep-request-counts.js';
import { stopStrays, type StoppedStray } from './sweep-strays.js';
import { removeOrphanRoutes, stopDoomed } from './sweep-teardown.js';
import type { Doomed, SweepReport } from './sweep-types.js';

/**
 * One pass over the whole fleet, from AWS and GitHub alone: previews idle for `idle-after`, of PRs
 * closed while the App was away, routes without a task and tasks without a route all converge.
 * Reads are batched (one task listing per cluster, one GetMetricData per 500 previews, open PRs
 * listed per repository, one DNS change per zone), and a read that fails stops nothing it would
 * have been needed to judge.
 */
export async function sweepFleet(
  services: BotServices,
  source: FleetSource,
  trigger: string,
): Promise<SweepReport> {
  const started = Date.now();
  const now = services.now();
  const problems: string[] = [];
  const problem = (text: string): void => {
    problems.push(text);
    services.log.warning(`sweep: ${text}`);
  };

  const repos = await readRepos(services, source, problem);
  const { view, plan, findings, stopped, strays } = await judgeAndStop(
    services,
    repos,
    now,
    problem,
  );
  const { idle, kept, unknown, pending, blindIdle } = findings;
  const goneHosts = [...stopped, ...strays].flatMap((d) => d.hostnames);
  const orphanRoutes = view.complete
    ? await removeOrphanRoutes(services, view, goneHosts, problem)
    : 0;
  if (!view.complete) {
    problem('routes without a task were left alone: part of the fleet could not be read');
  }
  // Idle or about to be: a relaunch would only bring back what nobody uses.
  const idleKeys = new Set([...idle.map((d) => `${d.full}#${d.pr}`), ...pending]);
  const drifted = plan.reconcile.filter((f) => !idleKeys.has(`${f.full}#${f.pr}`));
  for (const found of drifted) {
    try {
      await reconcilePullRequest(found.owner.api, services, found.owner.repo, found.pr, {});
    } catch (error) {
      problem(`could not reconcile ${found.full}#${found.pr}: ${errorMessage(error)}`);
    }
  }

  const recovered = await recoverUnlaunched(services, plan, problem);
  const interruptedDeploys = await failInterruptedDeploys(services, repos.deploying, problem);
  const crashed = await noticeCrashes(services, view, problem);
  // The request figures just read, into the comments of previews left running.
  await showRequestCounts(services, findings.measured, problem);

  // Previews per repository as the sweep leaves them (zero for a repository with none).
  const active = new Map<string, number>(view.swept.map((r) => [r.full, 0]));
  const gone = new Set([...stopped, ...strays].map((d) => `${d.full}#${d.pr}`));
  const live = new Set<string>();
  for (const tasks of view.fleet.values()) {
    for (const t of tasks) if (active.has(t.repo)) live.add(`${t.repo}#${t.pr}`);
  }
  for (const key of live) {
    if (gone.has(key)) continue;
    const repo = key.slice(0, key.lastIndexOf('#'));
    active.set(repo, (active.get(repo) ?? 0) + 1);
  }
  services.metrics.activePreviews(active);

  const count = (reason: Doomed['reason']): number =>
    stopped.filter((d) => d.reason === reason).length;
  return {
    trigger,
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1_000,
    repositories: view.installed,
    previews: plan.previews,
    // A preview torn down from its tags had a closed PR or an uninstalled repository: closed.
    stopped: { idle: count('idle'), closed: count('closed') + strays.length },
    orphanRoutes,
    reconciled: drifted.length + recovered,
    interruptedDeploys,
    crashed,
    kept,
    pendingIdle: pending.size,
    unknownActivity: unknown,
    judgedWithoutRequests: blindIdle,
    problems,
  };
}

/**
 * Open PRs that want a preview and have none: the App's comment on them tells whether the App ever
 * acted (a waiting image, a refusal, a stop, an idle teardown all leave one). A PR without it lost
 * its `opened` (a crash before the work was queued, a delivery GitHub gave up on) and is
 * reconciled now. A PR seen with a comment is remembered, so its comments are read once per
 * process, not once per sweep; the memory keeps only PRs that are still open.
 */
async function recoverUnlaunched(
  services: BotServices,
  plan: SweepPlan,
  problem: (text: string) => void,
): Promise<number> {
  const open = new Set(plan.unlaunched.map(({ repo, pull }) => `${repo.full}#${pull.number}`));
  for (const key of services.handledPulls) if (!open.has(key)) services.handledPulls.delete(key);
  let recovered = 0;
  for (const { repo, pull } of plan.unlaunched) {
    const key = `${repo.full}#${pull.number}`;
    if (services.handledPulls.has(key)) continue;
    try {
      const target = { owner: repo.repo.owner, repo: repo.repo.repo, issueNumber: pull.number };
      if (!(await findComment(repo.api, target))) {
        services.log.info(`sweep: ${key} has no preview and no comment: reconciling it`);
        await reconcilePullRequest(repo.api, services, repo.repo, pull.number, {});
        recovered++;
      }
      services.handledPulls.add(key);
    } catch (error) {
      problem(`could not bring up ${key}: ${errorMessage(error)}`);
    }
  }
  return recovered;
}

/**
 * Reads AWS, judges every preview and stops the doomed ones, under one queue mark. The mark is
 * taken only now, after the GitHub reads: work for a PR that starts from here on may change what
 * the sweep reads next, so that PR is left alone; work that ended before is in what it reads,
 * however recently it ended (a launch still finishing its comment when the sweep was asked for is
 * judged, not skipped for a whole interval).
 */
async function judgeAndStop(
  services: BotServices,
  repos: SweptRepos,
  now: Date,
  problem: (text: string) => void,
): Promise<{
  view: FleetView;
  plan: SweepPlan;
  findings: IdleFindings;
  stopped: Doomed[];
  strays: StoppedStray[];
}> {
  const mark = services.queue.mark();
  try {
    const view = await readFleet(services, repos, problem);
    const plan = await planSweep(view, problem);
    const findings = await findIdle(services, view, plan.candidates, now, problem);
    const doomed = [...plan.closed, ...findings.idle];
    const stopped = await stopDoomed(services, view.groups, doomed, mark, problem);
    const strays = await stopStrays(services, plan.strays, mark, problem);
    return { view, plan, findings, stopped, strays };
  } finally {
    services.queue.release(mark);
  }
}
