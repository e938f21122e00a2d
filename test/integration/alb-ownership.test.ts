import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ACMClient } from '@aws-sdk/client-acm';
import {
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { createAlbRouter, targetGroupName } from '../../src/core/preview/alb-router.js';
import { NameTakenError } from '../../src/core/preview/dns-owner.js';
import { createDnsRouter } from '../../src/core/preview/dns-router.js';
import type { RouteOwner } from '../../src/core/preview/router.js';
import type { RouteTarget } from '../../src/core/preview/routing-types.js';
import { createDefaultNetwork, testAwsConfig } from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { createHttpsListener } from '../support/https-listener.js';
import { startMoto, type Moto } from '../support/moto.js';

// Two repositories whose label templates give the same name (no {repo} in them) share one
// listener: the "another installed repository" of THREATS.md, which must never take, repoint or
// delete the other's listener rule, target group or alias.
const DOMAIN = 'preview.example.com';
const HOST = `pr-1.${DOMAIN}`;
const WEB: RouteOwner = { repo: 'acme/web', pr: 1 };
const API: RouteOwner = { repo: 'acme/api', pr: 1 };

let moto: Moto;
let proxy: FaultProxy;
/** The routers' clients go through the proxy (counted, rewritable); the test's own go to moto. */
let routed: { elbv2: ElasticLoadBalancingV2Client; route53: Route53Client; acm: ACMClient };
let elbv2: ElasticLoadBalancingV2Client;
let route53: Route53Client;
let zoneId: string;
let vpcId: string;
let listenerArn: string;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  const viaProxy = testAwsConfig(proxy.url);
  routed = {
    elbv2: new ElasticLoadBalancingV2Client(viaProxy),
    route53: new Route53Client(viaProxy),
    acm: new ACMClient(viaProxy),
  };
  elbv2 = new ElasticLoadBalancingV2Client(testAwsConfig(moto.url));
  route53 = new Route53Client(testAwsConfig(moto.url));
});

afterAll(async () => {
  for (const client of [...Object.values(routed ?? {}), elbv2, route53]) client?.destroy();
  await Promise.allSettled([proxy?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  const network = await createDefaultNetwork(moto.url);
  vpcId = network.vpcId;
  const zone = await route53.send(
    new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: randomBytes(8).toString('hex') }),
  );
  zoneId = zone.HostedZone?.Id?.split('/').pop() ?? '';
  const { LoadBalancers } = await elbv2.send(
    new CreateLoadBalancerCommand({
      Name: 'previews',
      Type: 'application',
      Subnets: network.subnetIds.slice(0, 2),
    }),
  );
  listenerArn = await createHttpsListener(
    elbv2,
    moto.url,
    LoadBalancers?.[0]?.LoadBalancerArn ?? '',
    DOMAIN,
  );
  proxy.resetCounts();
});

afterEach(() => {
  proxy.clear();
});

/** One router per repository, as each repository's config makes its own. */
const router = (): ReturnType<typeof createAlbRouter> =>
  createAlbRouter(
    routed,
    {
      mode: 'alb',
      domain: DOMAIN,
      hostedZoneId: zoneId,
      port: 8080,
      subdomain: 'pr-{number}',
      listenerArn,
      vpcId,
      healthCheckPath: '/healthz',
    },
    { pollMs: 20 },
  );

function target(owner: RouteOwner, ip: string, sha = 'a'.repeat(40)): RouteTarget {
  return { hostname: HOST, label: 'pr-1', ip, port: 8080, repo: owner.repo, pr: owner.pr, sha };
}

const owners = (owner: RouteOwner, host = HOST): Map<string, RouteOwner> =>
  new Map([[host, owner]]);

/** Calls that change something: none may come from a router that was refused. */
function changeCalls(): Record<string, number> {
  const writes =
    /ChangeResourceRecordSets|\.(Create|Modify|Delete|Register|Deregister|SetRule|AddTags|RemoveTags)/;
  return Object.fromEntries(Object.entries(proxy.counts()).filter(([op]) => writes.test(op)));
}

