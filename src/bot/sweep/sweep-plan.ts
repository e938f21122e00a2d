import { errorMessage } from '../../core/errors.js';
import type { PreviewTask } from '../../core/preview/preview-tasks.js';
import { hostKey, type RoutedHost } from '../../core/preview/router.js';
import { getPull } from '../github-api.js';
import { listOpenPulls, type OpenPull } from './open-pulls.js';
import { groupOf, type FleetView } from './sweep-read.js';
import type { Doomed, FoundPreview, SweptRepo } from './sweep-types.js';

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
}

/**
 * Sorts every preview of a swept repository by what its PR wants, with the open PRs listed once
 * per repository (a call per hundred) rather than read one by one. A repository whose PRs cannot
 * be listed is left alone this time.
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
  };
  const byRepo = new Map(view.swept.map((r) => [r.full, r]));
  const lists = new Map<string, Promise<Map<number, OpenPull>>>();
  for (const [cluster, tasks] of view.fleet) {
    for (const found of groupByPullRequest(tasks, cluster, byRepo)) {
      plan.previews++;
      const repo = byRepo.get(found.full);
      if (!repo) continue;
      let pulls: Map<number, OpenPull>;
      try {
        let list = lists.get(repo.full);
        if (!list) lists.set(repo.full, (list = listOpenPulls(repo.api, repo.repo)));
        pulls = await list;
      } catch (error) {
        problem(`could not list the open PRs of ${repo.full}: ${errorMessage(error)}`);
        continue;
      }
      const pull = pulls.get(found.pr) ?? (await closedOrNot(repo, found.pr, problem));
      const hostname = hostnameOf(repo, found.tasks);
      if (pull === 'unknown') continue;
      if (!pull) {
        plan.closed.push({
          ...found,
          reason: 'closed',
          stopped: { kind: 'closed', why: 'the pull request was closed' },
          hostnames: hostname ? [hostname] : [],
        });
        continue;
      }
      // Drifted previews are judged for idleness too: a head whose image never builds would
      // otherwise keep its old task forever, reconciled into "waiting" at every sweep.
      plan.candidates.push({ preview: found, repo, pull });
      if (needsReconcile(found, pull, hostname, groupOf(view.groups, repo).routed)) {
        plan.reconcile.push(found);
      }
    }
  }
  return plan;
}

/**
 * A PR missing from the open list is read once more before its preview goes: paging by number can
 * skip an open PR when another closes between two pages.
 */
async function closedOrNot(
  repo: SweptRepo,
  number: number,
  problem: (text: string) => void,
): Promise<OpenPull | undefined | 'unknown'> {
  try {
    const pull = (await getPull(repo.api, repo.repo, number)) as OpenPull;
    return pull.state === 'open' ? pull : undefined;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    problem(`could not read ${repo.full}#${number}: ${errorMessage(error)}`);
    return 'unknown';
  }
}

/**
 * A cluster's tasks as one preview per PR, for repositories whose config puts previews in this
 * cluster. Tasks of other repositories (another App's organisation, previews the Action launched
 * without a config) are not the sweep's to judge.
 */
function groupByPullRequest(
  tasks: readonly PreviewTask[],
  cluster: string,
  swept: ReadonlyMap<string, SweptRepo>,
): FoundPreview[] {
  const previews = new Map<string, FoundPreview>();
  for (const task of tasks) {
    const owner = swept.get(task.repo);
    if (owner?.config.cluster !== cluster) continue;
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
