import { createRequire } from 'node:module';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { ProbotOctokit } from 'probot';
import { APP_ID, APP_PRIVATE_KEY, APP_PUBLIC_KEY } from '../support/app-process.js';
import {
  TestOctokit,
  startGitHubApi,
  testOctokit,
  testOctokitOptions,
  type GitHubApi,
} from '../support/github.js';
import { createGitHubWorld, type GitHubWorld } from '../support/github-world.js';

// The package is a bare JSON file whose typings describe it as an ES default export, which it is not.
const definitions = createRequire(import.meta.url)(
  '@octokit/webhooks-examples',
) as WebhookDefinition[];

const CONFIG_PATH = '.github/ecs-paas.yml';
const HEAD = 'a'.repeat(40);
const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

let api: GitHubApi;
let world: GitHubWorld;

beforeAll(async () => {
  api = await startGitHubApi();
});

afterAll(async () => {
  await api?.stop();
});

beforeEach(() => {
  api.reset();
  // Strict auth with the App's real key: every test below authenticates as the App does.
  world = createGitHubWorld(api, {
    owner: 'acme',
    repo: 'web',
    checkAuth: true,
    appKey: APP_PUBLIC_KEY,
  });
  world.addPull({ number: 1, sha: HEAD, branch: 'feature/login', author: 'dev' });
});

afterEach(() => {
  // Prism accepted every request each test made.
  api.assertNoViolations();
});

/** The client a Probot handler gets: ProbotOctokit authenticated as the world's installation. */
function appOctokit(privateKey = APP_PRIVATE_KEY): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({
    auth: { appId: APP_ID, privateKey, installationId: world.installationId },
    baseUrl: api.url,
    request: { fetch: globalThis.fetch },
    log: quiet,
    // Its pacing of writes (one a second, as GitHub asks of real Apps) would only slow this file.
    throttle: { enabled: false },
  });
}

/** A plain client (no retries) with an installation token the world minted. */
async function plainOctokit(): Promise<InstanceType<typeof TestOctokit>> {
  const { token } = (await appOctokit().auth({ type: 'installation' })) as { token: string };
  return new TestOctokit({ ...testOctokitOptions(api.url), auth: token });
}

const repo = { owner: 'acme', repo: 'web' };

describe('installation auth and the repository', () => {
  test('the App trades its JWT for an installation token, then reads the repository', async () => {
    const octokit = appOctokit();

    const { data } = await octokit.rest.repos.get(repo);

    expect(data).toMatchObject({ full_name: 'acme/web', default_branch: 'main', private: false });
    expect(world.requests()).toEqual([
      `POST /app/installations/${world.installationId}/access_tokens`,
      'GET /repos/acme/web',
    ]);
    const token = (await octokit.auth({ type: 'installation' })) as {
      token: string;
      expiresAt: string;
    };
    expect(token.token).toMatch(/^ghs_/);
    const hours = (Date.parse(token.expiresAt) - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(0.9);
    expect(hours).toBeLessThanOrEqual(1);
  });

  test('the JWT is needed for the installation lookup and refused on repository routes', async () => {
    const jwt = ((await appOctokit().auth({ type: 'app' })) as { token: string }).token;
    const asApp = new TestOctokit({ ...testOctokitOptions(api.url), auth: jwt });

    const { data } = await asApp.rest.apps.getRepoInstallation(repo);
    expect(data).toMatchObject({ id: world.installationId, app_id: APP_ID, app_slug: 'ecs-paas' });
    await expect(asApp.rest.repos.get(repo)).rejects.toMatchObject({ status: 401 });
    await expect(testOctokit(api.url).rest.repos.get(repo)).rejects.toMatchObject({
      status: 401,
      response: { data: { message: 'Bad credentials' } },
    });
  });

  test('a JWT signed with another key gets no token', async () => {
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });

    await expect(appOctokit(privateKey).rest.repos.get(repo)).rejects.toMatchObject({
      status: 401,
    });
    expect(world.requests()).toEqual([
      `POST /app/installations/${world.installationId}/access_tokens`,
    ]);
  });
});