async function tagsOf(arns: string[]): Promise<Record<string, Record<string, string>>> {
  if (arns.length === 0) return {};
  const { TagDescriptions = [] } = await elbv2.send(
    new DescribeTagsCommand({ ResourceArns: arns }),
  );
  return Object.fromEntries(
    TagDescriptions.map((d) => [
      d.ResourceArn ?? '',
      Object.fromEntries((d.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
    ]),
  );
}

/** Everything the listener, the target groups and the zone hold, read straight from moto. */
async function albState() {
  const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
  const rules = Rules.filter((r) => !r.IsDefault);
  const { TargetGroups = [] } = await elbv2.send(new DescribeTargetGroupsCommand({}));
  const tags = await tagsOf([
    ...rules.map((r) => r.RuleArn ?? ''),
    ...TargetGroups.map((g) => g.TargetGroupArn ?? ''),
  ]);
  const groups = [];
  for (const g of TargetGroups) {
    const { TargetHealthDescriptions = [] } = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn }),
    );
    groups.push({
      name: g.TargetGroupName,
      arn: g.TargetGroupArn,
      tags: tags[g.TargetGroupArn ?? ''],
      targets: TargetHealthDescriptions.map((d) => `${d.Target?.Id}:${d.Target?.Port}`),
    });
  }
  const { ResourceRecordSets = [] } = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }),
  );
  return {
    rules: rules.map((r) => ({
      priority: r.Priority,
      hosts: r.Conditions?.flatMap((c) => c.HostHeaderConfig?.Values ?? []),
      forwardsTo: r.Actions?.find((a) => a.Type === 'forward')?.TargetGroupArn,
      tags: tags[r.RuleArn ?? ''],
    })),
    groups,
    aliases: ResourceRecordSets.filter((r) => r.Type === 'A').map((r) => ({
      name: r.Name,
      to: r.AliasTarget?.DNSName,
    })),
  };
}

const ownerTags = (owner: RouteOwner) =>
  expect.objectContaining({ 'ecs-paas:repo': owner.repo, 'ecs-paas:pr': String(owner.pr) });

