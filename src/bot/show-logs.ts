import type { Task } from '@aws-sdk/client-ecs';
import type { PreviewConfig } from '../core/config/repo-config.js';
import { findComment, upsertComment } from '../core/github/living-comment.js';
import { readRepoVisibility } from '../core/github/repo-visibility.js';
import { decideLogDelivery, type LogDeliveryDecision } from '../core/preview/log-delivery.js';
import {
  listLogStreams,
  readPreviewLogs,
  type ContainerLogStream,
  type ContainerLogs,
} from '../core/preview/preview-logs.js';
import { listPreviewTasks } from '../core/preview/preview-tasks.js';
import { logBlockOf, renderLogBlock, replaceLogBlock } from '../core/report/log-block.js';
import { renderLogLinks } from '../core/report/log-links.js';
import type { BotServices } from './bot-services.js';
import { CONFIG_PATH, readRepoConfig } from './config-reader.js';
import type { GitHubApi, RepoRef } from './github-api.js';

type Outcome = { ok: boolean; reply?: string };

/** A preview's logs as the `/logs` rules let them out, or why not. */
export type LogsAnswer =
  | {
      readonly kind: 'refused';
      /** `config`: not set up or invalid; `off`: `preview.logs: off`; `none`: nothing running. */
      readonly why: 'config' | 'off' | 'none';
      readonly reply: string;
    }
  | {
      readonly kind: 'link';
      readonly streams: readonly ContainerLogStream[];
      readonly reason: LogDeliveryDecision['reason'];
    }
  | { readonly kind: 'lines'; readonly logs: readonly ContainerLogs[] };

/**
 * `/logs [n]`: edits a collapsed block with the last n lines of each container of the running
 * preview into the PR's comment (never a new comment: logs of every push would bury the PR),
 * with what looks like a secret from the task's environment masked. Only where the comment is as
 * private as the logs, though: on a public repository, or with `preview.logs: link`, it only
 * names the log group and stream, and with `preview.logs: off` it does nothing.
 */
export async function showLogs(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  number: number,
  lines: number,
  requestedBy: string,
): Promise<Outcome> {
  const answer = await previewLogs(api, services, repo, number, lines);
  if (answer.kind === 'refused') return { ok: false, reply: answer.reply };
  if (answer.kind === 'link') {
    await dropLogBlock(api, services, repo, number);
    return { ok: true, reply: renderLogLinks(answer.streams, answer.reason) };
  }
  const block = renderLogBlock(answer.logs, {
    requested: lines,
    at: services.now(),
    requestedBy,
  });
  await services.queue.run(queueKey(repo, number), () =>
    upsertComment(api, { ...repo, issueNumber: number }, (existing) =>
      replaceLogBlock(existing ?? '', block),
    ),
  );
  return { ok: true };
}

/**
 * The running preview's last `lines` lines per container, masked, where `preview.logs` and the
 * repository's visibility let lines out (`/logs` and the fleet API alike); only where to read
 * them otherwise.
 */
export async function previewLogs(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  number: number,
  lines: number,
): Promise<LogsAnswer> {
  const read = await readRepoConfig(api, repo, services.configCache, services.policy);
  if (read.kind === 'invalid') {
    return {
      kind: 'refused',
      why: 'config',
      reply: `${CONFIG_PATH} on the default branch is not valid, so \`/logs\` cannot tell what it may show:\n\n${fenced(read.error.message)}`,
    };
  }
  if (read.kind !== 'ok' || !read.config.preview) {
    return {
      kind: 'refused',
      why: 'config',
      reply: `Previews are not set up in ${CONFIG_PATH} on the default branch.`,
    };
  }
  const preview = read.config.preview;
  // `link` and `off` hold whatever the visibility, so only `comment` (said or implied) asks it.
  const visibility =
    preview.logs === 'off' || preview.logs === 'link'
      ? undefined
      : await readRepoVisibility(api, repo);
  const decision = decideLogDelivery(preview.logs, visibility);
  if (decision.delivery === 'off') {
    return {
      kind: 'refused',
      why: 'off',
      reply: `\`/logs\` is off for this repository (\`preview.logs: off\` in ${CONFIG_PATH}).`,
    };
  }
  const task = await runningPreviewTask(services, preview, repo, number);
  if (!task) {
    return {
      kind: 'refused',
      why: 'none',
      reply: 'There is no running preview to read logs from; type `/deploy` to start one.',
    };
  }
  if (decision.delivery === 'link') {
    const streams = await listLogStreams(services.aws, preview.cluster, task);
    return { kind: 'link', streams, reason: decision.reason };
  }
  return {
    kind: 'lines',
    logs: await readPreviewLogs(services.aws, preview.cluster, task, lines),
  };
}

async function runningPreviewTask(
  services: BotServices,
  preview: PreviewConfig,
  repo: RepoRef,
  number: number,
): Promise<Task | undefined> {
  const full = `${repo.owner}/${repo.repo}`;
  const tasks = await listPreviewTasks(services.aws.ecs, preview.cluster);
  return tasks.find((t) => t.repo === full && t.pr === number && t.status === 'RUNNING')?.task;
}

/**
 * Takes lines posted earlier out of the PR's comment, for a repository made public since or a
 * config switched to `link`. GitHub still keeps them in the comment's edit history, which only
 * deleting the comment clears; this at least stops showing them on the page.
 */
async function dropLogBlock(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  number: number,
): Promise<void> {
  const target = { ...repo, issueNumber: number };
  // Under the PR's queue, so a reconcile writing the comment at the same time cannot lose it.
  await services.queue.run(queueKey(repo, number), async () => {
    // Looked up first: upsertComment would create a comment on a PR that has none.
    if (!logBlockOf((await findComment(api, target))?.body)) return;
    await upsertComment(api, target, (existing) => replaceLogBlock(existing ?? '', undefined));
  });
}

const queueKey = (repo: RepoRef, number: number): string => `${repo.owner}/${repo.repo}#${number}`;

/** A code fence that no run of backticks in `text` can close early. */
function fenced(text: string): string {
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (run) => run[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}\n${text}\n${fence}`;
}
