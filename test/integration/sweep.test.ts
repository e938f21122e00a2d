import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import type { BotServices } from '../../src/bot/bot-services.js';
import { keepPreview } from '../../src/bot/keep-preview.js';
import { reconcilePullRequest } from '../../src/bot/reconcile-pull-request.js';
import { recordActivity } from '../../src/bot/record-activity.js';
import type { FleetSource } from '../../src/bot/sweep/installed-repositories.js';
import { IDLE_CONFIRM_MS } from '../../src/bot/sweep/find-idle.js';
import { sweepFleet } from '../../src/bot/sweep/sweep-fleet.js';
import { BLIND_PERIODS } from '../../src/bot/sweep/unreadable-requests.js';
import type { SweepReport } from '../../src/bot/sweep/sweep-types.js';
import { Sweeper } from '../../src/bot/sweep/sweeper.js';
import { testAwsConfig } from '../support/aws.js';
import { recordingLogger, testBotServices } from '../support/bot-services.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { testOctokit } from '../support/github.js';
import { aRecordNames, putARecord, runningPrs as fleetPrs } from '../support/fleet-state.js';
import { startMoto, type Moto } from '../support/moto.js';
import { setUpPreviewFixture, type PreviewFixture } from '../support/preview-fixture.js';

const DOMAIN = 'preview.example.com';
const HOUR = 3_600_000;
const REPO = { owner: 'acme', repo: 'web' };

let moto: Moto;
let proxy: FaultProxy;
let fixture: PreviewFixture;
let services: BotServices;
let cloudwatch: CloudWatchClient;
let source: FleetSource;
/** The App's clock: tests move it forward instead of waiting a day. */
let clock: Date;
const warnings: string[] = [];

const logger = recordingLogger(warnings);

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  cloudwatch = new CloudWatchClient(testAwsConfig(moto.url));
});

afterAll(async () => {
  cloudwatch?.destroy();
  await Promise.allSettled([proxy?.stop(), moto?.stop()]);
});

/** dns previews counted by a metric the app publishes, so traffic can be made up per preview. */
const ACTIVITY = [
  '  idle-after: 24h',
  '  activity-metric: { namespace: AcmeWeb, name: Requests, dimension: Preview }',
].join('\n');

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  warnings.length = 0;
  fixture = await setUpPreviewFixture(proxy.url, ACTIVITY);
  fixture.world.setPermission('maintainer', 'write');
  clock = new Date();
  services = testBotServices(proxy.url, () => clock, logger);
  const api = testOctokit(fixture.api.url);
  source = () => Promise.resolve({ repos: [{ repo: REPO, api }], unreadable: [] });
});

afterEach(async () => {
  await services.queue.idle();
  await services.metrics.settled();
  fixture.api.assertNoViolations();
  await fixture.close();
});

/** Opens PR `number` with an image in ECR and lets the App's reconcile launch its preview. */
async function launch(number: number): Promise<string> {
  const sha = randomBytes(20).toString('hex');
  fixture.world.addPull({ number, sha });
  await pushEcrImage(fixture.ecr, 'web', sha);
  const outcome = await reconcilePullRequest(testOctokit(fixture.api.url), services, REPO, number);
  expect(outcome.kind).toBe('launched');
  return sha;
}

const runningPrs = (): Promise<number[]> => fleetPrs(fixture.ecs);
const records = (): Promise<string[]> => aRecordNames(fixture.route53, fixture.zoneId);
const addRecord = (label: string, ip: string): Promise<void> =>
  putARecord(fixture.route53, fixture.zoneId, `${label}.${DOMAIN}`, ip);

/** Requests the previewed app reported for a preview, `ago` before the App's clock. */
async function traffic(label: string, ago: number, count = 12): Promise<void> {
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: 'AcmeWeb',
      MetricData: [
        {
          MetricName: 'Requests',
          Dimensions: [{ Name: 'Preview', Value: label }],
          Timestamp: new Date(clock.getTime() - ago),
          Value: count,
          Unit: 'Count',
        },
      ],
    }),
  );
}

/** Sweeps as the App does every few minutes: a first look, then one past CloudWatch's delay. */
async function sweepConfirmed(): Promise<SweepReport> {
  await sweepFleet(services, source, 'test');
  later(IDLE_CONFIRM_MS);
  return sweepFleet(services, source, 'test');
}

