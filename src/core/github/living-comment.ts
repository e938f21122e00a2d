import { publicText } from '../report/public-text.js';
import type { DeploymentsApi } from './deployments.js';

/** The hidden marker that finds our one comment on a PR; never remembered, always looked up. */
export const COMMENT_MARKER = '<!-- ecs-paas:preview -->';

export interface CommentTarget {
  readonly owner: string;
  readonly repo: string;
  readonly issueNumber: number;
}

interface IssueComment {
  id: number;
  body?: string;
  user?: { type?: string } | null;
}

/**
 * Edits the PR's ecs-paas comment in place, or creates it when there is none: one comment per PR,
 * never one per push. The body is written whole in one request, so it is never half-updated, and
 * not at all when it already reads the same (a redelivered webhook writes nothing). A function
 * body is given the current text, to keep or edit a part of it (the `/logs` block).
 */
export async function upsertComment(
  api: DeploymentsApi,
  target: CommentTarget,
  body: string | ((existing: string | undefined) => string),
): Promise<{ id: number; created: boolean }> {
  const existing = await findComment(api, target);
  const text = publicText(typeof body === 'string' ? body : body(existing?.body));
  const marked = text.includes(COMMENT_MARKER) ? text : `${COMMENT_MARKER}\n${text}`;
  if (existing && existing.body === marked) return { id: existing.id, created: false };
  if (existing) {
    await api.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
      owner: target.owner,
      repo: target.repo,
      comment_id: existing.id,
      body: marked,
    });
    return { id: existing.id, created: false };
  }
  const { data } = await api.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    body: marked,
  });
  return { id: (data as { id: number }).id, created: true };
}

/**
 * Edits the PR's ecs-paas comment when there is one and the edit changes it; never creates one
 * (a figure refreshed by the sweep is no reason to post). True when it was written.
 */
export async function editComment(
  api: DeploymentsApi,
  target: CommentTarget,
  edit: (existing: string) => string,
): Promise<boolean> {
  const existing = await findComment(api, target);
  if (!existing) return false;
  const text = publicText(edit(existing.body));
  if (text === existing.body) return false;
  await api.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
    owner: target.owner,
    repo: target.repo,
    comment_id: existing.id,
    body: text,
  });
  return true;
}

/** Walks the PR's comments a page of 100 at a time until the marker turns up. */
export async function findComment(
  api: DeploymentsApi,
  target: CommentTarget,
): Promise<{ id: number; body: string } | undefined> {
  for (let page = 1; page <= 50; page++) {
    const { data } = await api.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.issueNumber,
      per_page: 100,
      page,
    });
    const comments = data as IssueComment[];
    // Only a bot's comment counts: anyone can paste the marker into a comment of their own.
    const ours = comments.find((c) => c.user?.type === 'Bot' && c.body?.includes(COMMENT_MARKER));
    if (ours) return { id: ours.id, body: ours.body ?? '' };
    if (comments.length < 100) return undefined;
  }
  return undefined;
}
