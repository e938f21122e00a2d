import { approveHead } from './approve-head.js';
import type { BotServices } from './bot-services.js';
import type { Outcome } from './command-types.js';
import { getPull, type GitHubApi, type RepoRef } from './github-api.js';
import { reconcilePullRequest } from './reconcile-pull-request.js';

/**
 * What `/preview stop`, `/deploy` and the fleet API do once the caller's permission was checked:
 * one path into the reconcile loop, whoever asks.
 */

/** Tears the PR's preview down now; `how` ends "stopped by …" in the comment. */
export async function stopPreview(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  number: number,
  request: { readonly actor: string; readonly how: string },
): Promise<Outcome> {
  await reconcilePullRequest(api, services, repo, number, {
    teardown: `stopped by ${request.how}`,
    actor: request.actor,
  });
  return { ok: true };
}

/**
 * Relaunches the preview at the PR's head. On a fork it is the approval, bound to the SHA the
 * asker saw (`sha`, or the head the App showed before `askedAt`); the reconcile launches only if
 * that SHA is still the head when it runs.
 */
export async function relaunchPreview(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  number: number,
  request: { readonly actor: string; readonly sha?: string; readonly askedAt: Date },
): Promise<Outcome> {
  const pull = await getPull(api, repo, number);
  const fork = (pull.head.repo?.full_name ?? '') !== `${repo.owner}/${repo.repo}`;
  let approvedSha = pull.head.sha;
  if (fork || request.sha !== undefined) {
    const approval = await approveHead(api, repo, pull, {
      ...(request.sha !== undefined && { sha: request.sha }),
      createdAt: request.askedAt,
      fork,
    });
    if (!approval.ok) return approval;
    approvedSha = approval.sha;
  }
  const result = await reconcilePullRequest(api, services, repo, number, {
    approvedSha,
    actor: request.actor,
  });
  if (['launched', 'replaced', 'unchanged', 'waiting'].includes(result.kind)) return { ok: true };
  return {
    ok: false,
    reply:
      result.kind === 'refused' && fork
        ? `The head moved while the approval was handled; nothing was launched. Review the new head and comment \`/deploy <sha>\`.`
        : 'No preview was launched; the preview comment says why.',
  };
}
