import { errorMessage } from '../../core/errors.js';
import { idleVerdict, type RequestSignal } from '../../core/preview/idle.js';
import { listPreviewTasks, type PreviewTask } from '../../core/preview/preview-tasks.js';
import { readLastRequests, type MetricRef } from '../../core/preview/request-metrics.js';
import { hostKey, type RoutedHost } from '../../core/preview/router.js';
import type { BotServices } from '../bot-services.js';
import { readRepoConfig } from '../config-reader.js';
import { reconcilePullRequest } from '../reconcile-pull-request.js';
import type { FleetSource, InstalledRepo } from './installed-repositories.js';
import { listOpenPulls, type OpenPull } from './open-pulls.js';
import { removeOrphanRoutes, stopDoomed } from './sweep-teardown.js';
import type { Doomed, FoundPreview, RoutingGroup, SweepReport, SweptRepo } from './sweep-types.js';

/**
 * One pass over the whole fleet, from AWS and GitHub alone: previews idle for `idle-after`, of PRs
 * closed while the App was away, of repositories that turned previews off, routes without a task
 * and tasks without a route all converge. Reads are batched (one task listing per cluster, one
 * GetMetricData per 500 previews, open PRs listed per repository, one DNS change per zone), and a
 * read that fails stops nothing it would have been needed to judge.
 */
export async function sweepFleet(
  services: BotServices,
  source: FleetSource,
  trigger: string,
): Promise<SweepReport> {
  const started = Date.now();
  const now = services.now();
  // Work that starts for a PR after this point may change it: the sweep then leaves it alone.
  const mark = services.queue.mark();
  const problems: string[] = [];
  const problem = (text: string): void => {
    problems.push(text);
    services.log.warning(`sweep: ${text}`);
  };

  // One listing per repository per sweep, however many of its previews are looked at.
  const pullCache = new Map<string, Promise<Map<number, OpenPull>>>();
  const installed = await source();
  const { swept, off, complete: configsComplete } = await readConfigs(services, installed, problem);
  const groups = groupByRouting(swept);
  let complete = configsComplete;
  // Routes are read before tasks: a route seen here was made for a task that the listing below
  // then sees, so a preview launched mid-sweep is never taken for an orphan.
  for (const group of groups) {
    try {
      const routed = await group.deps.router.routed();
      group.routed = new Map(routed.map((h) => [hostKey(h.hostname), h]));
    } catch (error) {
      complete = false;
      problem(`could not read the routes of ${group.repos[0]?.full ?? ''}: ${errorMessage(error)}`);
    }
  }
  const fleet = new Map<string, PreviewTask[]>();
  for (const cluster of new Set(swept.map((r) => r.config.cluster))) {
    try {
      fleet.set(cluster, await listPreviewTasks(services.aws.ecs, cluster));
    } catch (error) {
      complete = false;
      problem(errorMessage(error));
    }
  }

  const doomed: Doomed[] = [];
  const reconcile: FoundPreview[] = [];
  const candidates: Array<{ preview: FoundPreview; repo: SweptRepo; pull: OpenPull }> = [];
  const byRepo = new Map<string, SweptRepo>(swept.map((r) => [r.full, r]));
  const offByRepo = new Map<string, InstalledRepo>(off.map((r) => [fullName(r), r]));
  let previews = 0;
  for (const [cluster, tasks] of fleet) {
    for (const found of groupByPullRequest(tasks, cluster, byRepo, offByRepo)) {
      previews++;
      const repo = byRepo.get(found.full);
      if (!repo || repo.config.cluster !== cluster) {
        doomed.push({
          ...found,
          reason: 'orphan',
          stopped: { kind: 'closed', why: 'previews are turned off in .github/ecs-paas.yml' },
          hostnames: [],
        });
        continue;
      }
      let pulls: Map<number, OpenPull>;
      try {
        pulls = await openPulls(repo);
      } catch (error) {
        problem(`could not list the open PRs of ${repo.full}: ${errorMessage(error)}`);
        continue;
      }
      const pull = pulls.get(found.pr);
      const hostname = hostnameOf(repo, found.tasks);
      if (!pull) {
        doomed.push({
          ...found,
          reason: 'closed',
          stopped: { kind: 'closed', why: 'the pull request was closed' },
          hostnames: hostname ? [hostname] : [],
        });
      } else if (needsReconcile(found, pull, hostname, groupOf(groups, repo).routed)) {
        reconcile.push(found);
      } else {
        candidates.push({ preview: found, repo, pull });
      }
    }
  }

  const { idle, kept, unknown } = await findIdle(services, groups, candidates, now, problem);
  doomed.push(...idle);
  const stopped = await stopDoomed(services, groups, doomed, mark, problem);
  const orphanRoutes = complete
    ? await removeOrphanRoutes(services, groups, fleet, stopped, problem)
    : 0;
  if (!complete)
    problem('routes without a task were left alone: part of the fleet could not be read');

  for (const found of reconcile) {
    try {
      await reconcilePullRequest(found.owner.api, services, found.owner.repo, found.pr, {});
    } catch (error) {
      problem(`could not reconcile ${found.full}#${found.pr}: ${errorMessage(error)}`);
    }
  }

  const active = new Map<string, number>(swept.map((r) => [r.full, 0]));
  const gone = new Set(stopped.map((d) => `${d.full}#${d.pr}`));
  for (const tasks of fleet.values()) {
    const prs = new Set(
      tasks
        .filter((t) => active.has(t.repo) && !gone.has(`${t.repo}#${t.pr}`))
        .map((t) => `${t.repo}#${t.pr}`),
    );
    for (const key of prs) {
      const repo = key.slice(0, key.lastIndexOf('#'));
      active.set(repo, (active.get(repo) ?? 0) + 1);
    }
  }
  services.metrics.activePreviews(active);

  const count = (reason: Doomed['reason']): number =>
    stopped.filter((d) => d.reason === reason).length;
  return {
    trigger,
    startedAt: new Date(started).toISOString(),
    seconds: (Date.now() - started) / 1_000,
    repositories: installed.length,
    previews,
    stopped: { idle: count('idle'), closed: count('closed'), orphan: count('orphan'), command: 0 },
    orphanRoutes,
    reconciled: reconcile.length,
    kept,
    unknownActivity: unknown,
    problems,
  };

  function openPulls(repo: SweptRepo): Promise<Map<number, OpenPull>> {
    let list = pullCache.get(repo.full);
    if (!list) {
      list = listOpenPulls(repo.api, repo.repo);
      pullCache.set(repo.full, list);
    }
    return list;
  }
}

