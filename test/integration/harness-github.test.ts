import { afterAll, beforeAll, beforeEach, expect, test } from '@jest/globals';
import { GitHub } from '@actions/github/lib/utils';
import {
  startGitHubApi,
  testOctokit,
  testOctokitOptions,
  type GitHubApi,
} from '../support/github.js';

let api: GitHubApi;

beforeAll(async () => {
  api = await startGitHubApi();
});

afterAll(async () => {
  await api?.stop();
});

beforeEach(() => api.reset());

test('a valid comment passes the contract and the handler decides the answer', async () => {
  api.on('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', (request) => ({
    status: 201,
    body: { id: 42, body: (request.body as { body: string }).body, params: request.params },
  }));

  const { status, data } = await testOctokit(api.url).rest.issues.createComment({
    owner: 'o',
    repo: 'r',
    issue_number: 1,
    body: 'Preview deployed',
  });

  expect(status).toBe(201);
  expect(data).toMatchObject({
    id: 42,
    body: 'Preview deployed',
    params: { owner: 'o', repo: 'r', issue_number: '1' },
  });
  api.assertNoViolations();
  expect(api.requests).toEqual([
    {
      method: 'POST',
      path: '/repos/o/r/issues/1/comments',
      query: {},
      body: { body: 'Preview deployed' },
      status: 201,
    },
  ]);
});

test("a production-style Octokit with GitHub's default accept header works unmodified", async () => {
  const octokit = new GitHub({ baseUrl: api.url, auth: 'token', request: { fetch } });

  const { status, data } = await octokit.rest.issues.get({
    owner: 'o',
    repo: 'r',
    issue_number: 1,
  });

  expect(status).toBe(200);
  expect(data.number).toEqual(expect.any(Number));
  api.assertNoViolations();
});

test('a comment whose body field is misspelt is a contract violation and never reaches the handler', async () => {
  let called = false;
  api.on('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', () => {
    called = true;
    return { status: 201, body: {} };
  });
  const octokit = testOctokit(api.url);
  const misspelt = { owner: 'o', repo: 'r', issue_number: 1, bdy: 'Preview deployed' };

  await expect(
    octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', misspelt as never),
  ).rejects.toMatchObject({ status: 422 });

  expect(called).toBe(false);
  expect(api.violations).toEqual([
    {
      method: 'POST',
      path: '/repos/o/r/issues/1/comments',
      status: 422,
      detail: "request.body: Request body must have required property 'body'",
    },
  ]);
  expect(() => api.assertNoViolations()).toThrow(/contract violations/);
});

test('a comment with no request body at all is a contract violation', async () => {
  const octokit = testOctokit(api.url);

  await expect(
    octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: 'o',
      repo: 'r',
      issue_number: 1,
    } as never),
  ).rejects.toMatchObject({ status: 422 });

  expect(api.violations).toEqual([
    expect.objectContaining({ status: 422, detail: 'request: Body parameter is required' }),
  ]);
});

test('an unknown path is a contract violation', async () => {
  const octokit = new GitHub(testOctokitOptions(api.url));

  await expect(
    octokit.request('GET /repos/{owner}/{repo}/no-such-thing', { owner: 'o', repo: 'r' }),
  ).rejects.toMatchObject({
    status: 404,
  });

  expect(api.violations).toEqual([
    expect.objectContaining({ method: 'GET', path: '/repos/o/r/no-such-thing', status: 404 }),
  ]);
});

test("Prism's canned links to api.github.com are not passed on", async () => {
  const octokit = testOctokit(api.url);

  const pulls = await octokit.paginate(octokit.rest.pulls.list, { owner: 'o', repo: 'r' });

  expect(pulls.length).toBeGreaterThan(0);
  expect(api.requests).toHaveLength(1);
  api.assertNoViolations();
});
