import { errorMessage } from '../../core/errors.js';
import { upsertComment } from '../../core/github/living-comment.js';
import { deregister } from '../../core/preview/launch-preview.js';
import { stopPreviewTasks } from '../../core/preview/stop-preview-tasks.js';
import { listPreviewTasks, type PreviewTask } from '../../core/preview/preview-tasks.js';
import { hostKey, type RouteOwner } from '../../core/preview/router.js';
import { labelFitsTemplate } from '../../core/preview/subdomain.js';
import type { BotServices } from '../bot-services.js';
import type { StopReason } from '../../core/report/preview-comment.js';
import { previewBody } from '../comment-bodies.js';
import type { QueueMark } from '../pr-queue.js';
import { deactivatePreviewDeployments } from '../preview-deployment.js';
import type { InstalledRepo } from './installed-repositories.js';
import { routeJudgement, type RouteJudgement } from './route-judgement.js';
import { removeClosedSleepers, sleepIdle } from './sweep-sleep.js';
import type { FleetView } from './sweep-read.js';
import type { Doomed, RoutingGroup } from './sweep-types.js';

const queueKey = (d: Pick<Doomed, 'full' | 'pr'>): string => `${d.full}#${d.pr}`;

/**
 * Stops doomed previews while holding their PRs' queues, so no event for them runs in between;
 * a PR that saw any work since the sweep began reading AWS (`mark`) is skipped, its state being
 * newer than what the sweep judged. Routes go in one unroute per routing (one DNS change batch per
 * zone), then each PR gets its comment and its Deployment goes inactive.
 */
export async function stopDoomed(
  services: BotServices,
  groups: readonly RoutingGroup[],
  doomed: readonly Doomed[],
  mark: QueueMark,
  problem: (text: string) => void,
): Promise<Doomed[]> {
  if (doomed.length === 0) return [];
  return services.queue.runAll(doomed.map(queueKey), mark, async (untouched) => {
    for (const skipped of doomed.filter((d) => !untouched.has(queueKey(d)))) {
      services.log.info(
        `sweep: ${queueKey(skipped)} changed during the sweep; left for the next one`,
      );
    }
    // Only a preview whose tasks all stopped loses its route and is reported stopped; one that
    // still runs would otherwise flip between "stopped" and "ready" from sweep to sweep.
    const now: Doomed[] = [];
    for (const preview of doomed.filter((d) => untouched.has(queueKey(d)))) {
      if (await stopTasks(services, preview, problem)) now.push(preview);
    }
    for (const group of groups) {
      const stoppedHere = now.filter((d) => group.repos.some((r) => r.full === d.full));
      // Wake on request: idle previews that may wake keep their rules, forwarded to the App.
      const mine = await sleepIdle(services, group, stoppedHere, problem);
      const hostnames = mine.flatMap((d) => d.hostnames);
      if (hostnames.length === 0) continue;
      // Each name goes only if its ownership record names the PR whose preview stopped.
      const owners = new Map(
        mine.flatMap((d) =>
          d.hostnames.map((h) => [hostKey(h), { repo: d.full, pr: d.pr }] as const),
        ),
      );
      try {
        await group.deps.router.unroute(hostnames, owners);
      } catch (error) {
        // The next sweep finds these routes without a task and removes them then.
        problem(`could not remove routes ${hostnames.join(', ')}: ${errorMessage(error)}`);
      }
    }
    for (const preview of now) await tellPullRequest(services, preview, problem);
    return now;
  });
}

async function stopTasks(
  services: BotServices,
  preview: Doomed,
  problem: (text: string) => void,
): Promise<boolean> {
  const stopped = await stopPreviewTasks(
    services,
    preview.cluster,
    preview.tasks,
    `ecs-paas: ${preview.stopped.kind === 'idle' ? 'idle' : preview.stopped.why}`,
  );
  const all = stopped.length === preview.tasks.length;
  if (!all) problem(`${queueKey(preview)}: a task did not stop; its route stays until it does`);
  if (!all) return false;
  await deregister(
    services,
    preview.tasks.map((t) => t.task.taskDefinitionArn ?? ''),
  );
  services.metrics.tornDown(preview.full, preview.reason);
  return true;
}

async function tellPullRequest(
  services: BotServices,
  preview: Doomed,
  problem: (text: string) => void,
): Promise<void> {
  await tellStopped(services, preview.owner, preview, preview.hostnames, preview.stopped, problem);
}

