import { describe, expect, it } from '@jest/globals';
import { approvedAt, headChecks } from '../../src/bot/head-checks.js';
import { githubAnswering } from './github-answers.js';

const REPO = { owner: 'acme', repo: 'web' };
const SHA = 'a'.repeat(40);
const STATUS = 'GET /repos/{owner}/{repo}/commits/{ref}/status';
const RUNS = 'GET /repos/{owner}/{repo}/commits/{ref}/check-runs';
const REVIEWS = 'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews';

type Status = { context: string; state: string };
type Run = { name: string; status: string; conclusion: string | null };
const run = (name: string, status: string, conclusion: string | null = null): Run => ({
  name,
  status,
  conclusion,
});

describe('headChecks: a commit is green only when everything reported for it succeeded', () => {
  it.each<[string, Status[], Run[], { green: true } | { green: false; why: string }]>([
    [
      'nothing reported',
      [],
      [],
      { green: false, why: 'no status or check has been reported for it yet' },
    ],
    ['one successful status', [{ context: 'ci', state: 'success' }], [], { green: true }],
    ['one successful check run', [], [run('test', 'completed', 'success')], { green: true }],
    [
      'neutral and skipped runs',
      [],
      [run('lint', 'completed', 'neutral'), run('deploy', 'completed', 'skipped')],
      { green: true },
    ],
    [
      'a pending status',
      [{ context: 'ci', state: 'pending' }],
      [],
      { green: false, why: '1 check(s) not successful' },
    ],
    [
      'a failed status',
      [{ context: 'ci', state: 'failure' }],
      [run('t', 'completed', 'success')],
      { green: false, why: '1 check(s) not successful' },
    ],
    [
      'a run in progress',
      [],
      [run('test', 'in_progress')],
      { green: false, why: '1 check(s) still running' },
    ],
    [
      'a queued run',
      [],
      [run('test', 'queued')],
      { green: false, why: '1 check(s) still running' },
    ],
    [
      'a failed run',
      [],
      [run('test', 'completed', 'failure')],
      { green: false, why: '1 check(s) not successful' },
    ],
    [
      'a cancelled run',
      [],
      [run('test', 'completed', 'cancelled')],
      { green: false, why: '1 check(s) not successful' },
    ],
    [
      'a completed run without a conclusion',
      [],
      [run('test', 'completed', null)],
      { green: false, why: '1 check(s) not successful' },
    ],
    [
      'runs still going and failures together',
      [{ context: 'ci', state: 'error' }],
      [run('a', 'in_progress'), run('b', 'queued'), run('c', 'completed', 'timed_out')],
      { green: false, why: '2 check(s) still running and 2 check(s) not successful' },
    ],
  ])('%s', async (_case, statuses, runs, expected) => {
    const github = githubAnswering({
      [STATUS]: () => ({ state: 'x', total_count: statuses.length, statuses }),
      [RUNS]: () => ({ total_count: runs.length, check_runs: runs }),
    });
    expect(await headChecks(github, REPO, SHA)).toEqual(expected);
    expect(github.calls.map((c) => c.parameters)).toEqual([
      { owner: 'acme', repo: 'web', ref: SHA, per_page: 100, page: 1 },
      { owner: 'acme', repo: 'web', ref: SHA, per_page: 100, page: 1 },
    ]);
  });

  it('reads every page: a failed run on the second page is not green', async () => {
    const page1 = Array.from({ length: 100 }, (_, i) => run(`ok-${i}`, 'completed', 'success'));
    const page2 = [run('slow-e2e', 'completed', 'failure')];
    const statuses = Array.from({ length: 100 }, (_, i) => ({
      context: `s${i}`,
      state: 'success',
    }));
    const github = githubAnswering({
      [STATUS]: ({ page }) =>
        page === 1
          ? { state: 'success', total_count: 101, statuses }
          : {
              state: 'failure',
              total_count: 101,
              statuses: [{ context: 'late', state: 'failure' }],
            },
      [RUNS]: ({ page }) => ({ total_count: 101, check_runs: page === 1 ? page1 : page2 }),
    });
    expect(await headChecks(github, REPO, SHA)).toEqual({
      green: false,
      why: '2 check(s) not successful',
    });
    expect(github.calls.map((c) => c.parameters.page)).toEqual([1, 2, 1, 2]);
  });
});

describe('approvedAt: someone approved exactly this SHA in their latest review', () => {
  type Review = { user: { login: string } | null; state: string; commit_id: string | null };
  const review = (login: string | null, state: string, commit = SHA): Review => ({
    user: login === null ? null : { login },
    state,
    commit_id: commit,
  });
  it.each<[string, Review[], boolean]>([
    ['no reviews', [], false],
    ['an approval of this SHA', [review('ana', 'APPROVED')], true],
    ['an approval of an older SHA', [review('ana', 'APPROVED', 'b'.repeat(40))], false],
    ['changes requested', [review('ana', 'CHANGES_REQUESTED')], false],
    [
      'an approval withdrawn by a later request for changes',
      [review('ana', 'APPROVED'), review('ana', 'CHANGES_REQUESTED')],
      false,
    ],
    [
      'an approval followed by a comment (comments do not withdraw it)',
      [review('ana', 'APPROVED'), review('ana', 'COMMENTED')],
      true,
    ],
    [
      'changes requested, then approved',
      [review('ana', 'CHANGES_REQUESTED'), review('ana', 'APPROVED')],
      true,
    ],
    [
      "one reviewer's approval next to another's request",
      [review('ana', 'APPROVED'), review('bo', 'CHANGES_REQUESTED')],
      true,
    ],
    ['an approval by a deleted user', [review(null, 'APPROVED')], false],
    ['a dismissed approval', [review('ana', 'APPROVED'), review('ana', 'DISMISSED')], false],
  ])('%s: %s', async (_case, reviews, expected) => {
    const github = githubAnswering({ [REVIEWS]: () => reviews });
    expect(await approvedAt(github, REPO, 7, SHA)).toBe(expected);
    expect(github.calls[0]?.parameters).toEqual({
      owner: 'acme',
      repo: 'web',
      pull_number: 7,
      per_page: 100,
    });
  });
});