describe('files', () => {
  test("config comes from the default branch through Probot's config plugin; a PR's copy only by ref", async () => {
    world.setFile(CONFIG_PATH, 'preview:\n  cluster: previews\n');
    world.setFile(CONFIG_PATH, 'preview:\n  cluster: attacker\n', HEAD);
    const octokit = appOctokit();

    const { config } = await octokit.config.get({ ...repo, path: CONFIG_PATH });
    const { data } = await octokit.rest.repos.getContent({ ...repo, path: CONFIG_PATH, ref: HEAD });

    expect(config).toEqual({ preview: { cluster: 'previews' } });
    expect(data).toMatchObject({ type: 'file', encoding: 'base64', path: CONFIG_PATH });
    const file = data as { content: string; sha: string };
    expect(Buffer.from(file.content, 'base64').toString()).toBe('preview:\n  cluster: attacker\n');
    expect(file.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(world.fileReads).toEqual([
      { path: CONFIG_PATH, ref: 'main' },
      { path: CONFIG_PATH, ref: HEAD },
    ]);
  });

  test("a missing file is GitHub's 404, and the config plugin's .github fallback is one too", async () => {
    const octokit = appOctokit();

    await expect(
      octokit.rest.repos.getContent({ ...repo, path: CONFIG_PATH }),
    ).rejects.toMatchObject({ status: 404, response: { data: { message: 'Not Found' } } });
    const { config } = await octokit.config.get({ ...repo, path: CONFIG_PATH });

    expect(config).toEqual({});
    expect(world.requests().slice(1)).toEqual([
      `GET /repos/acme/web/contents/${CONFIG_PATH}`,
      `GET /repos/acme/web/contents/${CONFIG_PATH}`,
      `GET /repos/acme/.github/contents/${CONFIG_PATH}`,
    ]);
  });
});

describe('pull requests', () => {
  test('a fork PR, listed, found by its head commit, and closed', async () => {
    world.addPull({ number: 2, sha: 'b'.repeat(40), author: 'outsider', fork: true, draft: true });
    const octokit = appOctokit();

    const { data: fork } = await octokit.rest.pulls.get({ ...repo, pull_number: 2 });
    expect(fork).toMatchObject({
      number: 2,
      draft: true,
      user: { login: 'outsider', type: 'User' },
      head: { sha: 'b'.repeat(40), label: 'outsider:feature/pr-2', repo: { fork: true } },
      base: { ref: 'main', repo: { full_name: 'acme/web' } },
      html_url: 'https://github.com/acme/web/pull/2',
    });
    expect(fork.head.repo?.full_name).toBe('outsider/web');

    world.updatePull(1, { state: 'closed', labels: ['no-preview'] });
    const open = await octokit.paginate(octokit.rest.pulls.list, { ...repo, per_page: 1 });
    const all = await octokit.rest.pulls.list({ ...repo, state: 'all' });
    const byHead = await octokit.rest.pulls.list({
      ...repo,
      state: 'all',
      head: 'acme:feature/login',
    });
    const byCommit = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
      ...repo,
      commit_sha: HEAD,
    });

    expect(open.map((p) => p.number)).toEqual([2]);
    expect(all.data.map((p) => p.number)).toEqual([2, 1]);
    expect(byHead.data.map((p) => [p.number, p.state, p.labels.map((l) => l.name)])).toEqual([
      [1, 'closed', ['no-preview']],
    ]);
    expect(byCommit.data.map((p) => p.number)).toEqual([1]);
    expect(world.pull(1).closed_at).toEqual(expect.any(String));
  });

  test("a pull is what a pull_request webhook carries: every key of GitHub's example is there", () => {
    const example = definitions
      .find((d) => d.name === 'pull_request')
      ?.examples.find((e) => 'action' in e && e.action === 'opened') as
      { pull_request: Record<string, unknown> } | undefined;
    const pull = world.pull(1) as unknown as Record<string, unknown>;

    expect(Object.keys(pull)).toEqual(
      expect.arrayContaining(Object.keys(example?.pull_request ?? {})),
    );
    const payload = world.pullRequestEvent('opened', 1);
    expect(payload).toMatchObject({
      action: 'opened',
      installation: { id: world.installationId },
      repository: { full_name: 'acme/web' },
    });
  });
});

