import { ConfigError, parseRepoConfig, type RepoConfig } from '../core/config/repo-config.js';
import type { GitHubApi, RepoRef } from './github-api.js';

export const CONFIG_PATH = '.github/ecs-paas.yml';

export type ConfigRead =
  | { readonly kind: 'ok'; readonly config: RepoConfig }
  | { readonly kind: 'missing' }
  | { readonly kind: 'invalid'; readonly error: ConfigError };

/**
 * Reads the config from the default branch, never the PR head: a PR must not be able to change
 * the cluster, the routing or who may deploy by editing the file it brings. Without `ref` the
 * contents API reads the default branch itself, which saves asking which branch that is.
 */
export async function readRepoConfig(api: GitHubApi, repo: RepoRef): Promise<ConfigRead> {
  let text: string;
  try {
    const { data } = await api.request('GET /repos/{owner}/{repo}/contents/{path}', {
      ...repo,
      path: CONFIG_PATH,
    });
    const file = data as { content?: string; encoding?: string };
    text = Buffer.from(file.content ?? '', file.encoding === 'base64' ? 'base64' : 'utf8').toString(
      'utf8',
    );
  } catch (error) {
    if ((error as { status?: number }).status === 404) return { kind: 'missing' };
    throw error;
  }
  try {
    return { kind: 'ok', config: parseRepoConfig(text, CONFIG_PATH) };
  } catch (error) {
    if (error instanceof ConfigError) return { kind: 'invalid', error };
    throw error;
  }
}
