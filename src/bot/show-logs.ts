import { upsertComment } from '../core/github/living-comment.js';
import { readPreviewLogs } from '../core/preview/preview-logs.js';
import { listPreviewTasks } from '../core/preview/preview-tasks.js';
import { renderLogBlock, replaceLogBlock } from '../core/report/log-block.js';
import type { BotServices } from './bot-services.js';
import { readRepoConfig } from './config-reader.js';
import type { GitHubApi, RepoRef } from './github-api.js';

/**
 * `/logs [n]`: edits a collapsed block with the last n lines of each container of the running
 * preview into the PR's comment (never a new comment: logs of every push would bury the PR),
 * with what looks like a secret from the task's environment masked.
 */
export async function showLogs(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  number: number,
  lines: number,
  requestedBy: string,
): Promise<{ ok: boolean; reply?: string }> {
  const read = await readRepoConfig(api, repo, services.configCache);
  if (read.kind !== 'ok' || !read.config.preview) {
    return {
      ok: false,
      reply: 'Previews are not set up in .github/ecs-paas.yml on the default branch.',
    };
  }
  const cluster = read.config.preview.cluster;
  const full = `${repo.owner}/${repo.repo}`;
  const task = (await listPreviewTasks(services.aws.ecs, cluster)).find(
    (t) => t.repo === full && t.pr === number && t.status === 'RUNNING',
  );
  if (!task) {
    return {
      ok: false,
      reply: 'There is no running preview to read logs from; type `/deploy` to start one.',
    };
  }
  const logs = await readPreviewLogs(services.aws, cluster, task.task, lines);
  const block = renderLogBlock(logs, { requested: lines, at: services.now(), requestedBy });
  // Under the PR's queue, so a reconcile writing the comment at the same time cannot lose it.
  await services.queue.run(`${full}#${number}`, () =>
    upsertComment(api, { ...repo, issueNumber: number }, (existing) =>
      replaceLogBlock(existing ?? '', block),
    ),
  );
  return { ok: true };
}
