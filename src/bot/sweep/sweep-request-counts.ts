import { errorMessage } from '../../core/errors.js';
import { editComment } from '../../core/github/living-comment.js';
import type { BotServices } from '../bot-services.js';
import { withRequests } from '../comment-bodies.js';
import type { MeasuredPreview } from './find-idle.js';

/**
 * A comment's request figures are brought up to date at most this often per preview, and only
 * when the count moved: each refresh costs a comment read and a write of the installation's
 * GitHub budget, which the work PR authors wait for needs more.
 */
export const REQUESTS_REFRESH_MS = 15 * 60_000;
/** …and by at most this many comments per sweep, the busiest previews first. */
export const REQUESTS_REFRESH_PER_SWEEP = 25;

const shown = new WeakMap<BotServices, Map<string, { count: number; at: number }>>();

/**
 * Writes the request count and last request the sweep read anyway into running previews'
 * comments. Each edit runs in the PR's queue, after any reconcile there, so it never writes an
 * older body back over a newer one. Returns how many comments were written.
 */
export async function showRequestCounts(
  services: BotServices,
  measured: readonly MeasuredPreview[],
  problem: (text: string) => void,
): Promise<number> {
  const memory = shown.get(services) ?? new Map<string, { count: number; at: number }>();
  shown.set(services, memory);
  const live = new Set(measured.map(({ preview }) => keyOf(preview)));
  for (const key of memory.keys()) if (!live.has(key)) memory.delete(key);

  const now = services.now().getTime();
  const due = measured
    .filter(({ preview, requests }) => {
      const last = memory.get(keyOf(preview));
      return !last || (last.count !== requests.count && now - last.at >= REQUESTS_REFRESH_MS);
    })
    .sort((a, b) => b.requests.count - a.requests.count)
    .slice(0, REQUESTS_REFRESH_PER_SWEEP);

  let written = 0;
  for (const { preview, requests } of due) {
    const key = keyOf(preview);
    const { api, repo } = preview.owner;
    try {
      const wrote = await services.queue.run(key, () =>
        editComment(api, { ...repo, issueNumber: preview.pr }, (body) =>
          withRequests(body, requests),
        ),
      );
      memory.set(key, { count: requests.count, at: now });
      if (wrote) written++;
    } catch (error) {
      problem(`could not show ${key}'s request count: ${errorMessage(error)}`);
    }
  }
  return written;
}

function keyOf(preview: MeasuredPreview['preview']): string {
  return `${preview.owner.repo.owner}/${preview.owner.repo.repo}#${preview.pr}`;
}
