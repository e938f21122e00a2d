import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import type { BotServices } from '../../src/bot/bot-services.js';
import { reconcilePullRequest } from '../../src/bot/reconcile-pull-request.js';
import type { FleetSource } from '../../src/bot/sweep/installed-repositories.js';
import { sweepFleet } from '../../src/bot/sweep/sweep-fleet.js';
import type { PreviewSettings } from '../../src/core/preview/preview-types.js';
import { teardownPreview } from '../../src/core/preview/teardown-preview.js';
import { recordingLogger, testBotServices } from '../support/bot-services.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { runningPrs as fleetPrs, runningTasks } from '../support/fleet-state.js';
import { testOctokit } from '../support/github.js';
import { startMoto, type Moto } from '../support/moto.js';
import { setUpPreviewFixture, type PreviewFixture } from '../support/preview-fixture.js';

// A StopTask or a Route 53 change that fails while a preview is torn down (by the engine on a
// closed PR, or by the sweep itself) must leave what it could not remove for the next sweep, which
// removes it: no task runs on, and no name keeps pointing at an address ECS may hand to another.
const DOMAIN = 'preview.example.com';
const REPO = { owner: 'acme', repo: 'web' };
const CLOSED = 'the pull request was closed';

let moto: Moto;
let proxy: FaultProxy;
let fixture: PreviewFixture;
let services: BotServices;
let source: FleetSource;
const warnings: string[] = [];

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
});

afterAll(async () => {
  await Promise.allSettled([proxy?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  warnings.length = 0;
  fixture = await setUpPreviewFixture(proxy.url);
  services = testBotServices(proxy.url, () => new Date(), recordingLogger(warnings));
  const api = testOctokit(fixture.api.url);
  source = () => Promise.resolve({ repos: [{ repo: REPO, api }], unreadable: [] });
});

afterEach(async () => {
  proxy.clear();
  await services.queue.idle();
  await services.metrics.settled();
  fixture.api.assertNoViolations();
  await fixture.close();
});

/** Opens PR `number` with its image in ECR and lets the App's reconcile launch its preview. */
async function launch(number: number): Promise<void> {
  const sha = randomBytes(20).toString('hex');
  fixture.world.addPull({ number, sha });
  await pushEcrImage(fixture.ecr, 'web', sha);
  const outcome = await reconcilePullRequest(testOctokit(fixture.api.url), services, REPO, number);
  expect(outcome.kind).toBe('launched');
}

/** The repository's preview settings as the App read them from its config. */
function previewSettings(): PreviewSettings {
  const read = services.configCache.get('acme/web')?.read;
  const settings = read?.kind === 'ok' ? read.config.preview : undefined;
  if (!settings) throw new Error("the App did not read acme/web's preview config");
  return settings;
}

/** The engine's teardown of a closed PR, as the App runs it on `pull_request.closed`. */
async function tearDown(number: number): ReturnType<typeof teardownPreview> {
  fixture.world.updatePull(number, { state: 'closed' });
  const settings = previewSettings();
  return teardownPreview(
    await services.previewDeps(settings),
    settings,
    { repo: 'acme/web', number, branch: `feature/${number}` },
    CLOSED,
  );
}

/** Each name in the zone with its record types, read from moto: `pr-1-web` → `A TXT`. */
async function zone(): Promise<Record<string, string>> {
  const { ResourceRecordSets = [] } = await fixture.route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: fixture.zoneId }),
  );
  const names: Record<string, string[]> = {};
  for (const record of ResourceRecordSets) {
    const name = (record.Name ?? '').replace(/\.$/, '');
    if (!name.endsWith(`.${DOMAIN}`) || !['A', 'TXT'].includes(record.Type ?? '')) continue;
    const label = name.slice(0, -DOMAIN.length - 1);
    names[label] = [...(names[label] ?? []), record.Type ?? ''].sort();
  }
  return Object.fromEntries(
    Object.entries(names).map(([label, types]) => [label, types.join(' ')]),
  );
}

const runningPrs = (): Promise<number[]> => fleetPrs(fixture.ecs);
const comment = (n: number): string => fixture.world.comments(n).at(-1) ?? '';

