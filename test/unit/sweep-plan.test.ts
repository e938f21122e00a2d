import { describe, expect, it } from '@jest/globals';
import { planSweep } from '../../src/bot/sweep/sweep-plan.js';
import type { FleetView } from '../../src/bot/sweep/sweep-read.js';
import type { InstalledRepo } from '../../src/bot/sweep/installed-repositories.js';
import type { RoutingGroup, SweptRepo } from '../../src/bot/sweep/sweep-types.js';
import type { PreviewConfig } from '../../src/core/config/repo-config.js';
import type { PreviewDeps } from '../../src/core/preview/preview-types.js';
import type { PreviewTask } from '../../src/core/preview/preview-tasks.js';
import type { RoutedHost } from '../../src/core/preview/router.js';
import { githubAnswering, httpError, type Answer } from './github-answers.js';

const HEAD = 'a'.repeat(40);
const PULLS = 'GET /repos/{owner}/{repo}/pulls';
const PULL = 'GET /repos/{owner}/{repo}/pulls/{pull_number}';

interface Pull {
  number: number;
  state?: string;
  sha?: string;
  draft?: boolean;
  labels?: string[];
}
const pullData = (p: Pull) => ({
  number: p.number,
  state: p.state ?? 'open',
  draft: p.draft ?? false,
  labels: (p.labels ?? []).map((name) => ({ name })),
  head: { sha: p.sha ?? HEAD, ref: 'feature' },
  base: { repo: { full_name: 'acme/web' } },
});

/** A repository swept with previews in `cluster`, whose GitHub answers the open PR list and reads. */
function sweptRepo(
  full: string,
  cluster: string,
  github: { open?: Pull[] | Error; read?: Record<number, Pull | Error> },
): SweptRepo {
  const [owner = '', repo = ''] = full.split('/');
  const answers: Record<string, Answer> = {
    [PULLS]: () => {
      if (github.open instanceof Error) throw github.open;
      return (github.open ?? []).map(pullData);
    },
    [PULL]: (parameters) => {
      const found = github.read?.[parameters.pull_number as number];
      if (found === undefined) throw httpError(404);
      if (found instanceof Error) throw found;
      return pullData(found);
    },
  };
  return {
    repo: { owner, repo },
    api: githubAnswering(answers),
    full,
    config: { cluster, routing: { domain: 'preview.example.com' } } as unknown as PreviewConfig,
    deps: {} as PreviewDeps,
  };
}

function task(repo: string, pr: number, extra: Partial<PreviewTask> = {}): PreviewTask {
  return {
    task: {},
    arn: `arn:aws:ecs:us-east-1:123456789012:task/previews/${repo}-${pr}`,
    cluster: 'previews',
    repo,
    pr,
    sha: HEAD,
    label: `pr-${pr}-web`,
    status: 'RUNNING',
    ...extra,
  };
}

function view(
  swept: SweptRepo[],
  fleet: Record<string, PreviewTask[]>,
  routed?: string[],
  others: { installed?: InstalledRepo[]; suspendedOwners?: string[] } = {},
): FleetView {
  const groups: RoutingGroup[] = [
    {
      repos: swept,
      deps: {} as PreviewDeps,
      ...(routed && {
        routed: new Map<string, RoutedHost>(
          routed.map((hostname) => [hostname, { hostname, owned: true }]),
        ),
      }),
    },
  ];
  const installed = [...swept, ...(others.installed ?? [])];
  return {
    installed: installed.length,
    swept,
    installedRepos: new Map(
      installed.map((r) => [`${r.repo.owner}/${r.repo.repo}`.toLowerCase(), r]),
    ),
    unreadable: { repos: new Set(), owners: new Set(others.suspendedOwners ?? []) },
    deploying: [],
    complete: true,
    groups,
    fleet: new Map(Object.entries(fleet)),
  };
}

async function plan(fleetView: FleetView) {
  const problems: string[] = [];
  const result = await planSweep(fleetView, (text) => problems.push(text));
  return {
    previews: result.previews,
    closed: result.closed.map((d) => ({
      pr: `${d.full}#${d.pr}`,
      reason: d.reason,
      stopped: d.stopped,
      hostnames: d.hostnames,
      tasks: d.tasks.length,
    })),
    reconcile: result.reconcile.map((f) => `${f.full}#${f.pr}`),
    candidates: result.candidates.map((c) => `${c.repo.full}#${c.pull.number}`),
    strays: result.strays.map((d) => `${d.full}#${d.pr} in ${d.cluster}: ${d.why}`),
    problems,
  };
}

