import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { errorMessage, InputError } from '../core/errors.js';
import type { DeploymentsApi } from '../core/github/deployments.js';
import type { Logger } from '../core/logger.js';
import type { PullRequestEvent } from './pull-request-event.js';

export interface ConfigSource {
  /** The config file's path in the repository (the `config` input). */
  readonly path: string;
  /** Absent when `github-token` is empty. */
  readonly github: DeploymentsApi | undefined;
  readonly log: Logger;
}

/**
 * The repository config as the pull request's BASE branch has it, read through the API. The
 * checkout holds the PR's own version, and a PR must not choose the cluster, role or routing of
 * its preview before that change is merged. The checkout's copy is used only when the API cannot
 * answer on a `pull_request` event from this repository: whoever pushed that branch can change
 * the workflow itself, so its copy grants them nothing new.
 */
export async function readBaseConfig(
  source: ConfigSource,
  event: PullRequestEvent,
): Promise<{ text: string; from: string }> {
  const path = repositoryPath(source.path);
  const [owner = '', repo = ''] = event.pr.repo.split('/');
  const fallback = event.event === 'pull_request' && !event.pr.fork;
  let problem: string;
  if (!source.github) {
    problem = "input 'github-token' is empty";
  } else if (!event.baseRef) {
    problem = 'the event names no base branch';
  } else {
    try {
      const text = await fetchFile(source.github, { owner, repo, path, ref: event.baseRef });
      return { text, from: `${path} on ${event.baseRef}` };
    } catch (error) {
      problem = errorMessage(error);
    }
  }
  const where = `${path} from the base branch ${event.baseRef || '(unknown)'}`;
  if (!fallback) {
    throw new Error(
      `Input 'config': cannot read ${where} (${problem}); on a ${event.event} event${event.pr.fork ? ' from a fork' : ''} the pull request's own copy is not trusted. Give the job 'contents: read' and a 'github-token', and merge the config into the base branch.`,
    );
  }
  source.log.info(
    `Could not read ${where} (${problem}); using the checkout's copy, as this pull request comes from this repository`,
  );
  try {
    return { text: await readFile(source.path, 'utf8'), from: `${source.path} in the checkout` };
  } catch {
    throw new Error(
      `Input 'config': cannot read ${source.path}; check out the repository first (actions/checkout) or set 'config'`,
    );
  }
}

/** `config` as a path inside the repository, the form the contents API takes. */
function repositoryPath(input: string): string {
  const path = posix.normalize(input.replace(/\\/g, '/')).replace(/^\.\//, '');
  if (posix.isAbsolute(path) || path === '..' || path.startsWith('../')) {
    throw new InputError(
      'config',
      `'${input}' is not a path inside the repository, such as .github/ecs-paas.yml`,
    );
  }
  return path;
}

interface ContentFile {
  type?: string;
  encoding?: string;
  content?: string;
}

async function fetchFile(
  github: DeploymentsApi,
  file: { owner: string; repo: string; path: string; ref: string },
): Promise<string> {
  const { data } = await github.request('GET /repos/{owner}/{repo}/contents/{path}', file);
  const content = data as ContentFile;
  if (Array.isArray(data) || content.type !== 'file') throw new Error('it is not a file');
  // Files over 1 MB come back without content (encoding "none"); no config is that large.
  if (content.encoding !== 'base64' || content.content === undefined) {
    throw new Error(`GitHub sent it with encoding '${content.encoding ?? 'none'}'`);
  }
  return Buffer.from(content.content, 'base64').toString('utf8');
}