const comment = (n: number): string => fixture.world.comments(n).at(-1) ?? '';
const later = (ms: number): void => {
  clock = new Date(clock.getTime() + ms);
};

describe('the sweep', () => {
  it('stops a preview with neither traffic nor PR activity for idle-after, and says so on the PR', async () => {
    await launch(1);
    await launch(2);
    later(25 * HOUR);
    await traffic('pr-1-web', 2 * HOUR);

    // A first look only notes it: a request from the last minutes may not be in CloudWatch yet.
    const look = await sweepFleet(services, source, 'test');
    expect(look).toMatchObject({ stopped: { idle: 0 }, pendingIdle: 1 });
    expect(await runningPrs()).toEqual([1, 2]);
    later(IDLE_CONFIRM_MS);
    const report = await sweepFleet(services, source, 'test');

    expect(report.stopped).toEqual({ idle: 1, closed: 0 });
    expect(await runningPrs()).toEqual([1]);
    expect(await records()).toEqual([`pr-1-web.${DOMAIN}`]);
    expect(comment(2)).toContain('stopped because nobody used it: no requests and no pushes');
    expect(comment(2)).toContain('Type `/deploy` to bring it back');
    // "Since when": the launch, as nothing happened after it.
    expect(comment(2)).toMatch(/since \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    const deployment = fixture.world.deployments.find((d) => d.environment === 'preview/pr-2');
    expect(deployment?.statuses.at(-1)?.state).toBe('inactive');
    expect(comment(1)).toContain('Preview ready');
    expect(comment(1)).toContain(
      '| Idle teardown | after 1d without requests, pushes, comments or reviews |',
    );
  });

  it('keeps a preview whose request reached CloudWatch only after the first look', async () => {
    await launch(1);
    later(25 * HOUR);
    expect((await sweepFleet(services, source, 'test')).pendingIdle).toBe(1);
    // Someone opened the preview a minute before that look; CloudWatch reports it minutes late.
    await traffic('pr-1-web', 60_000, 1);
    later(IDLE_CONFIRM_MS);

    const report = await sweepFleet(services, source, 'test');

    expect(report).toMatchObject({ stopped: { idle: 0 }, pendingIdle: 0 });
    expect(await runningPrs()).toEqual([1]);
  });

  it('keeps a preview whose PR saw a comment or review within idle-after', async () => {
    await launch(1);
    await launch(2);
    later(20 * HOUR);
    expect(await recordActivity(testOctokit(fixture.api.url), services, REPO, 1)).toBe(1);
    later(5 * HOUR);

    const report = await sweepConfirmed();

    expect(report.stopped.idle).toBe(1);
    expect(await runningPrs()).toEqual([1]);
  });

  it('counts a PR updated while the App was away (its updated_at) as activity', async () => {
    await launch(1);
    later(25 * HOUR);
    fixture.world.updatePull(1, { updatedAt: new Date(clock.getTime() - HOUR) });

    expect((await sweepConfirmed()).stopped.idle).toBe(0);
    expect(await runningPrs()).toEqual([1]);
  });

  it('stops nothing when the request count cannot be read, and stops it at the next sweep', async () => {
    await launch(1);
    later(25 * HOUR);
    proxy.inject('CloudWatch.GetMetricData', { kind: 'server-error', status: 500 }, 10);

    const blind = await sweepFleet(services, source, 'test');

    expect(blind.stopped.idle).toBe(0);
    expect(blind.unknownActivity).toBe(1);
    expect(blind.problems.join('\n')).toMatch(/acme\/web#1: request count unreadable/);
    expect(await runningPrs()).toEqual([1]);

    proxy.clear();
    expect((await sweepConfirmed()).stopped.idle).toBe(1);
    expect(await runningPrs()).toEqual([]);
  });

  it('judges by PR activity alone once the request count was unreadable for idle-after × 3, and says so', async () => {
    await launch(1);
    later(25 * HOUR);
    proxy.inject('CloudWatch.GetMetricData', { kind: 'server-error', status: 500 }, 1_000);

    const first = await sweepFleet(services, source, 'test');
    expect(first).toMatchObject({ stopped: { idle: 0 }, unknownActivity: 1 });
    later(BLIND_PERIODS * 24 * HOUR - 60_000);
    const almost = await sweepFleet(services, source, 'test');
    expect(almost).toMatchObject({ stopped: { idle: 0 }, unknownActivity: 1 });
    expect(await runningPrs()).toEqual([1]);
    later(60_000);

    const blind = await sweepFleet(services, source, 'test');

    expect(blind).toMatchObject({
      stopped: { idle: 1 },
      unknownActivity: 0,
      judgedWithoutRequests: 1,
    });
    expect(blind.problems.join('\n')).toMatch(
      /acme\/web#1: request count unreadable since \S+ \(.+\); judged by PR activity alone/,
    );
    expect(await runningPrs()).toEqual([]);
    // The comment claims no requests it could not count.
    expect(comment(1)).toContain('stopped because nobody used it: no pushes, comments or reviews');
  });

  it('starts the idle-after × 3 wait again when a request count was read in between', async () => {
    await launch(1);
    later(25 * HOUR);
    proxy.inject('CloudWatch.GetMetricData', { kind: 'server-error', status: 500 }, 2);
    expect((await sweepFleet(services, source, 'test')).unknownActivity).toBe(1);
    later(2 * 24 * HOUR);
    await traffic('pr-1-web', 60_000, 1);
    expect((await sweepFleet(services, source, 'test')).unknownActivity).toBe(0);
    later(24 * HOUR + 60_000);
    proxy.inject('CloudWatch.GetMetricData', { kind: 'server-error', status: 500 }, 1_000);

    const report = await sweepFleet(services, source, 'test');

    expect(report).toMatchObject({ stopped: { idle: 0 }, unknownActivity: 1 });
    expect(await runningPrs()).toEqual([1]);
  });

  it('lets /preview keep protect a preview until then, shown in the comment', async () => {
    await launch(1);
    const kept = await keepPreview(testOctokit(fixture.api.url), services, REPO, 1, 3 * 24 * HOUR);
    expect(kept.ok).toBe(true);
    expect(comment(1)).toMatch(/Idle teardown \| paused until \d{4}-\d\d-\d\d/);

    later(25 * HOUR);
    const report = await sweepFleet(services, source, 'test');
    expect(report.kept).toBe(1);
    expect(await runningPrs()).toEqual([1]);

    later(3 * 24 * HOUR);
    expect((await sweepConfirmed()).stopped.idle).toBe(1);
    expect(await runningPrs()).toEqual([]);
  });

  it('refuses a keep beyond 30 days and tags nothing', async () => {
    await launch(1);
    const kept = await keepPreview(testOctokit(fixture.api.url), services, REPO, 1, 31 * 24 * HOUR);
    expect(kept).toEqual({ ok: false, reply: expect.stringContaining('at most 30d') });
    later(25 * HOUR);
    expect((await sweepConfirmed()).stopped.idle).toBe(1);
  });

  it('tears down the preview of a PR closed while the App was away', async () => {
    await launch(1);
    await launch(2);
    fixture.world.updatePull(2, { state: 'closed' });

    const report = await sweepFleet(services, source, 'test');

    expect(report.stopped).toMatchObject({ idle: 0, closed: 1 });
    expect(await runningPrs()).toEqual([1]);
    expect(await records()).toEqual([`pr-1-web.${DOMAIN}`]);
    expect(comment(2)).toContain('torn down: the pull request was closed');
    expect(comment(2)).not.toContain('/deploy` to bring it back');
  });

  it('tears down a closed PR whose last event was still finishing when the sweep was asked for', async () => {
    await launch(1);
    await launch(2);
    fixture.world.updatePull(2, { state: 'closed' });
    // PR 2's last event (its launch, say, still reading GitHub's answer to its comment) holds its
    // queue when the sweep starts, and ends while the sweep reads GitHub, before it reads AWS.
    let finish = (): void => undefined;
    let finishing: Promise<void> | undefined;
    await new Promise<void>((holding) => {
      finishing = services.queue.run('acme/web#2', () => {
        holding();
        return new Promise<void>((resolve) => (finish = resolve));
      });
    });
    const api = testOctokit(fixture.api.url);
    const busyAtStart: FleetSource = async () => {
      finish();
      await finishing;
      return { repos: [{ repo: REPO, api }], unreadable: [] };
    };

    const report = await sweepFleet(services, busyAtStart, 'test');

    expect(report.stopped).toEqual({ idle: 0, closed: 1 });
    expect(await runningPrs()).toEqual([1]);
  });

  it('removes DNS records without a task but never records that are not previews', async () => {
    await launch(1);
    await addRecord('pr-7-web', '10.7.7.7');
    await addRecord('www', '10.0.0.80');

    const report = await sweepFleet(services, source, 'test');

    expect(report.orphanRoutes).toBe(1);
    expect(await records()).toEqual([`pr-1-web.${DOMAIN}`, `www.${DOMAIN}`]);
  });

  it('leaves records without a task alone while an installation cannot be read', async () => {
    await addRecord('pr-7-web', '10.7.7.7');
    const api = testOctokit(fixture.api.url);
    const partial: FleetSource = () =>
      Promise.resolve({
        repos: [{ repo: REPO, api }],
        unreadable: ['installation 9 (octo-other) is suspended'],
      });

    const report = await sweepFleet(services, partial, 'test');

    expect(report.orphanRoutes).toBe(0);
    expect(report.problems).toContain('installation 9 (octo-other) is suspended');
    expect(await records()).toEqual([`pr-7-web.${DOMAIN}`]);
  });

  it('gives a task without a record its route back, and a task behind its PR head the new head', async () => {
    await launch(1);
    await launch(2);
    const [record] =
      (
        await fixture.route53.send(
          new ListResourceRecordSetsCommand({ HostedZoneId: fixture.zoneId }),
        )
      ).ResourceRecordSets?.filter((r) => r.Name?.startsWith('pr-1-web')) ?? [];
    await fixture.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: fixture.zoneId,
        ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: record }] },
      }),
    );
    const pushed = randomBytes(20).toString('hex');
    await pushEcrImage(fixture.ecr, 'web', pushed);
    fixture.world.updatePull(2, { sha: pushed });

    const report = await sweepFleet(services, source, 'test');

    expect(report.reconciled).toBe(2);
    expect(await records()).toEqual([`pr-1-web.${DOMAIN}`, `pr-2-web.${DOMAIN}`]);
    expect(await runningPrs()).toEqual([1, 2]);
    expect(comment(2)).toContain(pushed.slice(0, 7));
  });

  it('writes the request count it read into a running preview’s comment, again only when it moved and 15 minutes on', async () => {
    await launch(1);
    later(2 * HOUR);
    await traffic('pr-1-web', 30 * 60_000, 12);

    await sweepFleet(services, source, 'test');
    expect(comment(1)).toMatch(
      /\| Requests \| 12 in the last [^|]+, last at \d{4}-\d\d-\d\d \d\d:\d\d UTC \|/,
    );
    expect(comment(1)).toContain('Preview ready');

    // Five more requests: not shown before 15 minutes have passed since the last refresh…
    await traffic('pr-1-web', 60_000, 5);
    later(10 * 60_000);
    await sweepFleet(services, source, 'test');
    expect(comment(1)).toMatch(/\| Requests \| 12 in the last /);
    // …then shown, in the same row (never a second one).
    later(6 * 60_000);
    await sweepFleet(services, source, 'test');
    expect(comment(1)).toMatch(/\| Requests \| 17 in the last /);
    expect(comment(1).match(/\| Requests \|/g)).toHaveLength(1);
  });

  it('batches reads and DNS deletes: one task listing of each status, one GetMetricData, one change batch for many idle previews', async () => {
    for (const n of [1, 2, 3, 4]) await launch(n);
    later(25 * HOUR);
    await sweepFleet(services, source, 'test');
    later(IDLE_CONFIRM_MS);
    proxy.resetCounts();

    const report = await sweepFleet(services, source, 'test');

    expect(report.stopped.idle).toBe(4);
    const counts = proxy.counts();
    // One listing and one description of running tasks, and the same of stopped ones, where a
    // crash would show (here the four the sweep itself stopped, which it leaves alone).
    expect(counts['ECS.ListTasks']).toBe(2);
    expect(counts['ECS.DescribeTasks']).toBe(2);
    expect(counts['CloudWatch.GetMetricData']).toBe(1);
    expect(counts['Route53.ChangeResourceRecordSets']).toBe(1);
    expect(counts['ECS.StopTask']).toBe(4);
    expect(await records()).toEqual([]);
  });

  it('reads an unchanged config with a conditional request, which GitHub does not count', async () => {
    await launch(1);
    await sweepFleet(services, source, 'test');
    await sweepFleet(services, source, 'test');
    fixture.world.setFile(
      '.github/ecs-paas.yml',
      `${fixture.world.file('.github/ecs-paas.yml')}# edited\n`,
    );
    await sweepFleet(services, source, 'test');

    const reads = fixture.api.requests
      .filter((r) => decodeURIComponent(r.path).endsWith('/contents/.github/ecs-paas.yml'))
      .map((r) => r.status);
    expect(reads).toEqual([200, 304, 304, 200]);
  });

  it('runs one sweep at a time: a second start gets the running one, and nothing is stopped twice', async () => {
    await launch(1);
    later(25 * HOUR);
    await sweepFleet(services, source, 'test');
    later(IDLE_CONFIRM_MS);
    proxy.resetCounts();
    const sweeper = new Sweeper(services, source);

    const first = sweeper.start('interval');
    const second = sweeper.start('api');

    expect(first?.started).toBe(true);
    expect(second?.started).toBe(false);
    expect(second?.run).toBe(first?.run);
    const outcome = await first?.run.done;
    expect(outcome).toMatchObject({ stopped: { idle: 1 } });
    expect(proxy.counts()['ECS.StopTask']).toBe(1);
    expect(sweeper.status().last).toBe(outcome);
    // Once the App stops, no new sweep starts (the exit would cut it off halfway).
    await sweeper.stop();
    expect(sweeper.start('api')).toBeUndefined();
  });

  it('judges a preview whose head moved without an image for idleness instead of waiting forever', async () => {
    await launch(1);
    fixture.world.updatePull(1, { sha: randomBytes(20).toString('hex'), updatedAt: clock });
    later(25 * HOUR);

    const report = await sweepConfirmed();

    expect(report.stopped.idle).toBe(1);
    expect(report.reconciled).toBe(0);
    expect(await runningPrs()).toEqual([]);
  });

  it('keeps an idle-stopped preview down when CI re-runs for its commit; a push brings it back', async () => {
    const sha = await launch(1);
    later(25 * HOUR);
    await sweepConfirmed();
    const api = testOctokit(fixture.api.url);

    const rerun = await reconcilePullRequest(api, services, REPO, 1, { imageReady: true });

    expect(rerun).toMatchObject({ kind: 'skipped' });
    expect(await runningPrs()).toEqual([]);
    expect(comment(1)).toContain('stopped because nobody used it');
    const pushed = randomBytes(20).toString('hex');
    await pushEcrImage(fixture.ecr, 'web', pushed);
    fixture.world.updatePull(1, { sha: pushed });
    expect((await reconcilePullRequest(api, services, REPO, 1)).kind).toBe('launched');
    expect(await runningPrs()).toEqual([1]);
    expect(sha).not.toBe(pushed);
  });

  it('does not take an open PR missing from the list for a closed one', async () => {
    await launch(1);
    // The list answers without PR #1, as a page boundary shifting under a closing PR would.
    fixture.api.on('GET /repos/{owner}/{repo}/pulls', () => ({ status: 200, body: [] }));

    const report = await sweepFleet(services, source, 'test');

    expect(report.stopped.closed).toBe(0);
    expect(await runningPrs()).toEqual([1]);
  });

  it('leaves a PR alone when an event for it ran while the sweep was reading', async () => {
    await launch(1);
    later(25 * HOUR);
    expect((await sweepFleet(services, source, 'test')).pendingIdle).toBe(1);
    later(IDLE_CONFIRM_MS);
    // A push arrives while the sweep lists the fleet: its reconcile takes the PR's queue first.
    const pushed = randomBytes(20).toString('hex');
    await pushEcrImage(fixture.ecr, 'web', pushed);
    let push: Promise<unknown> | undefined;
    const stopListening = proxy.onRequest((operation) => {
      if (operation === 'CloudWatch.GetMetricData' && !push) {
        fixture.world.updatePull(1, { sha: pushed });
        push = reconcilePullRequest(testOctokit(fixture.api.url), services, REPO, 1);
      }
    });
    const report = await sweepFleet(services, source, 'test');
    stopListening();
    await push;

    expect(report.stopped.idle).toBe(0);
    expect(await runningPrs()).toEqual([1]);
    expect(await records()).toEqual([`pr-1-web.${DOMAIN}`]);
    expect(comment(1)).toContain(pushed.slice(0, 7));
  });
});

