import { ConfigError, parseRepoConfig, type RepoConfig } from '../core/config/repo-config.js';
import {
  checkAgainstPolicy,
  withinGrant,
  type OperatorPolicy,
} from '../core/policy/operator-policy.js';
import type { GitHubApi, RepoRef } from './github-api.js';

export const CONFIG_PATH = '.github/ecs-paas.yml';

export type ConfigRead =
  | { readonly kind: 'ok'; readonly config: RepoConfig }
  | { readonly kind: 'missing' }
  | {
      readonly kind: 'invalid';
      readonly error: ConfigError;
      /** The file is valid but names something the operator's policy does not grant. */
      readonly byPolicy?: boolean;
    };

/**
 * Each repository's last read with its ETag: the sweep reads every repository's config every few
 * minutes, and GitHub does not count a 304 against the rate limit. Bounded by the repositories the
 * App is installed on.
 */
export type ConfigCache = Map<string, { readonly etag: string; readonly read: ConfigRead }>;

/**
 * Reads the config from the default branch, never the PR head: a PR must not be able to change
 * the cluster, the routing or who may deploy by editing the file it brings. Without `ref` the
 * contents API reads the default branch itself, which saves asking which branch that is.
 */
export async function readRepoConfig(
  api: GitHubApi,
  repo: RepoRef,
  cache?: ConfigCache,
  policy?: OperatorPolicy,
): Promise<ConfigRead> {
  const read = await readUnchecked(api, repo, cache);
  if (read.kind !== 'ok' || !policy) return read;
  // Checked on every read, cached or not: a policy change applies at once.
  const name = `${repo.owner}/${repo.repo}`;
  const refused = checkAgainstPolicy(read.config, policy, name);
  if (refused) return { kind: 'invalid', error: refused, byPolicy: true };
  return { kind: 'ok', config: withinGrant(read.config, policy, name) };
}

async function readUnchecked(
  api: GitHubApi,
  repo: RepoRef,
  cache?: ConfigCache,
): Promise<ConfigRead> {
  const key = `${repo.owner}/${repo.repo}`.toLowerCase();
  const cached = cache?.get(key);
  let text: string;
  let etag: unknown;
  try {
    const response = await api.request('GET /repos/{owner}/{repo}/contents/{path}', {
      ...repo,
      path: CONFIG_PATH,
      ...(cached && { headers: { 'if-none-match': cached.etag } }),
    });
    const file = response.data as { content?: string; encoding?: string };
    etag = response.headers?.etag;
    text = Buffer.from(file.content ?? '', file.encoding === 'base64' ? 'base64' : 'utf8').toString(
      'utf8',
    );
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 304 && cached) return cached.read;
    if (status === 404) {
      cache?.delete(key);
      return { kind: 'missing' };
    }
    throw error;
  }
  let read: ConfigRead;
  try {
    read = { kind: 'ok', config: parseRepoConfig(text, CONFIG_PATH) };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    read = { kind: 'invalid', error };
  }
  if (cache && typeof etag === 'string') cache.set(key, { etag, read });
  return read;
}