/** StopTask fails on every attempt the SDK makes, as when ECS keeps answering 503. */
const failStopTask = (): void => proxy.inject('ECS.StopTask', { kind: 'server-error' }, 50);
/** Route 53 refuses every change batch, as during one of its control-plane outages. */
const failDnsChanges = (): void =>
  proxy.inject('Route53.ChangeResourceRecordSets', { kind: 'server-error' }, 50);

describe('a fault while a closed PR’s preview is torn down', () => {
  it('a StopTask that fails leaves the task running, says so, and the next sweep stops it', async () => {
    await launch(1);
    await launch(2);
    const [task] = (await runningTasks(fixture.ecs)).filter((t) =>
      t.tags?.some((tag) => tag.key === 'ecs-paas:pr' && tag.value === '1'),
    );
    failStopTask();

    const result = await tearDown(1);

    // The teardown does not claim a task it could not stop, and tells the operator which one.
    expect(result).toMatchObject({ kind: 'torn-down', stopped: [] });
    expect(warnings.join('\n')).toContain(`Could not stop ${task?.taskArn ?? '?'}`);
    expect(await runningPrs()).toEqual([1, 2]);
    proxy.clear();

    const report = await sweepFleet(services, source, 'test');

    expect(report.stopped).toEqual({ idle: 0, closed: 1 });
    expect(await runningPrs()).toEqual([2]);
    expect(await zone()).toEqual({ 'pr-2-web': 'A TXT' });
    expect(comment(1)).toContain(`torn down: ${CLOSED}`);
  });

  it('a Route 53 change that fails leaves the name, and the next sweep removes it (its owner’s task is gone)', async () => {
    await launch(1);
    await launch(2);
    failDnsChanges();

    await expect(tearDown(1)).rejects.toThrow(`Could not delete DNS records of pr-1-web.${DOMAIN}`);

    // The task is gone; its name and the record saying PR 1 owns it are still in the zone.
    expect(await runningPrs()).toEqual([2]);
    expect(await zone()).toEqual({ 'pr-1-web': 'A TXT', 'pr-2-web': 'A TXT' });
    proxy.clear();

    const report = await sweepFleet(services, source, 'test');

    expect(report.orphanRoutes).toBe(1);
    expect(await zone()).toEqual({ 'pr-2-web': 'A TXT' });
    expect(await runningPrs()).toEqual([2]);
  });
});

describe('a fault while the sweep tears down a closed PR’s preview', () => {
  it('a StopTask that fails keeps the task’s route, and the next sweep stops the task and removes it', async () => {
    await launch(1);
    await launch(2);
    fixture.world.updatePull(1, { state: 'closed' });
    failStopTask();

    const first = await sweepFleet(services, source, 'test');

    expect(first.stopped.closed).toBe(0);
    expect(first.problems.join('\n')).toContain(
      'acme/web#1: a task did not stop; its route stays until it does',
    );
    expect(await runningPrs()).toEqual([1, 2]);
    // Still running, still reachable: the name is not pulled from under a live task.
    expect(await zone()).toEqual({ 'pr-1-web': 'A TXT', 'pr-2-web': 'A TXT' });
    expect(comment(1)).not.toContain('torn down');
    proxy.clear();

    const next = await sweepFleet(services, source, 'test');

    expect(next.stopped.closed).toBe(1);
    expect(await runningPrs()).toEqual([2]);
    expect(await zone()).toEqual({ 'pr-2-web': 'A TXT' });
    expect(comment(1)).toContain(`torn down: ${CLOSED}`);
  });

  it('a Route 53 change that fails leaves the name, and the next sweep removes it', async () => {
    await launch(1);
    await launch(2);
    fixture.world.updatePull(1, { state: 'closed' });
    failDnsChanges();

    const first = await sweepFleet(services, source, 'test');

    expect(first.stopped.closed).toBe(1);
    expect(first.problems.join('\n')).toContain(`could not remove routes pr-1-web.${DOMAIN}`);
    expect(await runningPrs()).toEqual([2]);
    expect(await zone()).toEqual({ 'pr-1-web': 'A TXT', 'pr-2-web': 'A TXT' });
    proxy.clear();

    const next = await sweepFleet(services, source, 'test');

    expect(next.orphanRoutes).toBe(1);
    expect(next.problems).toEqual([]);
    expect(await zone()).toEqual({ 'pr-2-web': 'A TXT' });
  });
});
