import type { EnvironmentConfig } from '../core/config/repo-config.js';
import { deployServices } from '../core/deploy/deploy-services.js';
import { errorMessage } from '../core/errors.js';
import { DeploymentRecorder } from '../core/github/deployments.js';
import { findEcrImage } from '../core/image/find-ecr-image.js';
import type { BotServices } from './bot-services.js';
import { HELP_LINES, PERMISSIONS, hasPermission, parseCommand, type Command } from './commands.js';
import { readRepoConfig } from './config-reader.js';
import { getPull, type GitHubApi, type RepoRef } from './github-api.js';
import { keepPreview } from './keep-preview.js';
import { reconcilePullRequest } from './reconcile-pull-request.js';
import { showLogs } from './show-logs.js';

export interface CommandComment {
  readonly id: number;
  readonly body: string;
  readonly author: string;
  readonly authorType: string;
  readonly issueNumber: number;
  readonly onPullRequest: boolean;
}

type Reaction = 'eyes' | 'rocket' | 'confused';

/**
 * Handles a new PR comment that may hold a slash command: ignored unless its first line is one,
 * it is on a pull request and a human wrote it. 👀 at once; 🚀 when done, 😕 with a short reason
 * when refused or failed. Permission comes from the collaborator-permission API, never from
 * author_association, and the head SHA is pinned the moment the command is read.
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
  await react(api, repo, comment.id, 'eyes');
  try {
    const outcome = await run(api, services, repo, comment, command);
    await react(api, repo, comment.id, outcome.ok ? 'rocket' : 'confused');
    if (outcome.reply) await reply(api, repo, comment, outcome.reply);
    return outcome.ok ? 'done' : 'refused';
  } catch (error) {
    await react(api, repo, comment.id, 'confused');
    await reply(
      api,
      repo,
      comment,
      `\`${firstLine(comment.body)}\` failed: ${errorMessage(error)}`,
    );
    return 'failed';
  }
}

interface Outcome {
  readonly ok: boolean;
  readonly reply?: string;
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
      return {
        ok: true,
        reply: [
          'ecs-paas commands (first line of a comment):',
          '',
          ...HELP_LINES.map((l) => `- ${l}`),
        ].join('\n'),
      };
    case 'unknown':
      return {
        ok: false,
        reply: `\`${command.text}\` is not a command I know. Type \`/help\` for the list.`,
      };
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
    case 'deploy':
    case 'preview-stop': {
      const denied = await needPermission(api, repo, comment.author, 'write');
      if (denied) return denied;
      if (command.name === 'preview-stop') {
        await reconcilePullRequest(api, services, repo, comment.issueNumber, {
          teardown: `stopped by @${comment.author} with /preview stop`,
          actor: comment.author,
        });
        return { ok: true };
      }
      const sha = (await getPull(api, repo, comment.issueNumber)).head.sha;
      const result = await reconcilePullRequest(api, services, repo, comment.issueNumber, {
        approvedSha: sha,
        actor: comment.author,
      });
      const ok = ['launched', 'replaced', 'unchanged', 'waiting'].includes(result.kind);
      return ok
        ? { ok }
        : {
            ok,
            reply: `\`/deploy\` did not launch a preview: ${'reason' in result ? result.reason : result.kind}`,
          };
    }
    case 'deploy-environment':
      // One deploy per environment at a time: two racing deploys would roll each other back.
      return services.queue.run(`${repo.owner}/${repo.repo}:env:${command.environment}`, () =>
        deployEnvironment(api, services, repo, comment, command.environment),
      );
  }
}

async function deployEnvironment(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  comment: CommandComment,
  name: string,
): Promise<Outcome> {
  const read = await readRepoConfig(api, repo, services.configCache);
  if (read.kind !== 'ok')
    return {
      ok: false,
      reply:
        read.kind === 'missing'
          ? `\`/deploy ${name}\`: there is no .github/ecs-paas.yml on the default branch; add an 'environments:' section to it`
          : `\`/deploy ${name}\`: .github/ecs-paas.yml on the default branch is not valid:\n\n\`\`\`\n${read.error.message}\n\`\`\``,
    };
  const environment: EnvironmentConfig | undefined = read.config.environments[name];
  if (!environment) {
    const known = Object.keys(read.config.environments);
    return {
      ok: false,
      reply: `There is no environment '${name}' in .github/ecs-paas.yml${known.length ? ` (known: ${known.join(', ')})` : ''}.`,
    };
  }
  const denied = await needPermission(api, repo, comment.author, environment.permission);
  if (denied) return denied;
  const sha = (await getPull(api, repo, comment.issueNumber)).head.sha;
  const repository = read.config.preview?.ecrRepository ?? repo.repo;
  const image = await findEcrImage(await services.aws.ecr(), services.aws.region, repository, sha);
  if (!image)
    return {
      ok: false,
      reply: `No image \`${repository}:${sha}\` in ECR yet; wait for CI and try again.`,
    };

  const recorder = new DeploymentRecorder(
    api,
    { owner: repo.owner, repo: repo.repo, environment: name, sha, production: /^prod/.test(name) },
    services.log,
  );
  await recorder.start();
  const report = await deployServices(
    services.aws,
    {
      cluster: environment.cluster,
      services: environment.services,
      containers: environment.containers,
      taskDefinition: environment.taskDefinition
        ? { kind: 'reference', reference: environment.taskDefinition }
        : { kind: 'service' },
      image: image.image,
      wait: true,
      waitTimeoutMs: 15 * 60_000,
      rollback: 'on-failure',
      keepRevisions: 0,
    },
    services.log,
  );
  await recorder.status(report.failure ? 'failure' : 'success', {
    description: report.failure ?? `Deployed ${sha.slice(0, 7)}`,
  });
  const revision = report.taskDefinitionArn.split('/').pop() ?? '';
  return report.failure
    ? {
        ok: false,
        reply: `\`/deploy ${name}\` failed${report.rolledBack ? ' and was rolled back' : ''}: ${report.failure}`,
      }
    : {
        ok: true,
        reply: `Deployed \`${sha.slice(0, 7)}\` to **${name}** (${environment.services.join(', ')} on ${revision}).`,
      };
}

async function needPermission(
  api: GitHubApi,
  repo: RepoRef,
  login: string,
  required: string,
): Promise<Outcome | undefined> {
  const { data } = await api.request(
    'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
    { ...repo, username: login },
  );
  const answer = data as { permission?: string; role_name?: string };
  // role_name knows maintain and triage; custom role names fall back to the base permission.
  const permission =
    answer.role_name && (PERMISSIONS as readonly string[]).includes(answer.role_name)
      ? answer.role_name
      : (answer.permission ?? 'none');
  return hasPermission(permission, required)
    ? undefined
    : {
        ok: false,
        reply: `@${login} needs ${required} access for this command (has ${permission}).`,
      };
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
  comment: CommandComment,
  text: string,
): Promise<void> {
  await api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    ...repo,
    issue_number: comment.issueNumber,
    body: `> ${firstLine(comment.body)}\n\n${text}`,
  });
}

function firstLine(body: string): string {
  return body.split(/\r?\n/, 1)[0]?.trim() ?? '';
}
