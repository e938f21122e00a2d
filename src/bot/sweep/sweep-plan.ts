import { errorMessage } from '../../core/errors.js';
import type { PreviewTask } from '../../core/preview/preview-tasks.js';
import { hostKey, type RoutedHost } from '../../core/preview/router.js';
import { getPull } from '../github-api.js';
import { listOpenPulls, type OpenPull } from './open-pulls.js';
import { groupOf, type FleetView } from './sweep-read.js';
import type { InstalledRepo } from './installed-repositories.js';
import type {
  Doomed,
  FoundPreview,
  StrayPreview,
  SweptRepo,
  UnownedPreview,
} from './sweep-types.js';

/** A running preview whose PR is open and in order: only idleness may stop it. */
export interface Candidate {
  readonly preview: FoundPreview;
  readonly repo: SweptRepo;
  readonly pull: OpenPull;
}

export interface SweepPlan {
  readonly previews: number;
  /** Previews of PRs that are no longer open. */
  readonly closed: Doomed[];
  /** Drift the reconcile loop fixes (head moved, route missing, duplicate tasks, draft…) unless idle. */
  readonly reconcile: FoundPreview[];
  /** Every preview of an open PR, judged for idleness. */
  readonly candidates: Candidate[];
  /** Previews no config covers whose PR is closed or whose repository is gone: torn down from their tags. */
  readonly strays: StrayPreview[];
  /** Open PRs of swept repositories with no preview task at all: perhaps their `opened` was lost. */
  readonly unlaunched: Array<{ readonly repo: SweptRepo; readonly pull: OpenPull }>;
}

/**
 * Sorts every preview by what its PR wants, with the open PRs listed once per repository (a call
 * per hundred) rather than read one by one. A repository whose PRs cannot be listed is left alone
 * this time. Previews no config covers (deleted, invalid or moved config; an uninstalled
 * repository) are judged by their PR alone.
 */
export async function planSweep(
  view: FleetView,
  problem: (text: string) => void,
): Promise<SweepPlan> {
  const plan = {
    previews: 0,
    closed: [] as Doomed[],
    reconcile: [] as FoundPreview[],
    candidates: [] as Candidate[],
    strays: [] as StrayPreview[],
    unlaunched: [] as Array<{ repo: SweptRepo; pull: OpenPull }>,
  };
  const byRepo = new Map(view.swept.map((r) => [r.full, r]));
  const lists = new Map<string, Promise<Map<number, OpenPull>>>();
  const openPulls = async (repo: InstalledRepo, full: string) => {
    try {
      let list = lists.get(full);
      if (!list) lists.set(full, (list = listOpenPulls(repo.api, repo.repo)));
      return await list;
    } catch (error) {
      problem(`could not list the open PRs of ${full}: ${errorMessage(error)}`);
      return undefined;
    }
  };
  for (const [cluster, tasks] of view.fleet) {
    for (const found of groupByPullRequest(tasks, cluster)) {
      plan.previews++;
      const repo = byRepo.get(found.full);
      if (repo?.config.cluster !== cluster) {
        const stray = await judgeStray(view, found, openPulls, problem);
        if (stray) plan.strays.push(stray);
        continue;
      }
      const pulls = await openPulls(repo, repo.full);
      if (!pulls) continue;
      const pull = pulls.get(found.pr) ?? (await closedOrNot(repo, repo.full, found.pr, problem));
      const hostname = hostnameOf(repo, found.tasks);
      if (pull === 'unknown') continue;
      const preview = { ...found, owner: repo };
      if (!pull) {
        plan.closed.push({
          ...preview,
          reason: 'closed',
          stopped: { kind: 'closed', why: 'the pull request was closed' },
          hostnames: hostname ? [hostname] : [],
        });
        continue;
      }
      // Drifted previews are judged for idleness too: a head whose image never builds would
      // otherwise keep its old task forever, reconciled into "waiting" at every sweep.
      plan.candidates.push({ preview, repo, pull });
      if (needsReconcile(preview, pull, hostname, groupOf(view.groups, repo).routed)) {
        plan.reconcile.push(preview);
      }
    }
  }
  // Every swept repository's open PRs (one list call per hundred): a PR that wants a preview and
  // has no task anywhere may never have been seen by the App.
  for (const repo of view.swept) {
    const tasks = view.fleet.get(repo.config.cluster) ?? [];
    const launched = new Set(tasks.filter((t) => t.repo === repo.full).map((t) => t.pr));
    // A list that failed for this repository's previews was reported already.
    const pulls = lists.has(repo.full)
      ? await lists.get(repo.full)?.catch(() => undefined)
      : await openPulls(repo, repo.full);
    for (const pull of pulls?.values() ?? []) {
      if (launched.has(pull.number) || pull.draft) continue;
      if (pull.labels?.some((l) => l.name === 'no-preview')) continue;
      plan.unlaunched.push({ repo, pull });
    }
  }
  return plan;
}

type Pulls = (repo: InstalledRepo, full: string) => Promise<Map<number, OpenPull> | undefined>;

/**
 * A preview outside every config: torn down when its PR is closed, or when the App is no longer
 * installed on its repository (no one could close it through the App any more). One of an
 * installation the App cannot read (suspended) is left alone: its PR may well be open.
 */
async function judgeStray(
  view: FleetView,
  found: UnownedPreview,
  openPulls: Pulls,
  problem: (text: string) => void,
): Promise<StrayPreview | undefined> {
  const installed = view.installedRepos.get(found.full.toLowerCase());
  if (!installed) {
    const account = found.full.split('/')[0]?.toLowerCase() ?? '';
    if (view.unreadable.owners.has(account) || view.unreadable.owners.has('*')) return undefined;
    return { ...found, why: 'the App is no longer installed on the repository' };
  }
  const pulls = await openPulls(installed, found.full);
  if (!pulls) return undefined;
  const pull = pulls.get(found.pr) ?? (await closedOrNot(installed, found.full, found.pr, problem));
  if (pull !== undefined) return undefined;
  return { ...found, installed, why: 'the pull request was closed' };
}

/**
 * A PR missing from the open list is read once more before its preview goes: paging by number can
 * skip an open PR when another closes between two pages.
 */
async function closedOrNot(
  repo: InstalledRepo,
  full: string,
  number: number,
  problem: (text: string) => void,
): Promise<OpenPull | undefined | 'unknown'> {
  try {
    const pull = (await getPull(repo.api, repo.repo, number)) as OpenPull;
    return pull.state === 'open' ? pull : undefined;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    problem(`could not read ${full}#${number}: ${errorMessage(error)}`);
    return 'unknown';
  }
}

/** A cluster's tasks as one preview per PR; which config (if any) covers it is judged after. */
function groupByPullRequest(tasks: readonly PreviewTask[], cluster: string): UnownedPreview[] {
  const previews = new Map<string, UnownedPreview>();
  for (const task of tasks) {
    const key = `${task.repo}#${task.pr}`;
    const found = previews.get(key);
    previews.set(key, {
      full: task.repo,
      pr: task.pr,
      cluster,
      tasks: [...(found?.tasks ?? []), task],
    });
  }
  return [...previews.values()];
}

export function hostnameOf(repo: SweptRepo, tasks: readonly PreviewTask[]): string | undefined {
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
