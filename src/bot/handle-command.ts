import { errorMessage } from '../core/errors.js';
import { publicText } from '../core/report/public-text.js';
import type { BotServices } from './bot-services.js';
import { needPermission } from './command-permission.js';
import type { CommandComment, Outcome } from './command-types.js';
import { HELP_LINES, parseCommand, type Command } from './commands.js';
import { deployEnvironment } from './deploy-environment.js';
import type { GitHubApi, RepoRef } from './github-api.js';
import { keepPreview } from './keep-preview.js';
import { relaunchPreview, stopPreview } from './preview-actions.js';
import { showLogs } from './show-logs.js';

export type { CommandComment } from './command-types.js';

type Reaction = 'eyes' | 'rocket' | 'confused';

/** A command read later than this after it was written is stale: whoever wrote it saw another PR. */
export const COMMAND_MAX_AGE_MS = 10 * 60_000;

/**
 * Handles a new PR comment that may hold a slash command: ignored unless its first line is one,
 * it is on a pull request, a human wrote it and it is less than 10 minutes old. 👀 at once; 🚀
 * when done, 😕 when refused or failed. Replies never quote the comment or carry other untrusted
 * text, and at most five per user per PR per minute are posted (reactions say the rest).
 */
export async function handleCommandComment(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  comment: CommandComment,
): Promise<string> {
  if (!comment.onPullRequest || comment.authorType === 'Bot') return 'ignored';
  const command = parseCommand(comment.body);
  if (!command) return 'ignored';
  const age = services.now().getTime() - comment.createdAt.getTime();
  if (!(age <= COMMAND_MAX_AGE_MS)) {
    services.log.info(
      `${where(repo, comment)}: command ignored, written ${Math.round(age / 1000)}s ago`,
    );
    return 'stale';
  }
  await react(api, repo, comment.id, 'eyes');
  let outcome: Outcome;
  try {
    outcome = await run(api, services, repo, comment, command);
  } catch (error) {
    services.log.warning(`${where(repo, comment)}: ${command.name} failed: ${errorMessage(error)}`);
    outcome = {
      ok: false,
      reply: `The command failed; the App's logs have the details (delivery ${comment.delivery}).`,
    };
  }
  await react(api, repo, comment.id, outcome.ok ? 'rocket' : 'confused');
  const key = `${repo.owner}/${repo.repo}#${comment.issueNumber}@${comment.author}`;
  if (outcome.reply && services.replyLimiter.take(key, services.now().getTime())) {
    await reply(api, repo, comment.issueNumber, outcome.reply);
  }
  return outcome.ok ? 'done' : 'refused';
}

async function run(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  comment: CommandComment,
  command: Command,
): Promise<Outcome> {
  switch (command.name) {
    case 'help':
    case 'unknown': {
      // Readers and strangers get a reaction only: a reply is a comment anyone can make us post.
      if (await needPermission(api, repo, comment.author, 'triage')) return { ok: false };
      return command.name === 'help'
        ? {
            ok: true,
            reply: [
              'ecs-paas commands (first line of a comment):',
              '',
              ...HELP_LINES.map((l) => `- ${l}`),
            ].join('\n'),
          }
        : { ok: false, reply: 'That is not a command I know. Comment `/help` for the list.' };
    }
    case 'preview-keep': {
      const denied = await needPermission(api, repo, comment.author, 'write');
      if (denied) return denied;
      return keepPreview(api, services, repo, comment.issueNumber, command.ms);
    }
    case 'logs': {
      const denied = await needPermission(api, repo, comment.author, 'write');
      if (denied) return denied;
      return showLogs(api, services, repo, comment.issueNumber, command.lines, comment.author);
    }
    case 'preview-stop': {
      const denied = await needPermission(api, repo, comment.author, 'write');
      if (denied) return denied;
      return stopPreview(api, services, repo, comment.issueNumber, {
        actor: comment.author,
        how: `@${comment.author} with /preview stop`,
      });
    }
    case 'deploy':
      return deployPreview(api, services, repo, comment, command.sha);
    case 'deploy-environment':
      return deployEnvironment(api, services, repo, comment, command.environment, command.sha);
  }
}

/** `/deploy [sha]`: relaunch the preview (see relaunchPreview for what a fork's approval is). */
async function deployPreview(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  comment: CommandComment,
  sha: string | undefined,
): Promise<Outcome> {
  const denied = await needPermission(api, repo, comment.author, 'write');
  if (denied) return denied;
  return relaunchPreview(api, services, repo, comment.issueNumber, {
    actor: comment.author,
    ...(sha !== undefined && { sha }),
    askedAt: comment.createdAt,
  });
}

function where(repo: RepoRef, comment: CommandComment): string {
  return `${repo.owner}/${repo.repo}#${comment.issueNumber} (delivery ${comment.delivery})`;
}

async function react(
  api: GitHubApi,
  repo: RepoRef,
  commentId: number,
  content: Reaction,
): Promise<void> {
  await api
    .request('POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions', {
      ...repo,
      comment_id: commentId,
      content,
    })
    .catch(() => undefined);
}

async function reply(
  api: GitHubApi,
  repo: RepoRef,
  issueNumber: number,
  text: string,
): Promise<void> {
  await api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    ...repo,
    issue_number: issueNumber,
    body: publicText(text),
  });
}
