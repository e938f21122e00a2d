import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import {
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
} from '@aws-sdk/client-route-53';
import { targetGroupName } from '../../src/core/preview/alb-router.js';
import type { BotServices } from '../../src/bot/bot-services.js';
import { reconcilePullRequest } from '../../src/bot/reconcile-pull-request.js';
import type { FleetSource } from '../../src/bot/sweep/installed-repositories.js';
import { IDLE_CONFIRM_MS } from '../../src/bot/sweep/find-idle.js';
import { sweepFleet } from '../../src/bot/sweep/sweep-fleet.js';
import { createDefaultNetwork, testAwsConfig } from '../support/aws.js';
import { createHttpsListener } from '../support/https-listener.js';
import { recordingLogger, testBotServices } from '../support/bot-services.js';
import { pushEcrImage } from '../support/ecr-image.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { testOctokit } from '../support/github.js';
import { runningPrs as fleetPrs, runningTasks, tagOf } from '../support/fleet-state.js';
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
let elbv2: ElasticLoadBalancingV2Client;
let source: FleetSource;
let vpcId: string;
let listenerArn: string;
let balancer: { arn: string; dnsName: string; zoneId: string };
/** The App's clock: tests move it forward instead of waiting a day. */
let clock: Date;
const warnings: string[] = [];

const logger = recordingLogger(warnings);

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  // The test's own reads and set-up go straight to moto: they never meet an injected fault.
  cloudwatch = new CloudWatchClient(testAwsConfig(moto.url));
  elbv2 = new ElasticLoadBalancingV2Client(testAwsConfig(moto.url));
});

afterAll(async () => {
  cloudwatch?.destroy();
  elbv2?.destroy();
  await Promise.allSettled([proxy?.stop(), moto?.stop()]);
});

/** The shared load balancer a platform team would run, with an HTTP listener (moto wants ACM for HTTPS). */
async function createBalancer(subnets: string[]): Promise<void> {
  const { LoadBalancers } = await elbv2.send(
    new CreateLoadBalancerCommand({ Name: 'previews', Type: 'application', Subnets: subnets }),
  );
  const lb = LoadBalancers?.[0];
  balancer = {
    arn: lb?.LoadBalancerArn ?? '',
    dnsName: lb?.DNSName ?? '',
    zoneId: lb?.CanonicalHostedZoneId ?? '',
  };
  listenerArn = await createHttpsListener(elbv2, moto.url, balancer.arn, DOMAIN);
}

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  warnings.length = 0;
  fixture = await setUpPreviewFixture(proxy.url);
  fixture.world.setPermission('maintainer', 'write');
  const network = await createDefaultNetwork(moto.url);
  vpcId = network.vpcId;
  await createBalancer(network.subnetIds.slice(0, 2));
  fixture.world.setFile(
    '.github/ecs-paas.yml',
    [
      'preview:',
      '  cluster: previews',
      '  task-definition: web',
      '  ecr-repository: web',
      `  subnets: [${network.subnetIds[0] ?? ''}]`,
      `  security-groups: [${network.securityGroupId}]`,
      '  idle-after: 24h',
      '  routing:',
      '    mode: alb',
      `    domain: ${DOMAIN}`,
      `    hosted-zone-id: ${fixture.zoneId}`,
      `    listener-arn: ${listenerArn}`,
      `    vpc-id: ${vpcId}`,
      '',
    ].join('\n'),
  );
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

const host = (label: string): string => `${label}.${DOMAIN}`;
/** The target group the App names for PR `n`'s preview. */
const groupOf = (n: number): string => targetGroupName(host(`pr-${n}-web`));

/** Opens PR `number` with an image in ECR and lets the App's reconcile launch its preview. */
async function launch(number: number): Promise<void> {
  const sha = randomBytes(20).toString('hex');
  fixture.world.addPull({ number, sha });
  await pushEcrImage(fixture.ecr, 'web', sha);
  const outcome = await reconcilePullRequest(testOctokit(fixture.api.url), services, REPO, number);
  expect(outcome.kind).toBe('launched');
}

const runningPrs = (): Promise<number[]> => fleetPrs(fixture.ecs);
const prOf = (t: Task): number => Number(tagOf(t, 'ecs-paas:pr'));

/** What the load balancer and the zone hold: rule hosts, target group names, alias names. */
async function albState(): Promise<{ rules: string[]; groups: string[]; aliases: string[] }> {
  const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  const { TargetGroups = [] } = await elbv2.send(new DescribeTargetGroupsCommand({}));
  const { ResourceRecordSets = [] } = await fixture.route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: fixture.zoneId }),
  );
  return {
    rules: Rules.filter((r) => !r.IsDefault)
      .flatMap((r) => r.Conditions?.flatMap((c) => c.HostHeaderConfig?.Values ?? []) ?? [])
      .sort(),
    groups: TargetGroups.map((g) => g.TargetGroupName ?? '').sort(),
    aliases: ResourceRecordSets.filter((r) => r.Type === 'A' && r.AliasTarget)
      .map((r) => (r.Name ?? '').replace(/\.$/, ''))
      .sort(),
  };
}

/** The state `launch` leaves for these PRs, and nothing else. */
const routedState = (
  ...prs: number[]
): { rules: string[]; groups: string[]; aliases: string[] } => ({
  rules: prs.map((n) => host(`pr-${n}-web`)).sort(),
  groups: prs.map(groupOf).sort(),
  aliases: prs.map((n) => host(`pr-${n}-web`)).sort(),
});

