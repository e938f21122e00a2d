import { findComment } from '../core/github/living-comment.js';
import { readHeadMarker } from '../core/github/head-marker.js';
import type { GitHubApi, PullRequestData, RepoRef } from './github-api.js';

export type HeadApproval = { ok: true; sha: string } | { ok: false; reply: string };

/**
 * The SHA a command approves: one the commenter saw. `/deploy <sha>` names it and it must still be
 * the head. Without a SHA the head must have been shown by the App (its comment's head marker)
 * before the command was written; a head pushed later was never reviewed. A same-repository head
 * with no marker (no preview comment) falls back to its commit date: only writers push there.
 */
export async function approveHead(
  api: GitHubApi,
  repo: RepoRef,
  pull: PullRequestData,
  command: { readonly sha?: string; readonly createdAt: Date; readonly fork: boolean },
): Promise<HeadApproval> {
  const head = pull.head.sha;
  const short = (sha: string) => sha.slice(0, 7);
  if (command.sha !== undefined) {
    return head.startsWith(command.sha)
      ? { ok: true, sha: head }
      : {
          ok: false,
          reply: `The head moved: the command names \`${short(command.sha)}\` but the head is now \`${short(head)}\`. Nothing was deployed; review \`${short(head)}\` and comment \`/deploy ${short(head)}\` to approve it.`,
        };
  }
  const seen = readHeadMarker(
    (await findComment(api, { ...repo, issueNumber: pull.number }))?.body,
  );
  if (seen) {
    // GitHub dates comments to the second; the App's mark is compared at the same precision.
    if (
      seen.sha === head &&
      Math.floor(seen.since.getTime() / 1000) * 1000 <= command.createdAt.getTime()
    ) {
      return { ok: true, sha: head };
    }
    const what =
      seen.sha === head
        ? `\`${short(head)}\` became the head after this command was written${seen.previous ? `, which saw \`${short(seen.previous)}\`` : ''}`
        : `the pull request last showed \`${short(seen.sha)}\` and its head is now \`${short(head)}\``;
    return {
      ok: false,
      reply: `The head moved: ${what}. Nothing was deployed; review \`${short(head)}\` and comment \`/deploy ${short(head)}\` to approve exactly that commit.`,
    };
  }
  if (!command.fork) {
    const committed = await commitDate(api, repo, head);
    if (committed && committed.getTime() <= command.createdAt.getTime()) {
      return { ok: true, sha: head };
    }
  }
  return {
    ok: false,
    reply: `The App cannot tell that \`${short(head)}\` was the head when this command was written. Nothing was deployed; comment \`/deploy ${short(head)}\` to approve exactly that commit.`,
  };
}

async function commitDate(api: GitHubApi, repo: RepoRef, sha: string): Promise<Date | undefined> {
  try {
    const { data } = await api.request('GET /repos/{owner}/{repo}/commits/{ref}', {
      ...repo,
      ref: sha,
    });
    const date = (data as { commit?: { committer?: { date?: string } | null } }).commit?.committer
      ?.date;
    return date ? new Date(date) : undefined;
  } catch {
    return undefined;
  }
}
