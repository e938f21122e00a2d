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

/** A relaunch someone may ask for: the SHA it launches, and whether the PR is from a fork. */
export type RelaunchApproval =
  | { readonly ok: true; readonly sha: string; readonly fork: boolean }
  | { readonly ok: false; readonly reply: string };

/**
 * The head a relaunch launches. On a fork it is the approval, bound to the SHA the asker saw
 * (`sha`, or the head the App showed before `askedAt`); the reconcile launches only if that SHA is
 * still the head when it runs.
 */
export async function approveRelaunch(
  api: GitHubApi,
  repo: RepoRef,
  number: number,
  request: { readonly sha?: string; readonly askedAt: Date },
): Promise<RelaunchApproval> {
  const pull = await getPull(api, repo, number);
  const fork = (pull.head.repo?.full_name ?? '') !== `${repo.owner}/${repo.repo}`;
  if (!fork && request.sha === undefined) return { ok: true, sha: pull.head.sha, fork };
  const approval = await approveHead(api, repo, pull, {
    ...(request.sha !== undefined && { sha: request.sha }),
    createdAt: request.askedAt,
    fork,
  });
  return approval.ok ? { ...approval, fork } : approval;
}

/** Relaunches the preview at the approved head (see approveRelaunch). */
export async function relaunchApproved(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  number: number,
  approval: { readonly sha: string; readonly fork: boolean; readonly actor: string },
): Promise<Outcome> {
  const result = await reconcilePullRequest(api, services, repo, number, {
    approvedSha: approval.sha,
    actor: approval.actor,
  });
  if (['launched', 'replaced', 'unchanged', 'waiting'].includes(result.kind)) return { ok: true };
  return {
    ok: false,
    reply:
      result.kind === 'refused' && approval.fork
        ? `The head moved while the approval was handled; nothing was launched. Review the new head and comment \`/deploy <sha>\`.`
        : 'No preview was launched; the preview comment says why.',
  };
}

/** `/deploy [sha]` once its author's permission was checked: approve, then relaunch. */
export async function relaunchPreview(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  number: number,
  request: { readonly actor: string; readonly sha?: string; readonly askedAt: Date },
): Promise<Outcome> {
  const approval = await approveRelaunch(api, repo, number, request);
  if (!approval.ok) return approval;
  return relaunchApproved(api, services, repo, number, { ...approval, actor: request.actor });
}
