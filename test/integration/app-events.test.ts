import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { deliver, settled, startApp } from '../support/app-process.js';
import { PREVIEW_DOMAIN, tagOf, useAppFixture } from '../support/app-fixture.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { eventually as pollFor } from '../support/eventually.js';

// The pull request events and lifecycles no other file drives through the running App.
const TOKEN = randomBytes(24).toString('hex');
const f = useAppFixture({
  env: { ECS_PAAS_API_TOKEN: TOKEN },
  setUp: (fixture) => Promise.resolve(fixture.world.setPermission('maintainer', 'write')),
});

const sha = (): string => randomBytes(20).toString('hex');
const eventually = <T>(what: string, probe: () => Promise<T | undefined> | T | undefined) =>
  f.eventually(what, probe);
const living = (n: number): string =>
  f.world.comments(n).find((c) => c.includes('ecs-paas:preview')) ?? '';
const runningShas = async () => (await f.tasks()).map((t) => tagOf(t, 'ecs-paas:sha'));

async function event(action: string, number: number, extra: Record<string, unknown> = {}) {
  await deliver(f.app, 'pull_request', f.world.pullRequestEvent(action as 'opened', number, extra));
  await settled(f.app);
}

/** One sweep through the operator API, waited for; its report. */
async function sweep(): Promise<{ orphanRoutes: number; reconciled: number; problems: string[] }> {
  const response = await fetch(`${f.app.url}/api/sweep?wait=1`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return (await response.json()) as {
    orphanRoutes: number;
    reconciled: number;
    problems: string[];
  };
}

async function launched(number: number, head: string): Promise<void> {
  f.world.addPull({ number, sha: head });
  await pushEcrImage(f.ecr, 'web', head);
  await event('opened', number);
  expect(await runningShas()).toEqual([head]);
}

describe('pull request events on the running App', () => {
  it('converted_to_draft tears the preview down; reopened after a close brings it back', async () => {
    const head = sha();
    await launched(1, head);
    f.world.updatePull(1, { draft: true });
    await event('converted_to_draft', 1);
    expect(await runningShas()).toEqual([]);
    expect(living(1)).toContain('draft');

    f.world.updatePull(1, { draft: false, state: 'closed' });
    await event('closed', 1);
    f.world.updatePull(1, { state: 'open' });
    await event('reopened', 1);
    expect(await runningShas()).toEqual([head]);
    expect(living(1)).toContain('Preview ready');
  });

  it('unlabeled no-preview launches again, and other labels do nothing', async () => {
    const head = sha();
    f.world.addPull({ number: 2, sha: head, labels: ['no-preview'] });
    await pushEcrImage(f.ecr, 'web', head);
    await event('opened', 2);
    expect(await runningShas()).toEqual([]);
    const requests = f.world.requests().length;
    await event('unlabeled', 2, { label: { name: 'bug' } });
    expect(f.world.requests()).toHaveLength(requests);
    f.world.updatePull(2, { labels: [] });
    await event('unlabeled', 2, { label: { name: 'no-preview' } });
    expect(await runningShas()).toEqual([head]);
  });

  it('a successful check_suite for the head launches a preview that was waiting for its image', async () => {
    const head = sha();
    f.world.addPull({ number: 3, sha: head });
    await event('opened', 3);
    expect(living(3)).toContain('Waiting');
    await pushEcrImage(f.ecr, 'web', head);
    const suite = (conclusion: string) => ({
      action: 'completed',
      check_suite: { head_sha: head, conclusion, pull_requests: [{ number: 3 }] },
      repository: f.world.repository,
      installation: { id: f.world.installationId },
    });
    await deliver(f.app, 'check_suite', suite('failure'));
    await settled(f.app);
    expect(await runningShas()).toEqual([]);
    await deliver(f.app, 'check_suite', suite('success'));
    await settled(f.app);
    expect(await runningShas()).toEqual([head]);
  });

  it("a fork's approval given before its image existed holds when its workflow_run succeeds, for that SHA only", async () => {
    const head = sha();
    f.world.addPull({ number: 4, sha: head, fork: true, author: 'mallory' });
    await event('opened', 4);
    const approval = f.world.addComment(4, '/deploy', { login: 'maintainer', type: 'User' });
    await deliver(f.app, 'issue_comment', f.world.issueCommentEvent('created', approval));
    await settled(f.app);
    expect(living(4)).toContain('Waiting');
    await pushEcrImage(f.ecr, 'web', head);
    // Fork runs list no pull requests; the App asks which open PR has this head.
    await deliver(f.app, 'workflow_run', {
      action: 'completed',
      workflow_run: {
        head_sha: head,
        conclusion: 'success',
        event: 'pull_request',
        pull_requests: [],
      },
      repository: f.world.repository,
      installation: { id: f.world.installationId },
    });
    await settled(f.app);
    expect(await runningShas()).toEqual([head]);

    // A newer head is not covered by that approval, image or not.
    const pushed = sha();
    await pushEcrImage(f.ecr, 'web', pushed);
    f.world.updatePull(4, { sha: pushed });
    await event('synchronize', 4);
    await deliver(f.app, 'workflow_run', {
      action: 'completed',
      workflow_run: {
        head_sha: pushed,
        conclusion: 'success',
        event: 'pull_request',
        pull_requests: [],
      },
      repository: f.world.repository,
      installation: { id: f.world.installationId },
    });
    await settled(f.app);
    expect(await runningShas()).not.toContain(pushed);
  });

  it("counts a submitted review as activity on the preview's task", async () => {
    const head = sha();
    await launched(5, head);
    const before = Date.now();
    await deliver(f.app, 'pull_request_review', {
      action: 'submitted',
      review: { id: 1, state: 'commented', user: { login: 'reviewer', type: 'User' } },
      pull_request: f.world.pull(5),
      sender: { login: 'reviewer', type: 'User' },
      repository: f.world.repository,
      installation: { id: f.world.installationId },
    });
    await settled(f.app);
    const at = tagOf((await f.tasks())[0], 'ecs-paas:last-activity') ?? '';
    expect(Date.parse(at)).toBeGreaterThanOrEqual(before - 1_000);
  });
});

describe('the App killed mid-launch', () => {
  it('converges after a restart: one task, one record, a ready comment', async () => {
    const head = sha();
    f.world.addPull({ number: 6, sha: head });
    await pushEcrImage(f.ecr, 'web', head);
    // Killed after RunTask, while its DNS record is being written.
    f.proxy.inject('Route53.ChangeResourceRecordSets', { kind: 'latency', ms: 10_000 }, 1);
    await deliver(f.app, 'pull_request', f.world.pullRequestEvent('opened', 6));
    await eventually(
      'the DNS change under way',
      () => (f.proxy.counts()['Route53.ChangeResourceRecordSets'] ?? 0) > 0 || undefined,
    );
    f.app.kill();
    await f.app.exited;
    f.proxy.clear();
    f.app = await startApp(f.appOptions());

    // GitHub redelivers what was not acknowledged as done; here, the same opened event again.
    await event('opened', 6);
    expect(await runningShas()).toEqual([head]);
    expect(await f.records()).toEqual([`pr-6-web.${PREVIEW_DOMAIN}.`]);
    expect(living(6)).toContain('Preview ready');
    expect(f.world.comments(6).filter((c) => c.includes('ecs-paas:preview'))).toHaveLength(1);
  });
});

describe('the sweep and installations', () => {
  async function orphanRecord(): Promise<void> {
    await f.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: f.zoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: `pr-7-web.${PREVIEW_DOMAIN}.`,
                Type: 'A',
                TTL: 60,
                ResourceRecords: [{ Value: '10.7.7.7' }],
              },
            },
          ],
        },
      }),
    );
  }

  it('removes a preview record whose task is gone', async () => {
    await orphanRecord();
    expect((await sweep()).orphanRoutes).toBe(1);
    expect(await f.records()).toEqual([]);
  });

  it('removes no record while a suspended installation hides repositories that may share the zone', async () => {
    await orphanRecord();
    f.world.addSuspendedInstallation(99, 'octo-other');
    const report = await sweep();
    expect(report.problems).toContain('installation 99 (octo-other) is suspended');
    expect(report.orphanRoutes).toBe(0);
    expect(await f.records()).toEqual([`pr-7-web.${PREVIEW_DOMAIN}.`]);
  });
});

