import { errorMessage } from '../../core/errors.js';
import { deregister } from '../../core/preview/launch-preview.js';
import { hostKey, type RouteOwner } from '../../core/preview/router.js';
import type { RoutingSettings } from '../../core/preview/routing-types.js';
import { stopPreviewTasks } from '../../core/preview/stop-preview-tasks.js';
import { routingKey } from '../../core/preview/tagged-routing.js';
import type { BotServices } from '../bot-services.js';
import type { QueueMark } from '../pr-queue.js';
import { tellStopped } from './sweep-teardown.js';
import type { StrayPreview } from './sweep-types.js';

const queueKey = (s: Pick<StrayPreview, 'full' | 'pr'>): string => `${s.full}#${s.pr}`;

/** A stray the sweep stopped, and the host names its tags gave it. */
export interface StoppedStray extends StrayPreview {
  readonly hostnames: readonly string[];
}

/**
 * Tears down previews no config covers from what their tags say: the tasks in the cluster they
 * run in, their revisions, and their routes where the tags put them (one unroute per routing, so
 * one DNS change per zone), each name only if its owner record or tags name that PR. Like the
 * rest of the sweep it holds the PRs' queues and skips a PR that saw work since `mark`. A PR of a
 * repository still installed gets its comment; one the App lost access to cannot.
 */
export async function stopStrays(
  services: BotServices,
  strays: readonly StrayPreview[],
  mark: QueueMark,
  problem: (text: string) => void,
): Promise<StoppedStray[]> {
  if (strays.length === 0) return [];
  return services.queue.runAll(strays.map(queueKey), mark, async (untouched) => {
    const stopped: StoppedStray[] = [];
    for (const stray of strays.filter((s) => untouched.has(queueKey(s)))) {
      const done = await stopPreviewTasks(
        services,
        stray.cluster,
        stray.tasks,
        `ecs-paas: ${stray.why}`,
      );
      if (done.length !== stray.tasks.length) {
        problem(`${queueKey(stray)}: a task did not stop; its route stays until it does`);
        continue;
      }
      await deregister(
        services,
        stray.tasks.map((t) => t.task.taskDefinitionArn ?? ''),
      );
      services.metrics.tornDown(stray.full, 'closed');
      const hostnames = stray.tasks.flatMap((t) =>
        t.routing && t.label ? [hostKey(`${t.label}.${t.routing.domain}`)] : [],
      );
      if (stray.tasks.some((t) => !t.routing)) {
        problem(
          `${queueKey(stray)}: a task has no routing tags (launched by an older ecs-paas); its route is left to the orphan check`,
        );
      }
      services.log.info(`sweep: ${queueKey(stray)} torn down from its tags (${stray.why})`);
      stopped.push({ ...stray, hostnames });
    }
    await unrouteByTags(services, stopped, problem);
    for (const stray of stopped) {
      if (!stray.installed) continue;
      await tellStopped(
        services,
        stray.installed,
        stray,
        stray.hostnames,
        { kind: 'closed', why: stray.why },
        problem,
      );
    }
    return stopped;
  });
}

async function unrouteByTags(
  services: BotServices,
  stopped: readonly StoppedStray[],
  problem: (text: string) => void,
): Promise<void> {
  const byRouting = new Map<
    string,
    { routing: RoutingSettings; names: string[]; owners: Map<string, RouteOwner> }
  >();
  for (const stray of stopped) {
    for (const task of stray.tasks) {
      if (!task.routing || !task.label) continue;
      const key = routingKey(task.routing);
      const entry = byRouting.get(key) ?? {
        routing: task.routing,
        names: [] as string[],
        owners: new Map<string, RouteOwner>(),
      };
      const name = hostKey(`${task.label}.${task.routing.domain}`);
      entry.names.push(name);
      entry.owners.set(name, { repo: stray.full, pr: stray.pr });
      byRouting.set(key, entry);
    }
  }
  for (const { routing, names, owners } of byRouting.values()) {
    try {
      const router = await services.router(routing);
      await router.unroute([...new Set(names)], owners);
    } catch (error) {
      // The next sweep finds these routes without a task and removes them then.
      problem(`could not remove routes ${names.join(', ')}: ${errorMessage(error)}`);
    }
  }
}
