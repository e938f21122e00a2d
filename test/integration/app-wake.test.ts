import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { BotServices } from '../../src/bot/bot-services.js';
import { reconcilePullRequest } from '../../src/bot/reconcile-pull-request.js';
import { IDLE_CONFIRM_MS } from '../../src/bot/sweep/find-idle.js';
import type { FleetSource } from '../../src/bot/sweep/installed-repositories.js';
import { sweepFleet } from '../../src/bot/sweep/sweep-fleet.js';
import { createAwsClients } from '../../src/core/aws/clients.js';
import { targetGroupName } from '../../src/core/preview/alb-router.js';
import { useAppFixture, PREVIEW_DOMAIN, tagOf } from '../support/app-fixture.js';
import { deliver, settled, startApp } from '../support/app-process.js';
import { testAwsConfig } from '../support/aws.js';
import { recordingLogger } from '../support/bot-services.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { testOctokit } from '../support/github.js';
import { createHttpsListener } from '../support/https-listener.js';

const HOUR = 3_600_000;
const REPO = { owner: 'acme', repo: 'web' };
const host = (n: number): string => `pr-${n}-web.${PREVIEW_DOMAIN}`;

let elbv2: ElasticLoadBalancingV2Client;
let listenerArn: string;
let wakeArn: string;
/** The sweep runs in the test process on its own clock: previews go idle without waiting a day. */
let sweeper: BotServices;
let clock: Date;
const warnings: string[] = [];

/**
 * Per test: the shared load balancer with its HTTPS listener, the App's own target group there
 * (what the runtime's stack creates), and the App restarted to know it (its ARN is new after
 * every moto reset).
 */
const f = useAppFixture({
  setUp: async (fixture) => {
    elbv2 ??= new ElasticLoadBalancingV2Client(testAwsConfig(fixture.moto.url));
    const { LoadBalancers } = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'previews',
        Type: 'application',
        Subnets: fixture.network.subnetIds.slice(0, 2),
      }),
    );
    listenerArn = await createHttpsListener(
      elbv2,
      fixture.moto.url,
      LoadBalancers?.[0]?.LoadBalancerArn ?? '',
      PREVIEW_DOMAIN,
    );
    const { TargetGroups } = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'ecs-paas-wake',
        TargetType: 'ip',
        Protocol: 'HTTP',
        Port: 3000,
        VpcId: fixture.network.vpcId,
      }),
    );
    wakeArn = TargetGroups?.[0]?.TargetGroupArn ?? '';
    fixture.world.setPermission('maintainer', 'write');
    fixture.world.setFile('.github/ecs-paas.yml', config(true));
    await fixture.app.stop();
    fixture.app = await startApp(fixture.appOptions({ ECS_PAAS_WAKE_TARGET_GROUP_ARN: wakeArn }));
    clock = new Date();
    warnings.length = 0;
    sweeper = new BotServices(
      createAwsClients('us-east-1', {
        endpoint: fixture.proxy.url,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
        maxAttempts: 2,
      }),
      recordingLogger(warnings),
      { now: () => clock, pollMs: 20, wakeTargetGroupArn: wakeArn },
    );
  },
});

afterAll(() => elbv2?.destroy());

function config(wake: boolean): string {
  return f
    .config(['  idle-after: 24h', `  wake-on-request: ${wake}`])
    .replace(
      / {2}routing: .*\n/,
      `  routing: { mode: alb, hosted-zone-id: ${f.zoneId}, domain: ${PREVIEW_DOMAIN}, listener-arn: ${listenerArn}, vpc-id: ${f.network.vpcId} }\n`,
    );
}

/** Opens PR `n` with an image in ECR and launches its preview, as the App's reconcile does. */
async function launch(n: number, spec: { fork?: boolean } = {}): Promise<void> {
  const sha = randomBytes(20).toString('hex');
  f.world.addPull({ number: n, sha, ...spec });
  await pushEcrImage(f.ecr, 'web', sha);
  // A fork's preview runs only at a SHA a maintainer approved with `/deploy`.
  const outcome = await reconcilePullRequest(
    testOctokit(f.api.url),
    sweeper,
    REPO,
    n,
    spec.fork ? { approvedSha: sha, actor: 'maintainer' } : {},
  );
  expect(outcome.kind).toBe('launched');
}

