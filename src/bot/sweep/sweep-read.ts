import { errorMessage } from '../../core/errors.js';
import { listPreviewTasks, type PreviewTask } from '../../core/preview/preview-tasks.js';
import { hostKey } from '../../core/preview/router.js';
import { routingKey } from '../../core/preview/tagged-routing.js';
import type { BotServices } from '../bot-services.js';
import { readRepoConfig, type ConfigCache } from '../config-reader.js';
import { previewClusters } from '../preview-clusters.js';
import type { DeployingRepo } from './interrupted-deploys.js';
import type { FleetSource, InstalledRepo } from './installed-repositories.js';
import type { RoutingGroup, SweptRepo } from './sweep-types.js';

/** The repositories a sweep judges, read from GitHub: installations and configs. */
export interface SweptRepos {
  readonly installed: number;
  readonly swept: readonly SweptRepo[];
  /** Every installed repository, by lower-case `owner/repo`, config or not. */
  readonly installedRepos: ReadonlyMap<string, InstalledRepo>;
  /** What could not be read: those repositories' previews and routes are left alone. */
  readonly unreadable: Unreadable;
  /** Repositories with `/deploy <env>` environments the App deploys itself. */
  readonly deploying: readonly DeployingRepo[];
}

/** Repositories (lower-case `owner/repo`) whose config could not be read, and accounts whose installation could not be. */
export interface Unreadable {
  readonly repos: ReadonlySet<string>;
  /** Lower-case logins; `*` when a source could not say whose installation it was. */
  readonly owners: ReadonlySet<string>;
}

/** What a sweep read: the repositories with previews, their routings, and each cluster's tasks. */
export interface FleetView extends SweptRepos {
  readonly groups: readonly RoutingGroup[];
  readonly fleet: ReadonlyMap<string, readonly PreviewTask[]>;
  /**
   * Every cluster previews may use was listed: only then may a route be judged to have no task.
   * Which routes may be judged also depends on whose they are (see unreadable).
   */
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
  const { repos: installed, unreadable: suspended, unreadableOwners = [] } = await source();
  for (const why of suspended) problem(why);
  const owners = new Set(unreadableOwners);
  if (suspended.length > unreadableOwners.length) owners.add('*');
  const unreadableRepos = new Set<string>();
  const swept: SweptRepo[] = [];
  const installedRepos = new Map<string, InstalledRepo>();
  const deploying: DeployingRepo[] = [];
  for (const repo of installed) {
    const full = `${repo.repo.owner}/${repo.repo.repo}`;
    installedRepos.set(full.toLowerCase(), repo);
    try {
      const read = await readRepoConfig(repo.api, repo.repo, services.configCache, services.policy);
      if (read.kind === 'invalid') {
        // Its routing is unknown: routes it may hold are left alone; its PRs still are judged.
        unreadableRepos.add(full.toLowerCase());
        problem(`${full}: .github/ecs-paas.yml is not valid, its routes were left alone`);
      } else if (read.kind === 'ok') {
        const environments = Object.entries(read.config.environments)
          .filter(([, e]) => e.kind === 'services')
          .map(([name]) => name);
        if (environments.length > 0) deploying.push({ ...repo, full, environments });
        const config = read.config.preview;
        if (config) swept.push({ ...repo, full, config, deps: await services.previewDeps(config) });
      }
    } catch (error) {
      unreadableRepos.add(full.toLowerCase());
      problem(`${full}: could not read .github/ecs-paas.yml: ${errorMessage(error)}`);
    }
  }
  forgetUninstalled(services.configCache, installed);
  services.keepRouters(swept.map((r) => r.config));
  return {
    installed: installed.length,
    swept,
    installedRepos,
    unreadable: { repos: unreadableRepos, owners },
    deploying,
  };
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
  let complete = true;
  const groups = groupByRouting(repos.swept);
  for (const group of groups) {
    try {
      const routed = await group.deps.router.routed();
      group.routed = new Map(routed.map((h) => [hostKey(h.hostname), h]));
    } catch (error) {
      problem(`could not read the routes of ${group.repos[0]?.full ?? ''}: ${errorMessage(error)}`);
    }
  }

  // Every cluster previews may use, not only those today's configs name: a config that was
  // deleted or moved, or a repository no longer installed, leaves its previews where they were.
  const clusters = new Set(repos.swept.map((r) => r.config.cluster));
  try {
    for (const cluster of await previewClusters(services.policy, services.aws.ecs)) {
      clusters.add(cluster);
    }
  } catch (error) {
    complete = false;
    problem(errorMessage(error));
  }
  const fleet = new Map<string, PreviewTask[]>();
  for (const cluster of clusters) {
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
    const key = routingKey(repo.config.routing);
    const group = groups.get(key);
    if (group) group.repos.push(repo);
    else groups.set(key, { repos: [repo], deps: repo.deps });
  }
  return [...groups.values()];
}

export function groupOf(groups: readonly RoutingGroup[], repo: SweptRepo): RoutingGroup {
  return groups.find((g) => g.repos.includes(repo)) ?? { repos: [repo], deps: repo.deps };
}
