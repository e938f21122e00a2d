import { deregister } from './launch-preview.js';
import { previewHost } from './preview-host.js';
import { hostKey } from './router.js';
import { listPreviewTasks } from './preview-tasks.js';
import { stopPreviewTasks } from './stop-preview-tasks.js';
import type {
  PreviewDeps,
  PreviewResult,
  PreviewSettings,
  PullRequestRef,
} from './preview-types.js';

/**
 * Removes everything a PR's preview holds: its tasks, its route (record, rule, target group) and
 * its preview revisions. With nothing left it succeeds and changes nothing.
 */
export async function teardownPreview(
  deps: PreviewDeps,
  settings: PreviewSettings,
  pr: Pick<PullRequestRef, 'repo' | 'number' | 'branch'>,
  why: string,
): Promise<PreviewResult> {
  const fleet = await listPreviewTasks(deps.aws.ecs, settings.cluster);
  const mine = fleet.filter((t) => t.repo === pr.repo && t.pr === pr.number);
  const stopped = await stopPreviewTasks(deps, settings.cluster, mine, `ecs-paas: ${why}`);
  // The computed name covers a record whose task is already gone (a crash mid-teardown).
  const computed = previewHost(
    settings.routing,
    { ...pr, sha: '', author: '', fork: false },
    fleet,
  );
  const hostnames = [
    ...new Set([
      computed.hostname,
      ...mine.filter((t) => t.label).map((t) => `${t.label}.${settings.routing.domain}`),
    ]),
  ];
  // Revisions first: once the tasks are stopped nothing else would ever find them again.
  await deregister(
    deps,
    mine.map((t) => t.task.taskDefinitionArn ?? ''),
  );
  // Only names this PR owns go: another repository's preview may hold the same computed name.
  const owner = { repo: pr.repo, pr: pr.number };
  await deps.router.unroute(hostnames, new Map(hostnames.map((h) => [hostKey(h), owner])));
  if (stopped.length > 0) deps.log.info(`PR #${pr.number}: preview torn down (${why})`);
  return { kind: 'torn-down', stopped, hostnames: stopped.length > 0 ? hostnames : [] };
}