/** Marks the PR's Deployments inactive and turns its comment to "stopped", saying why. */
export async function tellStopped(
  services: BotServices,
  { api, repo }: InstalledRepo,
  preview: Pick<Doomed, 'full' | 'pr' | 'tasks'>,
  hostnames: readonly string[],
  stopped: StopReason,
  problem: (text: string) => void,
): Promise<void> {
  const sha = preview.tasks[0]?.sha ?? '';
  try {
    await deactivatePreviewDeployments(api, repo, preview.pr, services.log);
    await upsertComment(
      api,
      { owner: repo.owner, repo: repo.repo, issueNumber: preview.pr },
      previewBody({ kind: 'torn-down', stopped: preview.tasks.map((t) => t.arn), hostnames }, sha, {
        stopped,
      }),
    );
  } catch (error) {
    problem(`could not update the comment of ${queueKey(preview)}: ${errorMessage(error)}`);
  }
}

/**
 * Routes no task holds, in every routing read this sweep. Only called when every cluster was
 * listed: a cluster that could not be would make its previews' routes look orphaned. Which routes
 * may be judged at all follows from what could not be read (see route-judgement.ts). A plain
 * record must also fit a label template of a repository using the domain, so records people keep
 * in the same zone (`www`, `grafana`) are never touched. Candidates are checked against a fresh
 * task listing first: a `/deploy` that launched after the sweep read the fleet reuses the name.
 */
export async function removeOrphanRoutes(
  services: BotServices,
  view: FleetView,
  goneHosts: Iterable<string>,
  problem: (text: string) => void,
): Promise<number> {
  const { groups, fleet } = view;
  const sleepers = await removeClosedSleepers(services, view, problem);
  const judge = routeJudgement(view, services.policy);
  const gone = new Set([...goneHosts].map(hostKey));
  const labels = (tasks: Iterable<readonly PreviewTask[]>): Set<string> =>
    new Set([...tasks].flatMap((list) => list.map((t) => t.label)).filter(Boolean));
  const found = groups.map((group) => ({
    group,
    orphans: orphansOf(group, labels(fleet.values()), gone, judge),
  }));
  if (found.every((f) => f.orphans.length === 0)) return sleepers;
  let live: Set<string>;
  try {
    const now = await Promise.all(
      [...fleet.keys()].map((cluster) => listPreviewTasks(services.aws.ecs, cluster)),
    );
    live = labels(now);
  } catch (error) {
    problem(`routes without a task were left alone: ${errorMessage(error)}`);
    return sleepers;
  }
  let removed = sleepers;
  for (const { group, orphans } of found) {
    const gone = orphans.filter((o) => !live.has(o.label));
    const names = gone.map((o) => o.hostname);
    if (names.length === 0) continue;
    // An owned name goes as its owner's (whose task is gone); a plain one as judged by its label.
    const owners = new Map(
      gone.flatMap((o) => (o.owner ? [[hostKey(o.hostname), o.owner] as const] : [])),
    );
    try {
      await group.deps.router.unroute(names, owners);
      removed += names.length;
      services.log.info(`sweep: removed routes without a task: ${names.join(', ')}`);
      // Which repository an orphan belonged to is unknown once its task is gone.
      services.metrics.tornDown(
        group.repos.length === 1 ? (group.repos[0]?.full ?? '') : '(unknown)',
        'orphan',
        names.length,
      );
    } catch (error) {
      problem(
        `could not remove routes without a task (${names.join(', ')}): ${errorMessage(error)}`,
      );
    }
  }
  return removed;
}

function orphansOf(
  group: RoutingGroup,
  live: ReadonlySet<string>,
  gone: ReadonlySet<string>,
  judge: RouteJudgement,
): Array<{ hostname: string; label: string; owner?: RouteOwner }> {
  const routing = group.repos[0]?.config.routing;
  const domain = hostKey(routing?.domain ?? '');
  const zoneComplete = routing !== undefined && judge.zoneComplete(routing.hostedZoneId);
  const templates = group.repos.map((r) => r.config.routing.subdomain);
  return [...(group.routed?.values() ?? [])].flatMap((host) => {
    const name = hostKey(host.hostname);
    const label = name.slice(0, name.length - domain.length - 1);
    // A sleeping preview has no task by design; removeClosedSleepers judges it by its PR.
    if (live.has(label) || gone.has(name) || host.asleep) return [];
    if (host.owner) {
      return judge.ownerRead(host.owner)
        ? [{ hostname: host.hostname, label, owner: host.owner }]
        : [];
    }
    const ours = host.owned || templates.some((t) => labelFitsTemplate(t, label));
    return ours && zoneComplete ? [{ hostname: host.hostname, label }] : [];
  });
}
