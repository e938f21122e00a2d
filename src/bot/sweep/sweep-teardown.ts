import { StopTaskCommand } from '@aws-sdk/client-ecs';
import { errorMessage } from '../../core/errors.js';
import { upsertComment } from '../../core/github/living-comment.js';
import { deregister } from '../../core/preview/launch-preview.js';
import type { PreviewTask } from '../../core/preview/preview-tasks.js';
import { hostKey } from '../../core/preview/router.js';
import { labelFitsTemplate } from '../../core/preview/subdomain.js';
import type { BotServices } from '../bot-services.js';
import { previewBody } from '../comment-bodies.js';
import type { QueueMark } from '../pr-queue.js';
import { deactivatePreviewDeployments } from '../preview-deployment.js';
import type { Doomed, RoutingGroup } from './sweep-types.js';

const queueKey = (d: Pick<Doomed, 'full' | 'pr'>): string => `${d.full}#${d.pr}`;

/**
 * Stops doomed previews while holding their PRs' queues, so no event for them runs in between;
 * a PR that saw any work since the sweep began reading is skipped, its state being newer than what
 * the sweep judged. Routes go in one unroute per routing (one DNS change batch per zone), then each
 * PR gets its comment and its Deployment goes inactive.
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
    const now = doomed.filter((d) => untouched.has(queueKey(d)));
    for (const skipped of doomed.filter((d) => !untouched.has(queueKey(d)))) {
      services.log.info(
        `sweep: ${queueKey(skipped)} changed during the sweep; left for the next one`,
      );
    }
    for (const preview of now) await stopTasks(services, preview, problem);
    for (const group of groups) {
      const hostnames = now
        .filter((d) => group.repos.some((r) => r.full === d.full))
        .flatMap((d) => d.hostnames);
      if (hostnames.length === 0) continue;
      try {
        await group.deps.router.unroute(hostnames);
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
): Promise<void> {
  for (const task of preview.tasks) {
    try {
      await services.aws.ecs.send(
        new StopTaskCommand({
          cluster: preview.cluster,
          task: task.arn,
          reason: `ecs-paas: ${preview.stopped.kind === 'idle' ? 'idle' : preview.stopped.why}`,
        }),
      );
    } catch (error) {
      problem(`could not stop ${task.arn}: ${errorMessage(error)}`);
    }
  }
  await deregister(
    services,
    preview.tasks.map((t) => t.task.taskDefinitionArn ?? ''),
  );
  services.metrics.tornDown(preview.full, preview.reason);
}

async function tellPullRequest(
  services: BotServices,
  preview: Doomed,
  problem: (text: string) => void,
): Promise<void> {
  const { api, repo } = preview.owner;
  const sha = preview.tasks[0]?.sha ?? '';
  try {
    await deactivatePreviewDeployments(api, repo, preview.pr, services.log);
    await upsertComment(
      api,
      { owner: repo.owner, repo: repo.repo, issueNumber: preview.pr },
      previewBody(
        {
          kind: 'torn-down',
          stopped: preview.tasks.map((t) => t.arn),
          hostnames: preview.hostnames,
        },
        sha,
        { stopped: preview.stopped },
      ),
    );
  } catch (error) {
    problem(`could not update the comment of ${queueKey(preview)}: ${errorMessage(error)}`);
  }
}

/**
 * Routes no task holds, in every routing read this sweep. Only called when the whole fleet was
 * read: a cluster that could not be listed would make its previews' routes look orphaned. A plain
 * record must also fit a label template of a repository using the domain, so records people keep
 * in the same zone (`www`, `grafana`) are never touched.
 */
export async function removeOrphanRoutes(
  services: BotServices,
  groups: readonly RoutingGroup[],
  fleet: ReadonlyMap<string, readonly PreviewTask[]>,
  doomed: readonly Doomed[],
  problem: (text: string) => void,
): Promise<number> {
  const gone = new Set(doomed.flatMap((d) => d.hostnames));
  let removed = 0;
  for (const group of groups) {
    const domain = group.repos[0]?.config.routing.domain ?? '';
    const live = new Set<string>();
    for (const tasks of fleet.values()) {
      for (const task of tasks) if (task.label) live.add(hostKey(`${task.label}.${domain}`));
    }
    const templates = group.repos.map((r) => r.config.routing.subdomain);
    const orphans = [...(group.routed?.values() ?? [])].filter((host) => {
      const name = hostKey(host.hostname);
      if (live.has(name) || gone.has(name)) return false;
      const label = name.slice(0, name.length - domain.length - 1);
      return host.owned || templates.some((t) => labelFitsTemplate(t, label));
    });
    if (orphans.length === 0) continue;
    const names = orphans.map((h) => h.hostname);
    try {
      await group.deps.router.unroute(names);
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
