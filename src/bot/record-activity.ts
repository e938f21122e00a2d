import { errorMessage } from '../core/errors.js';
import { TAGS } from '../core/preview/routing-types.js';
import { tagPreview } from '../core/preview/tag-preview.js';
import type { BotServices } from './bot-services.js';
import { readRepoConfig } from './config-reader.js';
import type { GitHubApi, RepoRef } from './github-api.js';

/** A comment a minute after the last one tells the idle check nothing new: no write. */
const RESOLUTION_MS = 60_000;

/**
 * Records PR activity (a comment, a review) on the preview's task as `ecs-paas:last-activity`,
 * where the rest of its state lives, so a restarted App still knows it. It runs in the PR's queue,
 * so a sweep that read the fleet before it leaves the preview alone. Comments within a minute of
 * the last recorded one cost nothing (a review with 30 inline comments is one write). Best effort:
 * a failure is logged and the sweep still sees the PR's `updated_at`.
 */
export async function recordActivity(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  number: number,
): Promise<number> {
  const key = `${repo.owner}/${repo.repo}#${number}`;
  const at = services.now();
  forgetOlderThan(services.recordedActivity, at.getTime() - RESOLUTION_MS);
  const last = services.recordedActivity.get(key);
  if (last !== undefined && at.getTime() - last < RESOLUTION_MS) return 0;
  services.recordedActivity.set(key, at.getTime());
  try {
    return await services.queue.run(key, async () => {
      const read = await readRepoConfig(api, repo, services.configCache, services.policy);
      if (read.kind !== 'ok' || !read.config.preview) return 0;
      return tagPreview(
        services.aws.ecs,
        read.config.preview.cluster,
        { repo: `${repo.owner}/${repo.repo}`, number },
        { key: TAGS.lastActivity, value: at.toISOString() },
        (t) =>
          t.lastActivity !== undefined && at.getTime() - t.lastActivity.getTime() < RESOLUTION_MS,
      );
    });
  } catch (error) {
    services.recordedActivity.delete(key);
    services.log.warning(`PR #${number}: could not record activity: ${errorMessage(error)}`);
    return 0;
  }
}

/**
 * Writes older than a minute can no longer spare one, so the map holds only the PRs commented on
 * in the last minute instead of every PR the App ever saw a comment on.
 */
function forgetOlderThan(recorded: Map<string, number>, cutoff: number): void {
  for (const [key, at] of recorded) if (at <= cutoff) recorded.delete(key);
}