describe('alb routes are owned', () => {
  it('refuses a second repository the name, changing nothing of the first one’s', async () => {
    await router().route(target(WEB, '10.0.0.1'));
    const owned = await albState();
    const webGroup = owned.groups[0]?.arn;
    expect(webGroup).toContain(`:targetgroup/${targetGroupName(HOST)}/`);
    expect(owned.rules).toEqual([
      { priority: '1', hosts: [HOST], forwardsTo: webGroup, tags: ownerTags(WEB) },
    ]);
    expect(owned.groups[0]?.tags).toEqual(ownerTags(WEB));
    expect(owned.groups[0]?.targets).toEqual(['10.0.0.1:8080']);
    proxy.resetCounts();

    const refused = router().route(target(API, '10.0.0.2', 'b'.repeat(40)));

    await expect(refused).rejects.toBeInstanceOf(NameTakenError);
    await expect(refused).rejects.toThrow(`${HOST} is already claimed by another preview`);
    expect(changeCalls()).toEqual({});
    expect(await albState()).toEqual(owned);
  });

  it('refuses a name a dns-mode preview or a hand-kept record holds in the zone, creating nothing', async () => {
    const dns = createDnsRouter(route53, {
      mode: 'dns',
      hostedZoneId: zoneId,
      domain: DOMAIN,
      port: 80,
      subdomain: 'pr-{number}',
    });
    await dns.route({ ...target(API, '10.0.0.9'), port: 80 });
    proxy.resetCounts();
    await expect(router().route(target(WEB, '10.0.0.1'))).rejects.toBeInstanceOf(NameTakenError);
    expect(changeCalls()).toEqual({});
    const { ResourceRecordSets = [] } = await route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }),
    );
    expect(
      ResourceRecordSets.filter((r) => r.Name === `${HOST}.`).map((r) => [
        r.Type,
        r.ResourceRecords?.[0]?.Value,
      ]),
    ).toEqual([
      ['A', '10.0.0.9'],
      ['TXT', '"ecs-paas repo=acme/api pr=1"'],
    ]);
  });

  it('refuses the name when another repository made its target group just after we looked', async () => {
    // acme/web's route() is part way: its group exists, its rule not yet. acme/api looked for the
    // group a moment before web made it, so its first lookup found none.
    await elbv2.send(
      new CreateTargetGroupCommand({
        Name: targetGroupName(HOST),
        TargetType: 'ip',
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: vpcId,
        HealthCheckPath: '/healthz',
        HealthCheckIntervalSeconds: 10,
        HealthyThresholdCount: 2,
        Tags: [
          { Key: 'ecs-paas:repo', Value: WEB.repo },
          { Key: 'ecs-paas:pr', Value: String(WEB.pr) },
        ],
      }),
    );
    const before = await albState();
    proxy.intercept(
      'ElasticLoadBalancingV2.DescribeTargetGroups',
      (_request, response) => ({
        ...response,
        body: response.body.replace(/<TargetGroups>[\s\S]*<\/TargetGroups>/, '<TargetGroups/>'),
      }),
      1,
    );
    proxy.resetCounts();

    await expect(router().route(target(API, '10.0.0.2'))).rejects.toBeInstanceOf(NameTakenError);

    expect(proxy.counts()['ElasticLoadBalancingV2.CreateTargetGroup']).toBe(1);
    expect(proxy.counts()['ElasticLoadBalancingV2.RegisterTargets']).toBeUndefined();
    expect(proxy.counts()['ElasticLoadBalancingV2.CreateRule']).toBeUndefined();
    expect(await albState()).toEqual(before);
  });

  it('leaves the name whole when anyone but its owner unroutes it; the owner’s unroute removes it', async () => {
    await router().route(target(WEB, '10.0.0.1'));
    const owned = await albState();
    proxy.resetCounts();

    await router().unroute([HOST], owners(API));
    // Another PR of the same repository is no owner either, nor is a call that names no owner:
    // a name that carries owner tags goes only as its owner's.
    await router().unroute([HOST], owners({ ...WEB, pr: 2 }));
    await router().unroute([HOST]);

    expect(changeCalls()).toEqual({});
    expect(await albState()).toEqual(owned);

    await router().unroute([HOST.toUpperCase()], owners({ ...WEB, repo: 'Acme/Web' }));

    expect(await albState()).toEqual({ rules: [], groups: [], aliases: [] });
  });

  it('removes resources without owner tags only by the sweep’s own judgement', async () => {
    // Made by hand, or by a release that wrote no owner tags: nobody's claim.
    const { TargetGroups } = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: targetGroupName(HOST),
        TargetType: 'ip',
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: vpcId,
      }),
    );
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 5,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [HOST] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: TargetGroups?.[0]?.TargetGroupArn }],
      }),
    );
    const unclaimed = await albState();

    // A PR's teardown expects to own the name; nothing proves it does.
    await router().unroute([HOST], owners(WEB));
    expect(await albState()).toEqual(unclaimed);
    expect((await router().routed()).map((h) => h.owner)).toEqual([undefined]);

    await router().unroute([HOST]);
    expect(await albState()).toEqual({ rules: [], groups: [], aliases: [] });
  });

  it('treats a half-written owner tag as someone’s claim, not as none', async () => {
    await elbv2.send(
      new CreateTargetGroupCommand({
        Name: targetGroupName(HOST),
        TargetType: 'ip',
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: vpcId,
        Tags: [{ Key: 'ecs-paas:repo', Value: API.repo }],
      }),
    );
    const before = await albState();

    await expect(router().route(target(WEB, '10.0.0.1'))).rejects.toBeInstanceOf(NameTakenError);
    await router().unroute([HOST]);

    expect(await albState()).toEqual(before);
  });

  it('keeps a rule that also routes a host it was not asked about', async () => {
    await router().route(target(WEB, '10.0.0.1'));
    const { TargetGroups } = await elbv2.send(
      new CreateTargetGroupCommand({
        Name: 'by-hand',
        TargetType: 'ip',
        Protocol: 'HTTP',
        Port: 80,
        VpcId: vpcId,
      }),
    );
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 50,
        Conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: [HOST, `www.${DOMAIN}`] } },
        ],
        Actions: [{ Type: 'forward', TargetGroupArn: TargetGroups?.[0]?.TargetGroupArn }],
      }),
    );
    const before = await albState();

    await router().unroute([HOST], owners(WEB));

    const after = await albState();
    expect(after.rules).toEqual(before.rules.filter((r) => r.priority === '50'));
    expect(after.groups.map((g) => g.name)).toEqual(['by-hand']);
    expect(after.aliases).toEqual([]);
  });

  it('leaves a host whole while a rule of another repository also routes it', async () => {
    const other = `pr-2.${DOMAIN}`;
    await router().route(target(WEB, '10.0.0.1'));
    await router().route({ ...target(API, '10.0.0.2'), hostname: other, label: 'pr-2' });
    const { TargetGroups } = await elbv2.send(
      new DescribeTargetGroupsCommand({ Names: [targetGroupName(HOST)] }),
    );
    // A rule naming both hosts, tagged for web; api's host is in it too.
    await elbv2.send(
      new CreateRuleCommand({
        ListenerArn: listenerArn,
        Priority: 50,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [HOST, other] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: TargetGroups?.[0]?.TargetGroupArn }],
        Tags: [
          { Key: 'ecs-paas:repo', Value: WEB.repo },
          { Key: 'ecs-paas:pr', Value: String(WEB.pr) },
        ],
      }),
    );
    const before = await albState();

    // api owns pr-2's own rule and group, but a rule of web's routes its name as well.
    await router().unroute([other], owners(API, other));

    expect(await albState()).toEqual(before);
  });

  it('routes a new SHA of the same PR, whatever case its repository name has', async () => {
    await router().route(target(WEB, '10.0.0.1'));
    const [rule] = (await albState()).rules;

    await router().route(target({ ...WEB, repo: 'ACME/web' }, '10.0.0.2', 'b'.repeat(40)));

    const now = await albState();
    expect(now.rules.map((r) => [r.priority, r.forwardsTo])).toEqual([
      [rule?.priority, rule?.forwardsTo],
    ]);
    expect(now.groups[0]?.targets).toEqual(['10.0.0.2:8080']);
    for (const tags of [now.rules[0]?.tags, now.groups[0]?.tags]) {
      expect(tags?.['ecs-paas:sha']).toBe('b'.repeat(40));
    }
  });

  it('reports the owner of each host, of its rule or of a group left without one', async () => {
    await router().route(target(WEB, '10.0.0.1'));
    await router().route({ ...target(API, '10.0.0.2'), hostname: `pr-2.${DOMAIN}`, label: 'pr-2' });
    // A crash between creating a group and its rule leaves the group, tags and all.
    await elbv2.send(
      new CreateTargetGroupCommand({
        Name: targetGroupName(`pr-3.${DOMAIN}`),
        TargetType: 'ip',
        Protocol: 'HTTP',
        Port: 8080,
        VpcId: vpcId,
        Tags: [
          { Key: 'ecs-paas:subdomain', Value: 'pr-3' },
          { Key: 'ecs-paas:repo', Value: 'acme/docs' },
          { Key: 'ecs-paas:pr', Value: '3' },
        ],
      }),
    );

    const hosts = await router().routed();

    expect(Object.fromEntries(hosts.map((h) => [h.hostname, h.owner]))).toEqual({
      [HOST]: WEB,
      [`pr-2.${DOMAIN}`]: API,
      [`pr-3.${DOMAIN}`]: { repo: 'acme/docs', pr: 3 },
    });
  });

  it('reads the owners of 41 previews with 3 DescribeTags calls', async () => {
    for (let n = 1; n <= 41; n++) {
      const host = `pr-${n}.${DOMAIN}`;
      const tags = [
        { Key: 'ecs-paas:repo', Value: 'acme/web' },
        { Key: 'ecs-paas:pr', Value: String(n) },
      ];
      const { TargetGroups } = await elbv2.send(
        new CreateTargetGroupCommand({
          Name: targetGroupName(host),
          TargetType: 'ip',
          Protocol: 'HTTP',
          Port: 8080,
          VpcId: vpcId,
          Tags: tags,
        }),
      );
      await elbv2.send(
        new CreateRuleCommand({
          ListenerArn: listenerArn,
          Priority: n,
          Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [host] } }],
          Actions: [{ Type: 'forward', TargetGroupArn: TargetGroups?.[0]?.TargetGroupArn }],
          Tags: tags,
        }),
      );
    }
    proxy.resetCounts();

    const hosts = await router().routed();

    expect(hosts).toHaveLength(41);
    expect(hosts.every((h) => h.owner?.pr === Number(/^pr-(\d+)\./.exec(h.hostname)?.[1]))).toBe(
      true,
    );
    expect(proxy.counts()['ElasticLoadBalancingV2.DescribeTags']).toBe(3);
  });
});