describe('what the App remembers between sweeps', () => {
  it('forgets a preview once a sweep no longer finds it: its first idle look and its unreadable count', async () => {
    await launch(1);
    await launch(2);
    later(25 * HOUR);
    expect((await sweepFleet(services, source, 'test')).pendingIdle).toBe(2);
    fixture.world.updatePull(1, { state: 'closed' });
    proxy.inject('CloudWatch.GetMetricData', { kind: 'server-error', status: 500 }, 1_000);
    const blind = await sweepFleet(services, source, 'test');
    expect(blind).toMatchObject({ stopped: { closed: 1 }, unknownActivity: 1 });
    expect([...services.requestsUnreadableSince.keys()]).toEqual(['acme/web#2']);
    fixture.world.updatePull(2, { state: 'closed' });
    expect((await sweepFleet(services, source, 'test')).stopped.closed).toBe(1);

    await sweepFleet(services, source, 'test');

    expect(services.idleSeen.size).toBe(0);
    expect(services.requestsUnreadableSince.size).toBe(0);
  });

  it('remembers comment writes for a minute only', async () => {
    await launch(1);
    const api = testOctokit(fixture.api.url);
    expect(await recordActivity(api, services, REPO, 1)).toBe(1);
    later(30_000);
    // Within the minute: nothing new to tell the idle check, no write.
    expect(await recordActivity(api, services, REPO, 1)).toBe(0);
    later(60_000);

    await recordActivity(api, services, REPO, 2);

    expect([...services.recordedActivity.keys()]).toEqual(['acme/web#2']);
  });

  it('forgets the config and router of a repository no longer installed, and keeps those in use', async () => {
    await sweepFleet(services, source, 'test');
    const cached = services.configCache.get('acme/web')?.read;
    const settings = cached?.kind === 'ok' ? cached.config.preview : undefined;
    if (!settings) throw new Error("the sweep did not cache acme/web's config");
    const router = (await services.previewDeps(settings)).router;
    await sweepFleet(services, source, 'test');
    expect((await services.previewDeps(settings)).router).toBe(router);

    await sweepFleet(services, () => Promise.resolve({ repos: [], unreadable: [] }), 'test');

    expect(services.configCache.size).toBe(0);
    expect((await services.previewDeps(settings)).router).not.toBe(router);
  });
});

