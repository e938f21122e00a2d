import { readFile } from 'node:fs/promises';
import type { PullRequestRef } from '../core/preview/preview-types.js';

export interface PullRequestEvent {
  /** `pull_request` or `pull_request_target`. */
  readonly event: string;
  readonly action: string;
  readonly pr: PullRequestRef;
  /** The branch the PR merges into, where the trusted config lives. */
  readonly baseRef: string;
}

interface Payload {
  action?: string;
  pull_request?: {
    number?: number;
    head?: { sha?: string; ref?: string; repo?: { full_name?: string } | null };
    base?: { ref?: string; repo?: { full_name?: string } };
    user?: { login?: string };
  };
}

/**
 * The PR a `pull_request` workflow runs for, from the event file. The head SHA comes from the
 * payload: GITHUB_SHA is the temporary merge commit, which no image is ever tagged with.
 */
export async function readPullRequestEvent(
  env: NodeJS.ProcessEnv,
  command: string,
): Promise<PullRequestEvent> {
  const name = env.GITHUB_EVENT_NAME ?? '';
  if (!['pull_request', 'pull_request_target'].includes(name) || !env.GITHUB_EVENT_PATH) {
    throw new Error(
      `command '${command}' runs in a pull_request workflow (this run is for '${name || 'unknown'}'); trigger it with 'on: pull_request'`,
    );
  }
  const payload = JSON.parse(await readFile(env.GITHUB_EVENT_PATH, 'utf8')) as Payload;
  const pull = payload.pull_request;
  const base = pull?.base?.repo?.full_name ?? env.GITHUB_REPOSITORY ?? '';
  if (!pull?.number || !pull.head?.sha)
    throw new Error('the pull_request event has no pull request number or head SHA');
  return {
    event: name,
    action: payload.action ?? '',
    baseRef: pull.base?.ref ?? '',
    pr: {
      repo: base,
      number: pull.number,
      sha: pull.head.sha,
      branch: pull.head.ref ?? '',
      author: pull.user?.login ?? '',
      // A head repository that was deleted also counts as foreign.
      fork: (pull.head.repo?.full_name ?? '') !== base,
    },
  };
}
