import { formatDuration } from '../core/duration.js';
import { TAGS } from '../core/preview/routing-types.js';
import { tagPreview } from '../core/preview/tag-preview.js';
import type { BotServices } from './bot-services.js';
import { readRepoConfig } from './config-reader.js';
import type { GitHubApi, RepoRef } from './github-api.js';
import { reconcilePullRequest } from './reconcile-pull-request.js';

/** Longer than a month, a preview is an environment of its own: give it one in the config. */
export const MAX_KEEP_MS = 30 * 86_400_000;

export interface KeepOutcome {
  readonly ok: boolean;
  readonly reply?: string;
}

/**
 * `/preview keep <duration>`: exempts the running preview from idle teardown until then, as a tag
 * on its task (a push carries it over to the next task), and shows it in the comment.
 */
export async function keepPreview(
  api: GitHubApi,
  services: BotServices,
  repo: RepoRef,
  number: number,
  ms: number,
): Promise<KeepOutcome> {
  if (ms > MAX_KEEP_MS) {
    return {
      ok: false,
      reply: `\`/preview keep\` takes at most 30d (asked for ${formatDuration(ms)}); for longer, set \`preview.idle-after\` in .github/ecs-paas.yml.`,
    };
  }
  const read = await readRepoConfig(api, repo, services.configCache, services.policy);
  if (read.kind !== 'ok' || !read.config.preview) {
    return {
      ok: false,
      reply: 'Previews are not set up in .github/ecs-paas.yml on the default branch.',
    };
  }
  const preview = read.config.preview;
  if (preview.idleAfterMs === null) {
    return {
      ok: false,
      reply:
        'Idle teardown is off for this repository (`idle-after: never`): the preview already stays.',
    };
  }
  const until = new Date(services.now().getTime() + ms);
  const full = `${repo.owner}/${repo.repo}`;
  // Under the PR's queue: a launch in flight would otherwise start a task without the tag.
  const tagged = await services.queue.run(`${full}#${number}`, () =>
    tagPreview(
      services.aws.ecs,
      preview.cluster,
      { repo: full, number },
      { key: TAGS.keepUntil, value: until.toISOString() },
    ),
  );
  if (tagged === 0) {
    return {
      ok: false,
      reply: 'There is no running preview to keep; type `/deploy` to start one.',
    };
  }
  // The comment is rewritten from the task, which now says until when it is kept.
  await reconcilePullRequest(api, services, repo, number, {});
  return { ok: true };
}