describe('a /deploy <env> the App stopped in the middle of', () => {
  /** A Deployment the App started for `environment`, left in progress. */
  async function inProgress(environment: string): Promise<number> {
    const api = testOctokit(fixture.api.url);
    const { data } = await api.request('POST /repos/{owner}/{repo}/deployments', {
      ...REPO,
      ref: 'a'.repeat(40),
      environment,
      required_contexts: [],
    });
    const id = (data as { id: number }).id;
    await api.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      ...REPO,
      deployment_id: id,
      state: 'in_progress',
    });
    return id;
  }
  const states = (environment: string) =>
    fixture.world.deployments
      .filter((d) => d.environment === environment)
      .map((d) => d.statuses.map((s) => s.state));

  it('is marked error with a line why once no rollout could still be running, and a recent one is left alone', async () => {
    fixture.world.setFile(
      '.github/ecs-paas.yml',
      `${fixture.world.file('.github/ecs-paas.yml') ?? ''}\nenvironments:\n  staging: { cluster: previews, services: [web-staging] }\n  qa: { cluster: previews, services: [web-qa] }\n`,
    );
    await inProgress('staging');
    later(10 * 60_000);
    // Ten minutes in, the rollout may still be running (on this replica or another).
    expect((await sweepFleet(services, source, 'test')).interruptedDeploys).toBe(0);
    later(25 * 60_000);
    const report = await sweepFleet(services, source, 'test');
    expect(report.interruptedDeploys).toBe(1);
    expect(states('staging')).toEqual([['in_progress', 'error']]);
    // A deploy that started just now is left alone, and so is one already marked.
    clock = new Date();
    await inProgress('qa');
    expect((await sweepFleet(services, source, 'test')).interruptedDeploys).toBe(0);
    expect(states('qa')).toEqual([['in_progress']]);
    const last = fixture.world.deployments
      .find((d) => d.environment === 'staging')
      ?.statuses.at(-1);
    expect(last?.description).toContain('type /deploy staging again');
  });
});