describe('comments and reactions', () => {
  test("the App's comment is created, listed and edited in place; a human's sits beside it", async () => {
    const human = world.addComment(1, '/deploy', { login: 'dev', type: 'User' });
    const octokit = appOctokit();

    const { data: created } = await octokit.rest.issues.createComment({
      ...repo,
      issue_number: 1,
      body: 'Preview starting',
    });
    const listed = await octokit.paginate(octokit.rest.issues.listComments, {
      ...repo,
      issue_number: 1,
      per_page: 1,
    });
    const mine = listed.find((c) => c.user?.login === 'ecs-paas[bot]');
    await octokit.rest.issues.updateComment({
      ...repo,
      comment_id: mine?.id ?? 0,
      body: 'Preview ready',
    });
    const { data: fetched } = await octokit.rest.issues.getComment({
      ...repo,
      comment_id: created.id,
    });

    expect(created.user).toMatchObject({ login: 'ecs-paas[bot]', type: 'Bot' });
    expect(created.performed_via_github_app?.slug).toBe('ecs-paas');
    expect(human).toMatchObject({ body: '/deploy', user: { login: 'dev', type: 'User' } });
    expect(listed.map((c) => c.id)).toEqual([human.id, created.id]);
    expect(fetched.body).toBe('Preview ready');
    expect(world.comments(1)).toEqual(['/deploy', 'Preview ready']);
    expect(
      world.requests().filter((r) => r.includes('/comments?') || r.endsWith('/comments')),
    ).toHaveLength(3); // one create, two pages
  });

  test('reactions are recorded once per content, and counted on the comment', async () => {
    const command = world.addComment(1, '/deploy', { login: 'dev', type: 'User' });
    const octokit = appOctokit();
    const react = (content: 'eyes' | 'rocket') =>
      octokit.rest.reactions.createForIssueComment({ ...repo, comment_id: command.id, content });

    const statuses = [(await react('eyes')).status, (await react('rocket')).status];
    const again = await react('eyes');
    const { data } = await octokit.rest.issues.getComment({ ...repo, comment_id: command.id });

    expect(statuses).toEqual([201, 201]);
    expect(again.status).toBe(200);
    expect(world.reactions).toEqual([
      { commentId: command.id, content: 'eyes' },
      { commentId: command.id, content: 'rocket' },
    ]);
    expect(data.reactions).toMatchObject({ total_count: 2, eyes: 1, rocket: 1 });
  });

  test('an issue_comment payload is on a pull request and carries the comment', () => {
    const comment = world.addComment(1, '/deploy staging', { login: 'dev', type: 'User' });

    const payload = world.issueCommentEvent('created', comment);

    expect(payload.issue.pull_request?.url).toMatch(/\/repos\/acme\/web\/pulls\/1$/);
    expect(payload.comment.id).toBe(comment.id);
    expect(payload.sender.login).toBe('dev');
    expect(payload.installation?.id).toBe(world.installationId);
  });
});