describe("the App's log", () => {
  it('is JSON lines, and every line of a piece of work names its repository, PR and delivery', async () => {
    const head = sha();
    f.world.addPull({ number: 13, sha: head });
    await pushEcrImage(f.ecr, 'web', head);
    const deliveryId = randomBytes(16).toString('hex');
    const before = f.app.output().length;
    await deliver(f.app, 'pull_request', f.world.pullRequestEvent('opened', 13), { deliveryId });
    await settled(f.app);
    const lines = f.app
      .output()
      .slice(before)
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { msg?: string; repo?: string; pr?: number; delivery?: string });
    const work = lines.filter((l) => /PR #13\b/.test(l.msg ?? ''));
    // The engine's own lines (started, routed) and the handler's outcome, at least.
    expect(work.length).toBeGreaterThanOrEqual(2);
    for (const line of work) {
      expect(line).toMatchObject({ repo: 'acme/web', pr: 13, delivery: deliveryId });
    }
  });
});

describe('a lost opened', () => {
  it('the sweep brings up the preview of an open PR whose opened never arrived, once', async () => {
    const head = sha();
    f.world.addPull({ number: 11, sha: head });
    await pushEcrImage(f.ecr, 'web', head);
    const report = await sweep();
    expect(report.reconciled).toBe(1);
    expect(await runningShas()).toEqual([head]);
    expect(living(11)).toContain('Preview ready');
    const reads = f.world.requests().length;
    expect((await sweep()).reconciled).toBe(0);
    // Known to the App now: its comments are not read again.
    expect(
      f.world
        .requests()
        .slice(reads)
        .filter((r) => r.includes('/issues/11/comments')),
    ).toEqual([]);
  });

  it('leaves alone an open PR without a preview that the App has told something (stopped by a writer)', async () => {
    const head = sha();
    await launched(12, head);
    f.world.setPermission('maintainer', 'write');
    const stop = f.world.addComment(12, '/preview stop', { login: 'maintainer', type: 'User' });
    await deliver(f.app, 'issue_comment', f.world.issueCommentEvent('created', stop));
    await settled(f.app);
    expect(await runningShas()).toEqual([]);
    expect((await sweep()).reconciled).toBe(0);
    expect(await runningShas()).toEqual([]);
  });
});

describe('the sweep timer', () => {
  it.each(['1s', 'soon', '2d'])('refuses ECS_PAAS_SWEEP_INTERVAL=%s naming it', async (value) => {
    await expect(
      startApp({ ...f.appOptions(), env: { ECS_PAAS_SWEEP_INTERVAL: value } }),
    ).rejects.toThrow(/ECS_PAAS_SWEEP_INTERVAL is '.*'; set it to a duration from 10s to 24h/);
  });

  it('sweeps by itself every ECS_PAAS_SWEEP_INTERVAL', async () => {
    const timed = await startApp({
      ...f.appOptions(),
      env: { ...f.appOptions().env, ECS_PAAS_SWEEP_INTERVAL: '10s' },
    });
    try {
      const last = await pollFor(
        'a sweep nobody asked for',
        async () => {
          const response = await fetch(`${timed.url}/api/sweep`, {
            headers: { authorization: `Bearer ${TOKEN}` },
          });
          const status = (await response.json()) as { last?: { trigger?: string } };
          return status.last;
        },
        { timeoutMs: 30_000, context: () => timed.output().slice(-2000) },
      );
      expect(last.trigger).toBe('interval');
    } finally {
      await timed.stop();
    }
  });
});
