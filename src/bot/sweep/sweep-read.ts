import { errorMessage } from '../../core/errors.js';
import { listPreviewTasks, type PreviewTask } from '../../core/preview/preview-tasks.js';
import { hostKey } from '../../core/preview/router.js';
import type { BotServices } from '../bot-services.js';
import { readRepoConfig, type ConfigCache } from '../config-reader.js';
import type { FleetSource, InstalledRepo } from './installed-repositories.js';
import type { RoutingGroup, SweptRepo } from './sweep-types.js';

/** The repositories a sweep judges, read from GitHub: installations and configs. */
export interface SweptRepos {
  readonly installed: number;
  readonly swept: readonly SweptRepo[];
  /** Every installation and config could be read. */
  readonly complete: boolean;
}

/** What a sweep read: the repositories with previews, their routings, and each cluster's tasks. */
export interface FleetView extends SweptRepos {
  readonly groups: readonly RoutingGroup[];
  readonly fleet: ReadonlyMap<string, readonly PreviewTask[]>;
  /** Every config, route and cluster could be read: only then may routes be judged orphans. */
  readonly complete: boolean;
}

/**
 * Reads each installed repository's config. The config cache and the routers then forget
 * repositories and routings no longer installed or configured, so a long-running App holds only
 * what its fleet uses; a repository missed by a failed read only loses its ETag until next time.
 */
export async function readRepos(
  services: BotServices,
  source: FleetSource,
  problem: (text: string) => void,
): Promise<SweptRepos> {
  const { repos: installed, unreadable } = await source();
  // Repositories the sweep cannot see may hold routes in the same zones: none can be an orphan.
  let complete = unreadable.length === 0;
  for (const why of unreadable) problem(why);
  const swept: SweptRepo[] = [];
  for (const repo of installed) {
    const full = `${repo.repo.owner}/${repo.repo.repo}`;
    try {
      const read = await readRepoConfig(repo.api, repo.repo, services.configCache, services.policy);
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
  forgetUninstalled(services.configCache, installed);
  services.keepRouters(swept.map((r) => r.config));
  return { installed: installed.length, swept, complete };
}

/**
 * Reads the swept repositories' routes, then each cluster's tasks (one listing walk per cluster,
 * whatever the number of repositories in it). Routes come before tasks: a route seen here was made
 * for a task the listing then sees, so a preview launched mid-sweep is never taken for an orphan.
 */
export async function readFleet(
  services: BotServices,
  repos: SweptRepos,
  problem: (text: string) => void,
): Promise<FleetView> {
  let complete = repos.complete;
  const groups = groupByRouting(repos.swept);
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
  for (const cluster of new Set(repos.swept.map((r) => r.config.cluster))) {
    try {
      fleet.set(cluster, await listPreviewTasks(services.aws.ecs, cluster));
    } catch (error) {
      complete = false;
      problem(errorMessage(error));
    }
  }
  return { ...repos, groups, fleet, complete };
}

/** The cache is keyed by lower-case `owner/repo` (see readRepoConfig). */
function forgetUninstalled(cache: ConfigCache, installed: readonly InstalledRepo[]): void {
  const keep = new Set(installed.map((r) => `${r.repo.owner}/${r.repo.repo}`.toLowerCase()));
  for (const key of cache.keys()) if (!keep.has(key)) cache.delete(key);
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
