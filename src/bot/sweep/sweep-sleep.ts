import { errorMessage } from '../../core/errors.js';
import { sleepRoutes } from '../../core/preview/alb-wake-rules.js';
import { hostKey, type RouteOwner } from '../../core/preview/router.js';
import { routingKey } from '../../core/preview/tagged-routing.js';
import type { BotServices } from '../bot-services.js';
import { getPull, type PullRequestData } from '../github-api.js';
import { listOpenPulls } from './open-pulls.js';
import type { FleetView } from './sweep-read.js';
import type { Doomed, RoutingGroup } from './sweep-types.js';

/**
 * Wake on request: of the previews the sweep just stopped, the idle ones whose config has
 * `wake-on-request` keep their rules, forwarded to the App, instead of losing their routes.
 * Returns the previews whose routes are removed as usual: closed PRs, forks (a visitor must never
 * get fork code run), configs without the key, and any whose rules could not be changed.
 */
export async function sleepIdle(
  services: BotServices,
  group: RoutingGroup,
  stopped: readonly Doomed[],
  problem: (text: string) => void,
): Promise<Doomed[]> {
  const wakeArn = services.wakeTargetGroupArn;
  const routing = group.repos[0]?.config.routing;
  if (!wakeArn || routing?.mode !== 'alb') return [...stopped];
  const rest: Doomed[] = [];
  const sleepers: Doomed[] = [];
  for (const preview of stopped) {
    if (await maySleep(preview, routingKey(routing), problem)) sleepers.push(preview);
    else rest.push(preview);
  }
  if (sleepers.length === 0) return rest;
  const hosts = sleepers.flatMap((d) =>
    d.hostnames.map((hostname) => ({ hostname, owner: { repo: d.full, pr: d.pr } })),
  );
  let failed: ReadonlySet<string>;
  try {
    const outcome = await sleepRoutes(
      await group.deps.aws.elbv2(),
      routing.listenerArn,
      hosts,
      wakeArn,
      services.now(),
    );
    for (const { hostname, reason } of outcome.failed) {
      problem(`could not put ${hostname} to sleep (${reason}); its route is removed instead`);
    }
    failed = new Set(outcome.failed.map((f) => f.hostname));
  } catch (error) {
    problem(`could not put previews to sleep: ${errorMessage(error)}`);
    failed = new Set(hosts.map((h) => hostKey(h.hostname)));
  }
  for (const preview of sleepers) {
    if (preview.hostnames.some((h) => failed.has(hostKey(h)))) rest.push(preview);
    else services.log.info(`sweep: ${preview.full}#${preview.pr} asleep; a visit wakes it`);
  }
  return rest;
}

async function maySleep(
  preview: Doomed,
  configured: string,
  problem: (text: string) => void,
): Promise<boolean> {
  const { config } = preview.owner;
  if (preview.reason !== 'idle' || !config.wakeOnRequest || preview.hostnames.length === 0) {
    return false;
  }
  // A task launched under another listener (the config moved since): its route goes as before.
  if (preview.tasks.some((t) => t.routing && routingKey(t.routing) !== configured)) return false;
  let pull: PullRequestData;
  try {
    pull = await getPull(preview.owner.api, preview.owner.repo, preview.pr);
  } catch (error) {
    problem(
      `${preview.full}#${preview.pr}: could not read the PR, so it sleeps not: ${errorMessage(error)}`,
    );
    return false;
  }
  return pull.state === 'open' && (pull.head.repo?.full_name ?? '') === preview.full;
}

/**
 * Sleeping routes (no task by design) of PRs that closed while the App was away, or of
 * repositories the App left: removed, as their owner's, like any other route of a closed PR.
 * Only owners the sweep read are judged; one open-PR listing per repository with sleepers.
 */
export async function removeClosedSleepers(
  services: BotServices,
  view: FleetView,
  problem: (text: string) => void,
): Promise<number> {
  let removed = 0;
  for (const group of view.groups) {
    const sleeping = [...(group.routed?.values() ?? [])].filter((h) => h.asleep && h.owner);
    if (sleeping.length === 0) continue;
    const gone: Array<{ hostname: string; owner: RouteOwner }> = [];
    const open = new Map<string, Promise<ReadonlySet<number> | undefined>>();
    for (const host of sleeping) {
      const owner = host.owner as RouteOwner;
      const key = owner.repo.toLowerCase();
      if (view.unreadable.repos.has(key)) continue;
      const installed = view.installedRepos.get(key);
      if (!installed) {
        const account = key.split('/')[0] ?? '';
        if (!view.unreadable.owners.has(account) && !view.unreadable.owners.has('*')) {
          gone.push({ hostname: host.hostname, owner });
        }
        continue;
      }
      let list = open.get(key);
      if (!list) {
        list = listOpenPulls(installed.api, installed.repo).then(
          (pulls) => new Set(pulls.keys()),
          (error: unknown) => {
            problem(`could not list the open PRs of ${owner.repo}: ${errorMessage(error)}`);
            return undefined;
          },
        );
        open.set(key, list);
      }
      const numbers = await list;
      if (numbers?.has(owner.pr) !== false) continue;
      // Paging by number can skip a PR another closing moved: read it once more before it goes.
      try {
        const pull = await getPull(installed.api, installed.repo, owner.pr);
        if (pull.state === 'open') continue;
      } catch (error) {
        if ((error as { status?: number }).status !== 404) {
          problem(`could not read ${owner.repo}#${owner.pr}: ${errorMessage(error)}`);
          continue;
        }
      }
      gone.push({ hostname: host.hostname, owner });
    }
    if (gone.length === 0) continue;
    const names = gone.map((g) => g.hostname);
    try {
      await group.deps.router.unroute(
        names,
        new Map(gone.map((g) => [hostKey(g.hostname), g.owner])),
      );
      removed += names.length;
      services.log.info(`sweep: removed sleeping routes of closed PRs: ${names.join(', ')}`);
    } catch (error) {
      problem(`could not remove sleeping routes (${names.join(', ')}): ${errorMessage(error)}`);
    }
  }
  return removed;
}