/** A day later, the sweep stops the preview as idle (two looks, CloudWatch's delay apart). */
const fleet = (): FleetSource => () =>
  Promise.resolve({ repos: [{ repo: REPO, api: testOctokit(f.api.url) }], unreadable: [] });

async function sleepIdle(): Promise<void> {
  const source = fleet();
  clock = new Date(clock.getTime() + 25 * HOUR);
  await sweepFleet(sweeper, source, 'test');
  clock = new Date(clock.getTime() + IDLE_CONFIRM_MS);
  const report = await sweepFleet(sweeper, source, 'test');
  expect(report.problems).toEqual([]);
  expect(report.stopped.idle).toBe(1);
  await sweeper.queue.idle();
}

/** The listener's rules for a host, with their tags. */
async function rulesFor(hostname: string): Promise<Array<Rule & { tags: Record<string, string> }>> {
  const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  const mine = Rules.filter((r) =>
    r.Conditions?.some((c) => c.HostHeaderConfig?.Values?.includes(hostname)),
  );
  if (mine.length === 0) return [];
  const { TagDescriptions = [] } = await elbv2.send(
    new DescribeTagsCommand({ ResourceArns: mine.map((r) => r.RuleArn ?? '') }),
  );
  return mine.map((r) => ({
    ...r,
    tags: Object.fromEntries(
      (TagDescriptions.find((d) => d.ResourceArn === r.RuleArn)?.Tags ?? []).map((t) => [
        t.Key ?? '',
        t.Value ?? '',
      ]),
    ),
  }));
}

const forwardOf = (rule: Rule | undefined): string | undefined =>
  rule?.Actions?.find((a) => a.Type === 'forward')?.TargetGroupArn;

async function groupArn(name: string): Promise<string | undefined> {
  try {
    const { TargetGroups } = await elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }));
    return TargetGroups?.[0]?.TargetGroupArn;
  } catch {
    return undefined;
  }
}

