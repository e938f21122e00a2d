import { describe, expect, it } from '@jest/globals';
import { approveHead } from '../../src/bot/approve-head.js';
import type { PullRequestData } from '../../src/bot/github-api.js';
import { COMMENT_MARKER } from '../../src/core/github/living-comment.js';
import { githubAnswering, httpError, type Answer } from './github-answers.js';

const REPO = { owner: 'acme', repo: 'web' };
const HEAD = 'c0ffee'.padEnd(40, '1');
const OLD = 'dec0de'.padEnd(40, '2');
const COMMENTS = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments';
const COMMIT = 'GET /repos/{owner}/{repo}/commits/{ref}';
const pull: PullRequestData = {
  number: 7,
  state: 'open',
  head: { sha: HEAD, ref: 'feature' },
  base: { repo: { full_name: 'acme/web' } },
};

/** The App's own comment on the PR, showing `sha` as the head since `since`. */
const appComment =
  (sha: string, since: string): Answer =>
  () => [
    {
      id: 1,
      user: { type: 'User' },
      body: `${COMMENT_MARKER}\n<!-- ecs-paas:head sha=${OLD} since=2020-01-01T00:00:00.000Z -->`,
    },
    {
      id: 2,
      user: { type: 'Bot' },
      body: `${COMMENT_MARKER}\nPreview\n<!-- ecs-paas:head sha=${sha} since=${since} -->`,
    },
  ];
const noComment: Answer = () => [];
const committedAt =
  (date: string | undefined): Answer =>
  () => ({
    commit: { committer: date === undefined ? null : { date } },
  });

type Case = [
  string,
  { sha?: string; at: string; fork: boolean },
  Record<string, Answer>,
  { ok: true } | { reply: string },
];

describe('approveHead: a command approves only a head its writer could have seen', () => {
  it.each<Case>([
    [
      'a named SHA that is the head (abbreviated)',
      { sha: 'c0ffee1', at: '2026-01-01T10:00:00Z', fork: true },
      {},
      { ok: true },
    ],
    [
      'a named SHA that is the head (in full)',
      { sha: HEAD, at: '2026-01-01T10:00:00Z', fork: true },
      {},
      { ok: true },
    ],
    [
      'a named SHA that is no longer the head',
      { sha: 'dec0de2', at: '2026-01-01T10:00:00Z', fork: false },
      {},
      {
        reply:
          'The head moved: the command names `dec0de2` but the head is now `c0ffee1`. Nothing was deployed; review `c0ffee1` and comment `/deploy c0ffee1` to approve it.',
      },
    ],
    [
      'the head the comment showed before the command',
      { at: '2026-01-01T10:00:00Z', fork: true },
      { [COMMENTS]: appComment(HEAD, '2026-01-01T09:59:59.000Z') },
      { ok: true },
    ],
    [
      'the head shown in the same second as the command (GitHub dates comments to the second)',
      { at: '2026-01-01T10:00:00Z', fork: true },
      { [COMMENTS]: appComment(HEAD, '2026-01-01T10:00:00.900Z') },
      { ok: true },
    ],
    [
      'the head shown a second after the command',
      { at: '2026-01-01T10:00:00Z', fork: true },
      { [COMMENTS]: appComment(HEAD, '2026-01-01T10:00:01.000Z') },
      {
        reply:
          'The head moved: `c0ffee1` became the head after this command was written. Nothing was deployed; review `c0ffee1` and comment `/deploy c0ffee1` to approve exactly that commit.',
      },
    ],
    [
      'a head other than the one the comment showed',
      { at: '2026-01-01T10:00:00Z', fork: false },
      { [COMMENTS]: appComment(OLD, '2026-01-01T09:00:00.000Z') },
      {
        reply:
          'The head moved: the pull request last showed `dec0de2` and its head is now `c0ffee1`. Nothing was deployed; review `c0ffee1` and comment `/deploy c0ffee1` to approve exactly that commit.',
      },
    ],
    [
      'a same-repository head committed before the command, with no App comment',
      { at: '2026-01-01T10:00:00Z', fork: false },
      { [COMMENTS]: noComment, [COMMIT]: committedAt('2026-01-01T10:00:00Z') },
      { ok: true },
    ],
    [
      'a same-repository head committed after the command',
      { at: '2026-01-01T10:00:00Z', fork: false },
      { [COMMENTS]: noComment, [COMMIT]: committedAt('2026-01-01T10:00:01Z') },
      {
        reply:
          'The App cannot tell that `c0ffee1` was the head when this command was written. Nothing was deployed; comment `/deploy c0ffee1` to approve exactly that commit.',
      },
    ],
    [
      'a same-repository head without a commit date',
      { at: '2026-01-01T10:00:00Z', fork: false },
      { [COMMENTS]: noComment, [COMMIT]: committedAt(undefined) },
      {
        reply:
          'The App cannot tell that `c0ffee1` was the head when this command was written. Nothing was deployed; comment `/deploy c0ffee1` to approve exactly that commit.',
      },
    ],
    [
      'a same-repository head whose commit cannot be read',
      { at: '2026-01-01T10:00:00Z', fork: false },
      {
        [COMMENTS]: noComment,
        [COMMIT]: () => {
          throw httpError(502);
        },
      },
      {
        reply:
          'The App cannot tell that `c0ffee1` was the head when this command was written. Nothing was deployed; comment `/deploy c0ffee1` to approve exactly that commit.',
      },
    ],
    [
      "a fork's head with no App comment, whatever its commit date says",
      { at: '2026-01-01T10:00:00Z', fork: true },
      { [COMMENTS]: noComment, [COMMIT]: committedAt('2020-01-01T00:00:00Z') },
      {
        reply:
          'The App cannot tell that `c0ffee1` was the head when this command was written. Nothing was deployed; comment `/deploy c0ffee1` to approve exactly that commit.',
      },
    ],
  ])('%s', async (_case, command, answers, expected) => {
    const github = githubAnswering(answers);
    const approval = await approveHead(github, REPO, pull, {
      ...(command.sha !== undefined && { sha: command.sha }),
      createdAt: new Date(command.at),
      fork: command.fork,
    });
    expect(approval).toEqual(
      'ok' in expected ? { ok: true, sha: HEAD } : { ok: false, ...expected },
    );
  });

  it("reads the PR's comments and the head commit of this repository", async () => {
    const github = githubAnswering({
      [COMMENTS]: noComment,
      [COMMIT]: committedAt('2020-01-01T00:00:00Z'),
    });
    await approveHead(github, REPO, pull, {
      createdAt: new Date('2026-01-01T10:00:00Z'),
      fork: false,
    });
    expect(github.calls.map((c) => [c.route, c.parameters])).toEqual([
      [COMMENTS, { owner: 'acme', repo: 'web', issue_number: 7, per_page: 100, page: 1 }],
      [COMMIT, { owner: 'acme', repo: 'web', ref: HEAD }],
    ]);
  });
});
