import { errorMessage } from '../../core/errors.js';
import { healthOf } from '../../core/preview/health-tags.js';
import type { RequestSignal } from '../../core/preview/idle.js';
import type { PreviewTask } from '../../core/preview/preview-tasks.js';
import { readLastRequests, type MetricRef } from '../../core/preview/request-metrics.js';
import { requestMetric } from '../sweep/find-idle.js';
import { groupOf, readFleet as readSweepFleet, readRepos } from '../sweep/sweep-read.js';
import type { SweptRepo } from '../sweep/sweep-types.js';
import type { FleetServices } from './fleet-services.js';
import type { FleetFilter, FleetListing, FleetPreview, PreviewState } from './fleet-types.js';
import { listStoppedPreviewTasks } from './stopped-tasks.js';

/** The request window of a repository that never idles: what "recent" means on a dashboard. */
const NO_IDLE_WINDOW_MS = 86_400_000;

/**
 * Every preview of the fleet, from AWS tags and GitHub alone, read as the sweep reads it: the
 * installations and configs (ETag-cached), each routing's routes once, one task listing walk per
 * cluster with DescribeTasks in hundreds with tags (plus one walk of the tasks ECS still keeps
 * stopped), and the request metrics in GetMetricData calls of 500. A preview whose repository has
 * no config (the Action's, or a config since removed) is listed too, without a request count.
 */
export async function readFleet(
  services: FleetServices,
  filter: FleetFilter = {},
): Promise<FleetListing> {
  const problems: string[] = [];
  const problem = (text: string) => problems.push(text);
  const repos = await readRepos(services.bot, services.installed, problem);
  const view = await readSweepFleet(services.bot, repos, problem);
  const wanted = (repo: string) => !filter.repo || repo.toLowerCase() === filter.repo.toLowerCase();

  const running = groupPreviews([...view.fleet.values()].flat().filter((t) => wanted(t.repo)));
  const stopped = new Map<string, PreviewTask[]>();
  const listed = !filter.state || filter.state === 'stopped' || filter.state === 'stopped-idle';
  let complete = view.complete;
  for (const cluster of listed ? view.fleet.keys() : []) {
    try {
      for (const [key, tasks] of groupPreviews(
        (await listStoppedPreviewTasks(services.bot.aws.ecs, cluster)).filter((t) =>
          wanted(t.repo),
        ),
      )) {
        // A PR with a running task is that task's: its older, stopped ones are history.
        if (!running.has(key)) stopped.set(key, newestStop(tasks));
      }
    } catch (error) {
      complete = false;
      problem(errorMessage(error));
    }
  }

  const owners = new Map(view.swept.map((r) => [`${r.full.toLowerCase()} ${r.config.cluster}`, r]));
  const ownerOf = (tasks: readonly PreviewTask[]) =>
    owners.get(`${tasks[0]?.repo.toLowerCase() ?? ''} ${tasks[0]?.cluster ?? ''}`);
  const requests = await readRequests(services, view, running, ownerOf, problem);

  const previews: FleetPreview[] = [];
  for (const [key, tasks] of running) {
    previews.push(describe(tasks, runningState(tasks), requests.get(key)));
  }
  for (const tasks of stopped.values()) {
    const reason = tasks[0]?.task.stoppedReason ?? '';
    previews.push(describe(tasks, reason === 'ecs-paas: idle' ? 'stopped-idle' : 'stopped'));
  }
  return {
    previews: previews
      .filter((p) => !filter.state || p.state === filter.state)
      .sort((a, b) => a.repository.localeCompare(b.repository) || a.pr - b.pr),
    complete,
    problems,
  };
}

/** Tasks by cluster, repository and PR (a replacement under way has two). */
function groupPreviews(tasks: readonly PreviewTask[]): Map<string, PreviewTask[]> {
  const groups = new Map<string, PreviewTask[]>();
  for (const task of tasks) {
    const key = `${task.cluster} ${task.repo.toLowerCase()}#${task.pr}`;
    groups.set(key, [...(groups.get(key) ?? []), task]);
  }
  for (const group of groups.values()) group.sort((a, b) => time(b) - time(a));
  return groups;
}

