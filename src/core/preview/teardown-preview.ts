import { errorMessage } from '../errors.js';
import { createRouter } from './create-router.js';
import { deregister } from './launch-preview.js';
import { previewHost } from './preview-host.js';
import { hostKey, type PreviewRouter, type RouteOwner } from './router.js';
import { listPreviewTasks, type PreviewTask } from './preview-tasks.js';
import type { RoutingSettings } from './routing-types.js';
import { stopPreviewTasks } from './stop-preview-tasks.js';
import { routingKey } from './tagged-routing.js';
import type {
  PreviewDeps,
  PreviewResult,
  PreviewSettings,
  PullRequestRef,
} from './preview-types.js';

/** Where else to look for a PR's previews, and how to reach the routes their tags name. */
export interface TeardownScope {
  /**
   * Clusters a preview of this PR may run in besides the config's: every cluster the operator's
   * policy grants (or the account's, for an open install). The config may have moved, or be gone.
   */
  readonly clusters?: readonly string[];
  /** The router for a routing read from a task's tags; one is made on the deps' clients otherwise. */
  readonly routerFor?: (routing: RoutingSettings) => Promise<PreviewRouter>;
}

/**
 * Removes everything a PR's preview holds: its tasks, its route (record, rule, target group) and
 * its preview revisions. The tasks are found by their tags in every cluster of the scope and the
 * config's, and each route is removed where its task's tags say it lives, so a preview outlives
 * no config change: a deleted, broken or moved config still tears down what the old one made.
 * `settings` is the config as it is now, or undefined when there is none. With nothing left it
 * succeeds and changes nothing.
 */
export async function teardownPreview(
  deps: Pick<PreviewDeps, 'aws' | 'log'> & { readonly router?: PreviewRouter },
  settings: PreviewSettings | undefined,
  pr: Pick<PullRequestRef, 'repo' | 'number' | 'branch'>,
  why: string,
  scope: TeardownScope = {},
): Promise<PreviewResult> {
  const configured = settings?.cluster;
  const fleet = configured ? await listPreviewTasks(deps.aws.ecs, configured) : [];
  const mine = fleet.filter((t) => isOf(t, pr));
  for (const cluster of new Set(scope.clusters ?? [])) {
    if (cluster === configured) continue;
    try {
      mine.push(...(await listPreviewTasks(deps.aws.ecs, cluster)).filter((t) => isOf(t, pr)));
    } catch (error) {
      // Another cluster may be out of this identity's reach; the sweep looks there again.
      deps.log.warning(`PR #${pr.number}: ${errorMessage(error)}`);
    }
  }
  const stopped: string[] = [];
  for (const cluster of new Set(mine.map((t) => t.cluster))) {
    const here = mine.filter((t) => t.cluster === cluster);
    stopped.push(...(await stopPreviewTasks(deps, cluster, here, `ecs-paas: ${why}`)));
  }
  // Revisions first: once the tasks are stopped nothing else would ever find them again.
  await deregister(
    deps,
    mine.map((t) => t.task.taskDefinitionArn ?? ''),
  );

  const routes = new Map<string, { routing: RoutingSettings; hostnames: Set<string> }>();
  const add = (routing: RoutingSettings, hostname: string): void => {
    const key = routingKey(routing);
    const entry = routes.get(key) ?? { routing, hostnames: new Set<string>() };
    entry.hostnames.add(hostKey(hostname));
    routes.set(key, entry);
  };
  if (settings) {
    // The computed name covers a record whose task is already gone (a crash mid-teardown).
    const computed = previewHost(
      settings.routing,
      { ...pr, sha: '', author: '', fork: false },
      fleet,
    );
    add(settings.routing, computed.hostname);
  }
  for (const task of mine) {
    const routing = task.routing ?? settings?.routing;
    if (task.label && routing) add(routing, `${task.label}.${routing.domain}`);
  }
  // Only names this PR owns go: another repository's preview may hold the same name.
  const owner: RouteOwner = { repo: pr.repo, pr: pr.number };
  const hostnames: string[] = [];
  for (const { routing, hostnames: names } of routes.values()) {
    const router =
      settings && deps.router && routingKey(routing) === routingKey(settings.routing)
        ? deps.router
        : await (scope.routerFor ?? ((r) => createRouter(deps.aws, r)))(routing);
    const list = [...names];
    await router.unroute(list, new Map(list.map((h) => [h, owner])));
    hostnames.push(...list);
  }
  if (stopped.length > 0) deps.log.info(`PR #${pr.number}: preview torn down (${why})`);
  return { kind: 'torn-down', stopped, hostnames: stopped.length > 0 ? hostnames : [] };
}

/** Tags name the repository as GitHub spelled it at launch; GitHub names are case-insensitive. */
function isOf(task: PreviewTask, pr: Pick<PullRequestRef, 'repo' | 'number'>): boolean {
  return task.pr === pr.number && task.repo.toLowerCase() === pr.repo.toLowerCase();
}