/** A visitor's request to the App as the load balancer forwards it: the preview's Host kept. */
function visit(
  hostname: string,
  path = '/',
  method = 'GET',
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const url = new URL(path, f.app.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, headers: { host: hostname, 'x-forwarded-proto': 'https' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const previewTasks = async (n: number) =>
  (await f.tasks()).filter((t) => tagOf(t, 'ecs-paas:pr') === String(n));

describe('wake on request (alb mode)', () => {
  it('keeps an idle preview’s rule forwarding to the App, wakes it on a visit with one task however many visits, and forwards to it again once ready', async () => {
    await launch(1);
    await sleepIdle();

    expect(await previewTasks(1)).toEqual([]);
    const [asleep] = await rulesFor(host(1));
    expect(forwardOf(asleep)).toBe(wakeArn);
    expect(asleep?.tags).toMatchObject({ 'ecs-paas:repo': 'acme/web', 'ecs-paas:pr': '1' });
    expect(asleep?.tags['ecs-paas:asleep']).toBeDefined();
    // The preview's own group went; the alias stays, the load balancer answers for the name.
    expect(await groupArn(targetGroupName(host(1)))).toBeUndefined();
    expect(await f.records()).toContain(`${host(1)}.`);

    const readsBefore = f.world.requests().filter((r) => r === 'GET /repos/acme/web/pulls/1');
    const visits = await Promise.all(
      ['/', '/deep/link?x=1', '/api/sweep', '/', '/'].map((path) => visit(host(1), path)),
    );
    for (const answer of visits) {
      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe('10');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.body).toContain('<meta http-equiv="refresh" content="10">');
      expect(answer.body).toContain('Waking up');
      expect(answer.body).not.toContain('acme');
    }
    await settled(f.app);

    // One relaunch: one task, and the PR read by one wake only (its check, the reconcile's read
    // and the launch's head check); five wakes would read it fifteen times.
    const tasks = await previewTasks(1);
    expect(tasks).toHaveLength(1);
    expect(tagOf(tasks[0], 'ecs-paas:sha')).toBe(f.world.pull(1).head.sha);
    const reads = f.world.requests().filter((r) => r === 'GET /repos/acme/web/pulls/1');
    expect(reads.length - readsBefore.length).toBeLessThanOrEqual(3);
    const [awake] = await rulesFor(host(1));
    expect(awake?.RuleArn).toBe(asleep?.RuleArn);
    expect(forwardOf(awake)).toBe(await groupArn(targetGroupName(host(1))));
    expect(awake?.tags['ecs-paas:asleep']).toBeUndefined();
    expect(awake?.tags['ecs-paas:waking']).toBeUndefined();

    // Awake, the name is no longer the App's to answer: nothing else of the App is served for it.
    expect((await visit(host(1), '/api/sweep')).status).toBe(404);
  });

  it('answers an unknown preview name with a 404 and launches nothing', async () => {
    await launch(1);
    await sleepIdle();

    const unknown = await visit(host(7));
    expect(unknown.status).toBe(404);
    expect(unknown.body).not.toContain(host(1));
    // A name under no preview domain is the App's own: its other handlers answer as before.
    expect((await visit('app.example.org', '/healthz')).status).toBe(200);
    await settled(f.app);
    expect(await f.tasks()).toEqual([]);
  });

  it('does not wake a fork’s preview', async () => {
    await launch(1);
    await sleepIdle();

    // The PR's head now lives in a fork: an anonymous visit must never get fork code run.
    f.world.updatePull(1, { fork: true, sha: randomBytes(20).toString('hex') });
    const fork = await visit(host(1));
    expect(fork.status).toBe(403);
    expect(fork.body).toContain('forks do not wake');
    await settled(f.app);
    expect(await previewTasks(1)).toEqual([]);
    expect(forwardOf((await rulesFor(host(1)))[0])).toBe(wakeArn);
  });

  it('does not put an approved fork preview to sleep: its route goes as before', async () => {
    await launch(2, { fork: true });
    await sleepIdle();

    expect(await rulesFor(host(2))).toEqual([]);
    expect((await visit(host(2))).status).not.toBe(503);
    await settled(f.app);
    expect(await previewTasks(2)).toEqual([]);
  });

  it('does not wake a preview whose config turned wake on request off', async () => {
    await launch(1);
    await sleepIdle();

    f.world.setFile('.github/ecs-paas.yml', config(false));
    const off = await visit(host(1));
    expect(off.status).toBe(403);
    expect(off.body).toContain('does not wake on a visit');
    await settled(f.app);
    expect(await previewTasks(1)).toEqual([]);
  });

  it('removes the sleeping rule when the PR closes', async () => {
    await launch(1);
    await sleepIdle();
    expect(await rulesFor(host(1))).toHaveLength(1);

    f.world.updatePull(1, { state: 'closed' });
    await deliver(f.app, 'pull_request', f.world.pullRequestEvent('closed', 1));
    await settled(f.app, 1);

    expect(await rulesFor(host(1))).toEqual([]);
    expect(await f.records()).not.toContain(`${host(1)}.`);
    expect((await visit(host(1))).status).toBe(404);
  });

  it('keeps a sleeping rule through later sweeps, and lets the sweep remove it once its PR closed while the App was away', async () => {
    await launch(1);
    await sleepIdle();

    // A sleeping rule has no task by design: while its PR is open, no sweep takes it for an orphan.
    const open = await sweepFleet(sweeper, fleet(), 'test');
    expect(open.orphanRoutes).toBe(0);
    expect(forwardOf((await rulesFor(host(1)))[0])).toBe(wakeArn);

    // No webhook: the App never hears of the close; the next sweep finds it from GitHub.
    f.world.updatePull(1, { state: 'closed' });
    const report = await sweepFleet(sweeper, fleet(), 'test');

    expect(report.problems).toEqual([]);
    expect(report.orphanRoutes).toBe(1);
    expect(await rulesFor(host(1))).toEqual([]);
    expect(await f.records()).not.toContain(`${host(1)}.`);
  });
});