function fullName(installed: InstalledRepo): string {
  return `${installed.repo.owner}/${installed.repo.repo}`;
}

/** Reads every repository's config; `complete` is false when one could not be read or is invalid. */
async function readConfigs(
  services: BotServices,
  installed: readonly InstalledRepo[],
  problem: (text: string) => void,
): Promise<{ swept: SweptRepo[]; off: InstalledRepo[]; complete: boolean }> {
  const swept: SweptRepo[] = [];
  const off: InstalledRepo[] = [];
  let complete = true;
  for (const repo of installed) {
    const full = fullName(repo);
    try {
      const read = await readRepoConfig(repo.api, repo.repo);
      if (read.kind === 'invalid') {
        // Its cluster and routing are unknown: its previews and routes are left alone.
        complete = false;
        problem(`${full}: .github/ecs-paas.yml is not valid, its previews were left alone`);
      } else if (read.kind === 'missing' || !read.config.preview) {
        off.push(repo);
      } else {
        const config = read.config.preview;
        swept.push({ ...repo, full, config, deps: await services.previewDeps(config) });
      }
    } catch (error) {
      complete = false;
      problem(`${full}: could not read .github/ecs-paas.yml: ${errorMessage(error)}`);
    }
  }
  return { swept, off, complete };
}

function groupByRouting(repos: readonly SweptRepo[]): RoutingGroup[] {
  const groups = new Map<string, RoutingGroup>();
  for (const repo of repos) {
    const key = JSON.stringify(repo.config.routing);
    const group = groups.get(key);
    if (group) group.repos.push(repo);
    else groups.set(key, { repos: [repo], deps: repo.deps });
  }
  return [...groups.values()];
}

function groupOf(groups: readonly RoutingGroup[], repo: SweptRepo): RoutingGroup {
  return groups.find((g) => g.repos.includes(repo)) ?? { repos: [repo], deps: repo.deps };
}

/** A cluster's tasks as one preview per PR, for repositories this App is installed on only. */
function groupByPullRequest(
  tasks: readonly PreviewTask[],
  cluster: string,
  swept: ReadonlyMap<string, SweptRepo>,
  off: ReadonlyMap<string, InstalledRepo>,
): FoundPreview[] {
  const previews = new Map<string, FoundPreview>();
  for (const task of tasks) {
    // Another App (another organisation) may share the cluster: its tasks are not ours to judge.
    const owner = swept.get(task.repo) ?? off.get(task.repo);
    if (!owner) continue;
    const key = `${task.repo}#${task.pr}`;
    const found = previews.get(key);
    previews.set(key, {
      owner,
      full: task.repo,
      pr: task.pr,
      cluster,
      tasks: [...(found?.tasks ?? []), task],
    });
  }
  return [...previews.values()];
}

function hostnameOf(repo: SweptRepo, tasks: readonly PreviewTask[]): string | undefined {
  const label = tasks.find((t) => t.label)?.label;
  return label ? hostKey(`${label}.${repo.config.routing.domain}`) : undefined;
}

