import { createRequire } from 'node:module';
import type { WebhookDefinition } from '@octokit/webhooks-examples';

// The package is a bare JSON file whose typings describe it as an ES default export, which it is not.
const definitions = createRequire(import.meta.url)(
  '@octokit/webhooks-examples',
) as WebhookDefinition[];

export interface PullRequestShape {
  readonly action: string;
  readonly repo: string;
  readonly number: number;
  readonly sha: string;
  readonly branch?: string;
  readonly author?: string;
  /** `owner/repo` the head lives in; a different one makes it a fork PR. */
  readonly headRepo?: string;
}

/**
 * A real `pull_request` payload from @octokit/webhooks-examples with the fields a test cares about
 * set: everything else stays as GitHub sends it.
 */
export function pullRequestPayload(shape: PullRequestShape): Record<string, unknown> {
  const example = definitions
    .find((d) => d.name === 'pull_request')
    ?.examples.find((e) => 'action' in e && e.action === 'opened');
  if (!example) throw new Error('@octokit/webhooks-examples has no pull_request opened example');
  const payload = structuredClone(example) as unknown as {
    action: string;
    number: number;
    pull_request: {
      number: number;
      head: { sha: string; ref: string; repo: { full_name: string } };
      base: { repo: { full_name: string; name: string; owner: { login: string } } };
      user: { login: string };
    };
    repository: { full_name: string; name: string; owner: { login: string } };
  };
  const [owner = '', name = ''] = shape.repo.split('/');
  payload.action = shape.action;
  payload.number = shape.number;
  payload.pull_request.number = shape.number;
  payload.pull_request.head.sha = shape.sha;
  payload.pull_request.head.ref = shape.branch ?? 'feature/login';
  payload.pull_request.head.repo.full_name = shape.headRepo ?? shape.repo;
  payload.pull_request.base.repo.full_name = shape.repo;
  payload.pull_request.base.repo.name = name;
  payload.pull_request.base.repo.owner.login = owner;
  payload.pull_request.user.login = shape.author ?? 'octocat';
  payload.repository.full_name = shape.repo;
  payload.repository.name = name;
  payload.repository.owner.login = owner;
  return payload;
}