/** Requests the load balancer counted for PR `n`'s target group, `ago` before the App's clock. */
async function traffic(n: number, ago: number, count = 12): Promise<void> {
  const { TargetGroups = [] } = await elbv2.send(
    new DescribeTargetGroupsCommand({ Names: [groupOf(n)] }),
  );
  const groupArn = TargetGroups[0]?.TargetGroupArn ?? '';
  expect(groupArn).toContain(':targetgroup/');
  await cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: 'AWS/ApplicationELB',
      MetricData: [
        {
          MetricName: 'RequestCount',
          // CloudWatch names both by the tails of their ARNs.
          Dimensions: [
            { Name: 'TargetGroup', Value: groupArn.slice(groupArn.indexOf('targetgroup/')) },
            { Name: 'LoadBalancer', Value: balancer.arn.replace(/^.*:loadbalancer\//, '') },
          ],
          Timestamp: new Date(clock.getTime() - ago),
          Value: count,
          Unit: 'Count',
        },
      ],
    }),
  );
}

async function aliasToBalancer(label: string): Promise<void> {
  await fixture.route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: fixture.zoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: host(label),
              Type: 'A',
              AliasTarget: {
                DNSName: balancer.dnsName,
                HostedZoneId: balancer.zoneId,
                EvaluateTargetHealth: false,
              },
            },
          },
        ],
      },
    }),
  );
}

async function createGroup(name: string, tags: Record<string, string> = {}): Promise<string> {
  const { TargetGroups } = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: name,
      TargetType: 'ip',
      Protocol: 'HTTP',
      Port: 80,
      VpcId: vpcId,
      ...(Object.keys(tags).length > 0 && {
        Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    }),
  );
  return TargetGroups?.[0]?.TargetGroupArn ?? '';
}

const comment = (n: number): string => fixture.world.comments(n).at(-1) ?? '';
const later = (ms: number): void => {
  clock = new Date(clock.getTime() + ms);
};

describe('the sweep in alb routing mode', () => {
  it('keeps a preview its target group counted requests for and stops the unused one with all its routes', async () => {
    await launch(1);
    await launch(2);
    expect(await albState()).toEqual(routedState(1, 2));
    later(25 * HOUR);
    await traffic(1, HOUR);

    await sweepFleet(services, source, 'test');
    later(IDLE_CONFIRM_MS);
    const report = await sweepFleet(services, source, 'test');

    expect(report.problems).toEqual([]);
    expect(report.stopped).toEqual({ idle: 1, closed: 0 });
    expect(await runningPrs()).toEqual([1]);
    expect(await albState()).toEqual(routedState(1));
    expect(comment(2)).toContain('stopped because nobody used it');
    expect(comment(1)).toContain('Preview ready');
  });

  it('stops nothing while the request counts cannot be read', async () => {
    await launch(1);
    await launch(2);
    later(25 * HOUR);
    proxy.inject('CloudWatch.GetMetricData', { kind: 'server-error', status: 500 }, 10);

    const blind = await sweepFleet(services, source, 'test');

    expect(blind.stopped).toEqual({ idle: 0, closed: 0 });
    expect(blind.unknownActivity).toBe(2);
    expect(blind.orphanRoutes).toBe(0);
    expect(blind.problems.join('\n')).toMatch(/acme\/web#1: request count unreadable/);
    expect(blind.problems.join('\n')).toMatch(/acme\/web#2: request count unreadable/);
    expect(await runningPrs()).toEqual([1, 2]);
    expect(await albState()).toEqual(routedState(1, 2));
  });

  it('removes rules, target groups and aliases without a task, and nothing that is not a preview', async () => {
    await launch(1);
    await launch(2);
    // PR 1's task was stopped by an App that went down before it removed the route: its rule,
    // group and alias stay behind. (A task stopped by anyone else is a crash, and is relaunched.)
    const [task1] = (await runningTasks(fixture.ecs)).filter((t) => prOf(t) === 1);
    await fixture.ecs.send(
      new StopTaskCommand({ cluster: 'previews', task: task1?.taskArn, reason: 'ecs-paas: idle' }),
    );
    // A crash between creating a target group and its rule leaves a tagged group behind.
    await createGroup(groupOf(8), { 'ecs-paas:managed': 'true', 'ecs-paas:subdomain': 'pr-8-web' });
    // …and one after deleting the rule and group leaves the alias.
    await aliasToBalancer('pr-9-web');
    // Someone else's site behind the same listener, and an alias that is no preview's.
    const admin = await createGroup('admin-tg');
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 100,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [host('admin')] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: admin }],
      }),
    );
    await aliasToBalancer('www');

    const report = await sweepFleet(services, source, 'test');

    expect(report.problems).toEqual([]);
    expect(report.orphanRoutes).toBe(3);
    expect(report.stopped).toEqual({ idle: 0, closed: 0 });
    expect(await runningPrs()).toEqual([2]);
    expect(await albState()).toEqual({
      rules: [host('admin'), host('pr-2-web')].sort(),
      groups: ['admin-tg', groupOf(2)].sort(),
      aliases: [host('pr-2-web'), host('www')].sort(),
    });
  });

  it('batches: one GetMetricData and one Route 53 change for three idle previews', async () => {
    for (const n of [1, 2, 3]) await launch(n);
    later(25 * HOUR);
    await sweepFleet(services, source, 'test');
    later(IDLE_CONFIRM_MS);
    proxy.resetCounts();

    const report = await sweepFleet(services, source, 'test');

    expect(report.stopped.idle).toBe(3);
    const counts = proxy.counts();
    expect(counts['CloudWatch.GetMetricData']).toBe(1);
    expect(counts['Route53.ChangeResourceRecordSets']).toBe(1);
    expect(counts['ECS.StopTask']).toBe(3);
    expect(await runningPrs()).toEqual([]);
    expect(await albState()).toEqual(routedState());
  });
});