/** Drift the reconcile loop knows how to fix: it relaunches, reroutes or stops as the PR wants. */
function needsReconcile(
  found: FoundPreview,
  pull: OpenPull,
  hostname: string | undefined,
  routed: ReadonlyMap<string, RoutedHost> | undefined,
): boolean {
  const [task] = found.tasks;
  return (
    found.tasks.length > 1 ||
    task?.status !== 'RUNNING' ||
    task.sha !== pull.head.sha ||
    Boolean(pull.draft) ||
    Boolean(pull.labels?.some((l) => l.name === 'no-preview')) ||
    (routed !== undefined && (!hostname || !routed.has(hostname)))
  );
}

/** Reads request counts in batches and judges each candidate; see idleVerdict for the rule. */
async function findIdle(
  services: BotServices,
  groups: readonly RoutingGroup[],
  candidates: ReadonlyArray<{ preview: FoundPreview; repo: SweptRepo; pull: OpenPull }>,
  now: Date,
  problem: (text: string) => void,
): Promise<{ idle: Doomed[]; kept: number; unknown: number }> {
  const metrics = new Map<string, MetricRef>();
  const windowMs = Math.max(0, ...candidates.map((c) => c.repo.config.idleAfterMs ?? 0));
  const unreadable = new Set<string>();
  for (const { preview, repo } of candidates) {
    if (repo.config.idleAfterMs === null) continue;
    const metric = requestMetric(repo, preview, groupOf(groups, repo));
    if (metric === 'unreadable') unreadable.add(keyOf(preview));
    else if (metric) metrics.set(keyOf(preview), metric);
  }
  let signals = new Map<string, RequestSignal>();
  if (metrics.size > 0) {
    try {
      signals = await readLastRequests(await services.aws.cloudwatch(), metrics, {
        now,
        ms: windowMs,
      });
    } catch (error) {
      const failed: RequestSignal = { kind: 'failed', reason: errorMessage(error) };
      signals = new Map([...metrics.keys()].map((k) => [k, failed]));
    }
  }
  const idle: Doomed[] = [];
  let kept = 0;
  let unknown = 0;
  for (const { preview, repo, pull } of candidates) {
    const task = preview.tasks[0];
    if (!task) continue;
    const requests: RequestSignal = unreadable.has(keyOf(preview))
      ? { kind: 'failed', reason: 'the load balancer routes could not be read' }
      : metrics.has(keyOf(preview))
        ? (signals.get(keyOf(preview)) ?? { kind: 'failed', reason: 'no answer' })
        : { kind: 'none' };
    const updated = pull.updated_at ? new Date(pull.updated_at) : undefined;
    const launchedAt = task.launchedAt ?? task.startedAt ?? task.createdAt;
    const verdict = idleVerdict({
      now,
      idleAfterMs: repo.config.idleAfterMs,
      ...(launchedAt && { launchedAt }),
      ...(task.lastActivity && { lastActivity: task.lastActivity }),
      ...(updated && { pullUpdatedAt: updated }),
      ...(task.keepUntil && { keepUntil: task.keepUntil }),
      requests,
    });
    if (verdict.idle) {
      const hostname = hostnameOf(repo, preview.tasks);
      idle.push({
        ...preview,
        reason: 'idle',
        stopped: { kind: 'idle', since: verdict.since, idleAfterMs: repo.config.idleAfterMs ?? 0 },
        hostnames: hostname ? [hostname] : [],
      });
    } else if (verdict.why === 'kept') {
      kept++;
    } else if (verdict.why === 'unknown') {
      unknown++;
      problem(
        `${preview.full}#${preview.pr}: request count unreadable (${verdict.reason}); not stopped, tried again next sweep`,
      );
    }
  }
  return { idle, kept, unknown };
}

function keyOf(preview: FoundPreview): string {
  return `${preview.full}#${preview.pr}`;
}

/** ALB previews are counted by their target group; dns ones only through `activity-metric`. */
function requestMetric(
  repo: SweptRepo,
  preview: FoundPreview,
  group: RoutingGroup,
): MetricRef | 'unreadable' | undefined {
  const hostname = hostnameOf(repo, preview.tasks);
  if (repo.config.routing.mode === 'alb') {
    // Without its target group an ALB preview's traffic is unknown, not absent.
    const metric = hostname ? group.routed?.get(hostname)?.requestMetric : undefined;
    return metric ?? 'unreadable';
  }
  const custom = repo.config.activityMetric;
  const label = preview.tasks.find((t) => t.label)?.label;
  return custom && label
    ? {
        namespace: custom.namespace,
        name: custom.name,
        dimensions: [{ name: custom.dimension, value: label }],
      }
    : undefined;
}
