import { errorMessage } from '../../core/errors.js';
import { listPreviewTasks, type PreviewTask } from '../../core/preview/preview-tasks.js';
import { hostKey } from '../../core/preview/router.js';
import type { BotServices } from '../bot-services.js';
import { readRepoConfig } from '../config-reader.js';
import type { FleetSource } from './installed-repositories.js';
import type { RoutingGroup, SweptRepo } from './sweep-types.js';

/** What a sweep read: the repositories with previews, their routings, and each cluster's tasks. */
export interface FleetView {
  readonly installed: number;
  readonly swept: readonly SweptRepo[];
  readonly groups: readonly RoutingGroup[];
  readonly fleet: ReadonlyMap<string, readonly PreviewTask[]>;
  /** Every config, route and cluster could be read: only then may routes be judged orphans. */
  readonly complete: boolean;
}

/**
 * Reads the fleet: each installed repository's config, then each routing's routes, then each
 * cluster's tasks (one listing walk per cluster, whatever the number of repositories in it).
 * Routes come before tasks: a route seen here was made for a task the listing then sees, so a
 * preview launched mid-sweep is never taken for an orphan.
 */
export async function readFleet(
  services: BotServices,
  source: FleetSource,
  problem: (text: string) => void,
): Promise<FleetView> {
  const { repos: installed, unreadable } = await source();
  // Repositories the sweep cannot see may hold routes in the same zones: none can be an orphan.
  let complete = unreadable.length === 0;
  for (const why of unreadable) problem(why);
  const swept: SweptRepo[] = [];
  for (const repo of installed) {
    const full = `${repo.repo.owner}/${repo.repo.repo}`;
    try {
      const read = await readRepoConfig(repo.api, repo.repo, services.configCache);
      if (read.kind === 'invalid') {
        // Its cluster and routing are unknown: its previews and routes are left alone.
        complete = false;
        problem(`${full}: .github/ecs-paas.yml is not valid, its previews were left alone`);
      } else if (read.kind === 'ok' && read.config.preview) {
        const config = read.config.preview;
        swept.push({ ...repo, full, config, deps: await services.previewDeps(config) });
      }
    } catch (error) {
      complete = false;
      problem(`${full}: could not read .github/ecs-paas.yml: ${errorMessage(error)}`);
    }
  }

  const groups = groupByRouting(swept);
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
  return { installed: installed.length, swept, groups, fleet, complete };
}

/**
 * Repositories whose routes live in the same place (mode, zone, domain, listener): their routes
 * are read once and removed in one batch per zone. Port, label template and health check only
 * matter to route() and to the orphan check, which looks at every template of the group.
 */
function groupByRouting(repos: readonly SweptRepo[]): RoutingGroup[] {
  const groups = new Map<string, RoutingGroup>();
  for (const repo of repos) {
    const routing = repo.config.routing;
    const key = JSON.stringify([
      routing.mode,
      routing.hostedZoneId,
      routing.domain.toLowerCase(),
      routing.mode === 'alb' ? [routing.listenerArn, routing.vpcId] : [],
    ]);
    const group = groups.get(key);
    if (group) group.repos.push(repo);
    else groups.set(key, { repos: [repo], deps: repo.deps });
  }
  return [...groups.values()];
}

export function groupOf(groups: readonly RoutingGroup[], repo: SweptRepo): RoutingGroup {
  return groups.find((g) => g.repos.includes(repo)) ?? { repos: [repo], deps: repo.deps };
}