describe('planSweep: which previews are orphans of a closed PR', () => {
  it('stops the preview of a PR that is closed, and keeps judging the open ones', async () => {
    const web = sweptRepo('acme/web', 'previews', {
      open: [{ number: 1 }],
      read: { 2: { number: 2, state: 'closed' } },
    });
    expect(
      await plan(view([web], { previews: [task('acme/web', 1), task('acme/web', 2)] })),
    ).toEqual({
      previews: 2,
      closed: [
        {
          pr: 'acme/web#2',
          reason: 'closed',
          stopped: { kind: 'closed', why: 'the pull request was closed' },
          hostnames: ['pr-2-web.preview.example.com'],
          tasks: 1,
        },
      ],
      reconcile: [],
      candidates: ['acme/web#1'],
      strays: [],
      problems: [],
    });
  });

  it('stops the preview of a PR GitHub no longer has (404), with no host name when unlabelled', async () => {
    const web = sweptRepo('acme/web', 'previews', { open: [] });
    const result = await plan(view([web], { previews: [task('acme/web', 9, { label: '' })] }));
    expect(result.closed).toEqual([
      expect.objectContaining({ pr: 'acme/web#9', reason: 'closed', hostnames: [] }),
    ]);
    expect(result.problems).toEqual([]);
  });

  it('keeps a preview whose PR was missing from the list but is open when read again', async () => {
    const web = sweptRepo('acme/web', 'previews', { open: [], read: { 3: { number: 3 } } });
    const result = await plan(view([web], { previews: [task('acme/web', 3)] }));
    expect(result).toMatchObject({ closed: [], candidates: ['acme/web#3'], problems: [] });
  });

  it('keeps a preview whose PR cannot be read (not a 404), and says why', async () => {
    const web = sweptRepo('acme/web', 'previews', {
      open: [],
      read: { 4: httpError(502, 'Bad Gateway') },
    });
    const result = await plan(view([web], { previews: [task('acme/web', 4)] }));
    expect(result).toMatchObject({
      previews: 1,
      closed: [],
      candidates: [],
      problems: ['could not read acme/web#4: Bad Gateway'],
    });
  });

  it('leaves a repository alone when its open PRs cannot be listed, listing them once', async () => {
    const web = sweptRepo('acme/web', 'previews', { open: httpError(500, 'Server Error') });
    const result = await plan(
      view([web], { previews: [task('acme/web', 1), task('acme/web', 2)] }),
    );
    expect(result).toMatchObject({ previews: 2, closed: [], candidates: [], reconcile: [] });
    expect(result.problems).toEqual([
      'could not list the open PRs of acme/web: Server Error',
      'could not list the open PRs of acme/web: Server Error',
    ]);
    expect((web.api as ReturnType<typeof githubAnswering>).calls).toHaveLength(1);
  });

  it("judges by their PR alone the previews no config covers: another cluster than the config's, a repository without config", async () => {
    const web = sweptRepo('acme/web', 'previews', {
      open: [{ number: 6 }],
      read: { 5: { number: 5, state: 'closed' } },
    });
    const api = sweptRepo('acme/api', 'unused', { open: [{ number: 1 }] });
    const result = await plan(
      view(
        [web],
        { elsewhere: [task('acme/web', 5), task('acme/web', 6), task('acme/api', 1)] },
        undefined,
        {
          installed: [{ repo: api.repo, api: api.api }],
        },
      ),
    );
    expect(result).toEqual({
      previews: 3,
      closed: [],
      reconcile: [],
      candidates: [],
      strays: ['acme/web#5 in elsewhere: the pull request was closed'],
      problems: [],
    });
  });

  it('tears down the previews of a repository the App is no longer installed on, unless its installation is only unreadable', async () => {
    const web = sweptRepo('acme/web', 'previews', { open: [] });
    const gone = await plan(view([web], { previews: [task('other/app', 1)] }));
    expect(gone.strays).toEqual([
      'other/app#1 in previews: the App is no longer installed on the repository',
    ]);
    const suspended = await plan(
      view([web], { previews: [task('Other/app', 1)] }, undefined, { suspendedOwners: ['other'] }),
    );
    expect(suspended).toMatchObject({ previews: 1, strays: [], closed: [] });
  });

  it("groups a PR's tasks into one preview", async () => {
    const web = sweptRepo('acme/web', 'previews', { open: [] });
    const result = await plan(
      view([web], { previews: [task('acme/web', 6), task('acme/web', 6, { label: '' })] }),
    );
    expect(result.previews).toBe(1);
    expect(result.closed).toEqual([expect.objectContaining({ pr: 'acme/web#6', tasks: 2 })]);
  });
});

describe('planSweep: which previews of open PRs the reconcile loop must look at', () => {
  const routedHost = 'pr-1-web.preview.example.com';
  it.each<[string, Pull, PreviewTask[], string[] | undefined, boolean]>([
    [
      'one running task on the head, routed',
      { number: 1 },
      [task('acme/web', 1)],
      [routedHost],
      false,
    ],
    ['one running task, routing not read', { number: 1 }, [task('acme/web', 1)], undefined, false],
    [
      'a second task',
      { number: 1 },
      [task('acme/web', 1), task('acme/web', 1)],
      [routedHost],
      true,
    ],
    [
      'a task not running yet',
      { number: 1 },
      [task('acme/web', 1, { status: 'PENDING' })],
      [routedHost],
      true,
    ],
    [
      'a head that moved',
      { number: 1, sha: 'b'.repeat(40) },
      [task('acme/web', 1)],
      [routedHost],
      true,
    ],
    ['a PR turned draft', { number: 1, draft: true }, [task('acme/web', 1)], [routedHost], true],
    [
      'a PR labelled no-preview',
      { number: 1, labels: ['bug', 'no-preview'] },
      [task('acme/web', 1)],
      [routedHost],
      true,
    ],
    ['another label', { number: 1, labels: ['bug'] }, [task('acme/web', 1)], [routedHost], false],
    [
      'a route missing',
      { number: 1 },
      [task('acme/web', 1)],
      ['pr-2-web.preview.example.com'],
      true,
    ],
    [
      'a task without a label where routes are read',
      { number: 1 },
      [task('acme/web', 1, { label: '' })],
      [routedHost],
      true,
    ],
    [
      'a route in another case, with a trailing dot',
      { number: 1 },
      [task('acme/web', 1, { label: 'PR-1-web' })],
      [routedHost],
      false,
    ],
  ])('%s: %s', async (_case, pull, tasks, routed, reconcile) => {
    const web = sweptRepo('acme/web', 'previews', { open: [pull] });
    const result = await plan(view([web], { previews: tasks }, routed));
    expect(result.candidates).toEqual(['acme/web#1']);
    expect(result.reconcile).toEqual(reconcile ? ['acme/web#1'] : []);
  });
});