/** The tasks of the last stop: every task stopped within a minute of the newest one. */
function newestStop(tasks: readonly PreviewTask[]): PreviewTask[] {
  const stoppedAt = (t: PreviewTask) => t.task.stoppedAt?.getTime() ?? time(t);
  const last = Math.max(...tasks.map(stoppedAt));
  return tasks.filter((t) => last - stoppedAt(t) < 60_000);
}

function time(task: PreviewTask): number {
  return (task.launchedAt ?? task.startedAt ?? task.createdAt)?.getTime() ?? 0;
}

/** The newest task speaks: its health tag when the health check wrote one, else ECS's status. */
function runningState(tasks: readonly PreviewTask[]): PreviewState {
  const newest = tasks[0];
  const health = newest && healthOf(newest.task);
  if (health) return health;
  return newest?.status === 'RUNNING' ? 'ready' : 'starting';
}

/**
 * Request counts of the running previews whose repository's config gives them a metric, in one
 * GetMetricData batch per window (each repository counts over its own `idle-after`).
 */
async function readRequests(
  services: FleetServices,
  view: Awaited<ReturnType<typeof readSweepFleet>>,
  running: ReadonlyMap<string, PreviewTask[]>,
  ownerOf: (tasks: readonly PreviewTask[]) => SweptRepo | undefined,
  problem: (text: string) => void,
): Promise<Map<string, { signal: RequestSignal; windowMs: number }>> {
  const byWindow = new Map<number, Map<string, MetricRef>>();
  for (const [key, tasks] of running) {
    const repo = ownerOf(tasks);
    const first = tasks[0];
    if (!repo || !first) continue;
    const preview = { full: repo.full, pr: first.pr, tasks, cluster: first.cluster, owner: repo };
    const metric = requestMetric(repo, preview, groupOf(view.groups, repo));
    if (!metric || metric === 'unreadable') continue;
    const windowMs = repo.config.idleAfterMs ?? NO_IDLE_WINDOW_MS;
    const metrics = byWindow.get(windowMs) ?? new Map<string, MetricRef>();
    metrics.set(key, metric);
    byWindow.set(windowMs, metrics);
  }
  const result = new Map<string, { signal: RequestSignal; windowMs: number }>();
  if (byWindow.size === 0) return result;
  const now = services.bot.now();
  const cloudwatch = await services.bot.aws.cloudwatch();
  for (const [windowMs, metrics] of byWindow) {
    try {
      const signals = await readLastRequests(cloudwatch, metrics, { now, ms: windowMs });
      for (const [key, signal] of signals) result.set(key, { signal, windowMs });
    } catch (error) {
      problem(`could not read request counts: ${errorMessage(error)}`);
    }
  }
  return result;
}

function describe(
  tasks: readonly PreviewTask[],
  state: PreviewState,
  requests?: { signal: RequestSignal; windowMs: number },
): FleetPreview {
  const [newest] = tasks;
  if (!newest) throw new Error('a preview without tasks');
  const latest = (pick: (t: PreviewTask) => Date | undefined) => {
    const times = tasks.flatMap((t) => {
      const at = pick(t);
      return at ? [at.getTime()] : [];
    });
    return times.length > 0 ? new Date(Math.max(...times)).toISOString() : undefined;
  };
  const startedAt = newest.startedAt ?? newest.launchedAt ?? newest.createdAt;
  const lastActivity = latest((t) => t.lastActivity);
  const keepUntil = latest((t) => t.keepUntil);
  const stoppedAt = state.startsWith('stopped') ? latest((t) => t.task.stoppedAt) : undefined;
  const signal = requests?.signal;
  return {
    repository: newest.repo,
    pr: newest.pr,
    sha: newest.sha,
    ...(newest.url && { url: newest.url }),
    state,
    ...(startedAt && { startedAt: startedAt.toISOString() }),
    ...(lastActivity && { lastActivity }),
    ...(signal?.kind === 'read' && {
      requests: {
        count: signal.count ?? 0,
        ...(signal.lastRequestAt && { lastRequestAt: signal.lastRequestAt.toISOString() }),
        windowSeconds: Math.round((requests?.windowMs ?? 0) / 1000),
      },
    }),
    ...(keepUntil && { keepUntil }),
    ...(stoppedAt && { stoppedAt }),
    ...(state.startsWith('stopped') &&
      newest.task.stoppedReason && { stoppedReason: newest.task.stoppedReason }),
    taskArns: tasks.map((t) => t.arn),
    cluster: newest.cluster,
  };
}