describe('permissions', () => {
  test('role_name is the role; permission is the legacy level; strangers read', async () => {
    world.setPermission('lead', 'maintain');
    world.setPermission('helper', 'triage');
    world.setPermission('blocked', 'none');
    const octokit = appOctokit();
    const lookup = async (username: string) =>
      (await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username })).data;

    const lead = await lookup('lead');
    const answers = [lead, await lookup('helper'), await lookup('blocked'), await lookup('nobody')];

    expect(answers.map((a) => [a.permission, a.role_name])).toEqual([
      ['write', 'maintain'],
      ['read', 'triage'],
      ['none', 'none'],
      ['read', 'read'],
    ]);
    expect(lead.user).toMatchObject({
      login: 'lead',
      type: 'User',
      permissions: { push: true, maintain: true, admin: false },
    });
    expect(await lookup('acme')).toMatchObject({ permission: 'admin' });
  });
});

describe('deployments', () => {
  test('a transient deployment with its statuses, listed and filtered', async () => {
    const octokit = appOctokit();

    const { data: deployment } = await octokit.rest.repos.createDeployment({
      ...repo,
      ref: 'feature/login',
      environment: 'preview/pr-1',
      transient_environment: true,
      production_environment: false,
      auto_merge: false,
      required_contexts: [],
      payload: { pr: 1 },
    });
    if (!('id' in deployment)) throw new Error('expected a deployment');
    await octokit.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: deployment.id,
      state: 'in_progress',
    });
    await octokit.rest.repos.createDeploymentStatus({
      ...repo,
      deployment_id: deployment.id,
      state: 'success',
      environment_url: 'http://pr-1-web.preview.example.com',
    });
    const { data: listed } = await octokit.rest.repos.listDeployments({
      ...repo,
      environment: 'preview/pr-1',
    });
    const { data: others } = await octokit.rest.repos.listDeployments({
      ...repo,
      environment: 'staging',
    });
    const { data: statuses } = await octokit.rest.repos.listDeploymentStatuses({
      ...repo,
      deployment_id: deployment.id,
    });

    expect(deployment).toMatchObject({ sha: HEAD, ref: 'feature/login', creator: { type: 'Bot' } });
    expect(listed.map((d) => d.id)).toEqual([deployment.id]);
    expect(others).toEqual([]);
    expect(statuses.map((s) => s.state)).toEqual(['success', 'in_progress']); // newest first
    expect(world.deployments).toEqual([
      {
        id: deployment.id,
        environment: 'preview/pr-1',
        ref: 'feature/login',
        sha: HEAD,
        task: 'deploy',
        transient_environment: true,
        production_environment: false,
        payload: { pr: 1 },
        description: '',
        statuses: [
          { state: 'in_progress' },
          { state: 'success', environment_url: 'http://pr-1-web.preview.example.com' },
        ],
      },
    ]);
  });

  test("a ref GitHub doesn't know is refused", async () => {
    await expect(
      appOctokit().rest.repos.createDeployment({ ...repo, ref: 'no-such-branch' }),
    ).rejects.toMatchObject({ status: 422 });
    expect(world.deployments).toEqual([]);
  });
});

describe('faults', () => {
  test('failNext answers 502 once without touching state, then the route works', async () => {
    const octokit = await plainOctokit();
    world.failNext('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', 502);
    const comment = { ...repo, issue_number: 1, body: 'Preview starting' };

    await expect(octokit.rest.issues.createComment(comment)).rejects.toMatchObject({
      status: 502,
      response: { data: { message: 'Server Error' } },
    });
    expect(world.comments(1)).toEqual([]);
    const { status } = await octokit.rest.issues.createComment(comment);

    expect(status).toBe(201);
    expect(world.comments(1)).toEqual(['Preview starting']);
    expect(world.requests().slice(-2)).toEqual([
      'POST /repos/acme/web/issues/1/comments',
      'POST /repos/acme/web/issues/1/comments',
    ]);
  });

  test("Probot's own retry rides over one 502", async () => {
    world.failNext('GET /repos/{owner}/{repo}/pulls/{pull_number}', 502);

    const { data } = await appOctokit().rest.pulls.get({ ...repo, pull_number: 1 });

    expect(data.number).toBe(1);
    expect(world.requests().filter((r) => r === 'GET /repos/acme/web/pulls/1')).toHaveLength(2);
  });
});
