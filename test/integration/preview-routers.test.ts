import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ACMClient } from '@aws-sdk/client-acm';
import {
  CreateListenerCommand,
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
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { createAlbRouter, targetGroupName } from '../../src/core/preview/alb-router.js';
import { createDnsRouter } from '../../src/core/preview/dns-router.js';
import type { DnsRoutingSettings, RouteTarget } from '../../src/core/preview/routing-types.js';
import { createDefaultNetwork, testAwsConfig } from '../support/aws.js';
import { startFaultProxy, type FaultProxy, type ProxyResponse } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';

const DOMAIN = 'preview.example.com';

let moto: Moto;
let proxy: FaultProxy;
let route53: Route53Client;
let elbv2: ElasticLoadBalancingV2Client;
let acm: ACMClient;
let zoneId: string;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  // Enough attempts to ride out the throttling the tests inject.
  const config = { ...testAwsConfig(proxy.url), maxAttempts: 5 };
  route53 = new Route53Client(config);
  elbv2 = new ElasticLoadBalancingV2Client(config);
  acm = new ACMClient(config);
});

afterAll(async () => {
  route53?.destroy();
  elbv2?.destroy();
  acm?.destroy();
  await proxy?.stop();
  await moto?.stop();
});

beforeEach(async () => {
  const { HostedZone } = await route53.send(
    new CreateHostedZoneCommand({ Name: DOMAIN, CallerReference: `${Date.now()}` }),
  );
  zoneId = HostedZone?.Id ?? '';
  proxy.resetCounts();
});

afterEach(async () => {
  proxy.clear();
  proxy.resetCounts();
  await moto.reset();
});

function target(label: string, ip: string, overrides: Partial<RouteTarget> = {}): RouteTarget {
  return {
    hostname: `${label}.${DOMAIN}`,
    label,
    ip,
    port: 8080,
    repo: 'octo/web',
    pr: 1,
    sha: 'a'.repeat(40),
    ...overrides,
  };
}

async function aRecords(): Promise<ResourceRecordSet[]> {
  const { ResourceRecordSets = [] } = await route53.send(
    new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }),
  );
  return ResourceRecordSets.filter((r) => r.Type === 'A');
}

/** Calls of the operations that change something, so a repeat can be shown to change nothing. */
function changeCalls(): Record<string, number> {
  const writes =
    /ChangeResourceRecordSets|\.(Create|Modify|Delete|Register|Deregister|AddTags|RemoveTags)/;
  return Object.fromEntries(Object.entries(proxy.counts()).filter(([op]) => writes.test(op)));
}

describe('dns router', () => {
  const settings = (): DnsRoutingSettings => ({
    mode: 'dns',
    domain: DOMAIN,
    hostedZoneId: zoneId,
    port: 8080,
    subdomain: 'pr-{number}-{repo}',
  });
  const router = (): ReturnType<typeof createDnsRouter> => createDnsRouter(route53, settings());

  it('creates an A record with TTL 60 and gives the URL with the port', async () => {
    const { url } = await router().route(target('pr-1-web', '10.0.0.1'));

    expect(url).toBe('http://pr-1-web.preview.example.com:8080');
    expect(await aRecords()).toEqual([
      {
        Name: 'pr-1-web.preview.example.com.',
        Type: 'A',
        TTL: 60,
        ResourceRecords: [{ Value: '10.0.0.1' }],
      },
    ]);
    const { url: plain } = await router().route(target('pr-2-web', '10.0.0.2', { port: 80 }));
    expect(plain).toBe('http://pr-2-web.preview.example.com');
  });

  it('changes nothing when routed again to the same target', async () => {
    await router().route(target('pr-1-web', '10.0.0.1'));
    proxy.resetCounts();

    await router().route(target('pr-1-web', '10.0.0.1'));

    expect(changeCalls()).toEqual({});
  });

  it('switches the record to a new IP', async () => {
    await router().route(target('pr-1-web', '10.0.0.1'));
    await router().route(target('pr-1-web', '10.0.0.2'));

    const records = await aRecords();
    expect(records.map((r) => r.ResourceRecords)).toEqual([[{ Value: '10.0.0.2' }]]);
  });

  it('unroutes several host names in one change and a second unroute does nothing', async () => {
    await router().route(target('pr-1-web', '10.0.0.1'));
    await router().route(target('pr-2-web', '10.0.0.2'));
    await router().route(target('pr-3-web', '10.0.0.3'));
    proxy.resetCounts();

    const owner = { repo: 'octo/web', pr: 1 };
    const owners = new Map([
      [`pr-1-web.${DOMAIN}`, owner],
      [`pr-2-web.${DOMAIN}`, owner],
    ]);
    // Names owned by another PR are not this unroute's to take, whatever it lists.
    await router().unroute(
      [`pr-3-web.${DOMAIN}`],
      new Map([[`pr-3-web.${DOMAIN}`, { ...owner, pr: 2 }]]),
    );
    expect(changeCalls()).toEqual({});
    await router().unroute([`pr-1-web.${DOMAIN}`, `PR-2-WEB.${DOMAIN}.`], owners);

    expect(proxy.counts()['Route53.ChangeResourceRecordSets']).toBe(1);
    expect((await aRecords()).map((r) => r.Name)).toEqual([`pr-3-web.${DOMAIN}.`]);
    proxy.resetCounts();
    await router().unroute([`pr-1-web.${DOMAIN}`, `pr-2-web.${DOMAIN}`], owners);
    expect(changeCalls()).toEqual({});
  });

  it('survives throttling of ChangeResourceRecordSets', async () => {
    proxy.inject('Route53.ChangeResourceRecordSets', { kind: 'throttle' }, 2);

    await router().route(target('pr-1-web', '10.0.0.1'));

    expect(proxy.counts()['Route53.ChangeResourceRecordSets']).toBe(3);
    expect(await aRecords()).toHaveLength(1);
  });

  it('resolves only once Route 53 has the change INSYNC', async () => {
    // moto applies every change at once; make it look like real Route 53, PENDING for a while.
    const pending = (_request: { body: string }, response: ProxyResponse): ProxyResponse => ({
      ...response,
      body: response.body.replace('<Status>INSYNC</Status>', '<Status>PENDING</Status>'),
    });
    proxy.intercept('Route53.ChangeResourceRecordSets', pending, 1);
    proxy.intercept('Route53.GetChange', pending, 2);

    await createDnsRouter(route53, settings(), { pollMs: 10 }).route(target('pr-1', '10.0.0.1'));

    expect(proxy.counts()['Route53.GetChange']).toBe(3);
  });

  it('lists the A records under the domain, and only those', async () => {
    await router().route(target('pr-1-web', '10.0.0.1'));
    await router().route(target('pr-2-web', '10.0.0.2'));
    // The zone's apex is not a preview.
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: DOMAIN,
                Type: 'A',
                TTL: 300,
                ResourceRecords: [{ Value: '10.9.9.9' }],
              },
            },
          ],
        },
      }),
    );

    const routed = await router().routed();

    expect(routed).toEqual([
      {
        hostname: `pr-1-web.${DOMAIN}`,
        ip: '10.0.0.1',
        owned: true,
        owner: { repo: 'octo/web', pr: 1 },
      },
      {
        hostname: `pr-2-web.${DOMAIN}`,
        ip: '10.0.0.2',
        owned: true,
        owner: { repo: 'octo/web', pr: 1 },
      },
    ]);
  });

  it('says which record it could not create', async () => {
    const outside = createDnsRouter(route53, {
      mode: 'dns',
      domain: 'other.example.org',
      hostedZoneId: zoneId,
      port: 80,
      subdomain: 'pr-{number}',
    });

    await expect(
      outside.route({ ...target('pr-1', '10.0.0.1'), hostname: 'pr-1.other.example.org' }),
    ).rejects.toThrow(/^Could not create DNS record pr-1\.other\.example\.org: .*not permitted/);
    await expect(
      router().route(target('x', '10.0.0.1', { hostname: 'x.example.com' })),
    ).rejects.toThrow(
      'Host name x.example.com is not under the preview domain preview.example.com',
    );
  });
});

describe('alb router', () => {
  let listenerArn: string;
  let vpcId: string;
  let balancer: { dnsName: string; zoneId: string; arn: string };

  beforeEach(async () => {
    const network = await createDefaultNetwork(proxy.url);
    vpcId = network.vpcId;
    const { LoadBalancers } = await elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'previews',
        Type: 'application',
        Subnets: network.subnetIds.slice(0, 2),
      }),
    );
    const lb = LoadBalancers?.[0];
    balancer = {
      dnsName: lb?.DNSName ?? '',
      zoneId: lb?.CanonicalHostedZoneId ?? '',
      arn: lb?.LoadBalancerArn ?? '',
    };
    // moto wants an HTTPS listener's certificate to exist in ACM; HTTP exercises the same rules.
    const { Listeners } = await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb?.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      }),
    );
    listenerArn = Listeners?.[0]?.ListenerArn ?? '';
    proxy.resetCounts();
  });

  const router = (
    options: Parameters<typeof createAlbRouter>[2] = { pollMs: 20 },
  ): ReturnType<typeof createAlbRouter> =>
    createAlbRouter(
      { elbv2, route53, acm },
      {
        mode: 'alb',
        domain: DOMAIN,
        hostedZoneId: zoneId,
        port: 8080,
        subdomain: 'pr-{number}-{repo}',
        listenerArn,
        vpcId,
        healthCheckPath: '/healthz',
      },
      options,
    );

  /** What `target()` routes as: the owner its rules and target groups are tagged for. */
  const OWNER = { repo: 'octo/web', pr: 1 };
  const owners = (...hostnames: string[]) => new Map(hostnames.map((h) => [h, OWNER]));

  /** A host this router made: owned, and measured by its target group's RequestCount on this ALB. */
  const albRouted = (hostname: string) => ({
    hostname,
    owned: true,
    owner: OWNER,
    requestMetric: {
      namespace: 'AWS/ApplicationELB',
      name: 'RequestCount',
      dimensions: [
        {
          name: 'TargetGroup',
          value: expect.stringMatching(new RegExp(`^targetgroup/${targetGroupName(hostname)}/`)),
        },
        // CloudWatch names the balancer by the tail of its ARN: app/<name>/<id>.
        { name: 'LoadBalancer', value: balancer.arn.replace(/^.*:loadbalancer\//, '') },
      ],
    },
  });

  async function hostRules(): Promise<{ host: string; priority: string; forwardsTo: string }[]> {
    const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    return Rules.filter((r) => !r.IsDefault).map((r) => ({
      host: r.Conditions?.[0]?.HostHeaderConfig?.Values?.[0] ?? '',
      priority: r.Priority ?? '',
      forwardsTo: r.Actions?.[0]?.TargetGroupArn ?? '',
    }));
  }

  async function targetsOf(groupArn: string): Promise<string[]> {
    const { TargetHealthDescriptions = [] } = await elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: groupArn }),
    );
    return TargetHealthDescriptions.map((d) => `${d.Target?.Id}:${d.Target?.Port}`);
  }

  it('creates a tagged ip target group, a host-header rule and an alias to the load balancer', async () => {
    const { url } = await router().route(target('pr-1-web', '10.0.0.1'));

    expect(url).toBe('https://pr-1-web.preview.example.com');
    const name = targetGroupName(`pr-1-web.${DOMAIN}`);
    expect(name).toMatch(/^ep-[0-9a-f]{29}$/);
    const { TargetGroups = [] } = await elbv2.send(
      new DescribeTargetGroupsCommand({ Names: [name] }),
    );
    const [group] = TargetGroups;
    expect(group).toMatchObject({
      TargetType: 'ip',
      Protocol: 'HTTP',
      Port: 8080,
      VpcId: vpcId,
      HealthCheckPath: '/healthz',
    });
    const groupArn = group?.TargetGroupArn ?? '';
    expect(await targetsOf(groupArn)).toEqual(['10.0.0.1:8080']);
    const rules = await hostRules();
    expect(rules).toEqual([{ host: `pr-1-web.${DOMAIN}`, priority: '1', forwardsTo: groupArn }]);
    const { Rules = [] } = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const { TagDescriptions = [] } = await elbv2.send(
      new DescribeTagsCommand({ ResourceArns: [groupArn, Rules[0]?.RuleArn ?? ''] }),
    );
    for (const { Tags } of TagDescriptions) {
      expect(Object.fromEntries((Tags ?? []).map((t) => [t.Key, t.Value]))).toEqual({
        'ecs-paas:managed': 'true',
        'ecs-paas:repo': 'octo/web',
        'ecs-paas:pr': '1',
        'ecs-paas:sha': 'a'.repeat(40),
        'ecs-paas:subdomain': 'pr-1-web',
      });
    }
    expect(TagDescriptions).toHaveLength(2);
    const [record] = await aRecords();
    expect(record).toMatchObject({
      Name: `pr-1-web.${DOMAIN}.`,
      AliasTarget: { DNSName: balancer.dnsName, HostedZoneId: balancer.zoneId },
    });
    expect(await router().routed()).toEqual([albRouted(`pr-1-web.${DOMAIN}`)]);
  });

  it('changes nothing when routed again to the same target', async () => {
    await router().route(target('pr-1-web', '10.0.0.1'));
    proxy.resetCounts();

    await router().route(target('pr-1-web', '10.0.0.1'));

    expect(changeCalls()).toEqual({});
  });

  it('switches the same host name to a new task and retags for the new SHA', async () => {
    await router().route(target('pr-1-web', '10.0.0.1'));
    const [before] = await hostRules();

    await router().route(target('pr-1-web', '10.0.0.2', { sha: 'b'.repeat(40) }));

    const rules = await hostRules();
    expect(rules).toEqual([before]);
    expect(await targetsOf(before?.forwardsTo ?? '')).toEqual(['10.0.0.2:8080']);
    const { TagDescriptions = [] } = await elbv2.send(
      new DescribeTagsCommand({ ResourceArns: [before?.forwardsTo ?? ''] }),
    );
    const sha = TagDescriptions[0]?.Tags?.find((t) => t.Key === 'ecs-paas:sha')?.Value;
    expect(sha).toBe('b'.repeat(40));
  });

  it('gives each host name the lowest free priority', async () => {
    await router().route(target('pr-1-web', '10.0.0.1'));
    await router().route(target('pr-2-web', '10.0.0.2'));
    await router().unroute([`pr-1-web.${DOMAIN}`], owners(`pr-1-web.${DOMAIN}`));
    await router().route(target('pr-3-web', '10.0.0.3'));

    const priorities = Object.fromEntries((await hostRules()).map((r) => [r.host, r.priority]));
    expect(priorities).toEqual({ [`pr-2-web.${DOMAIN}`]: '2', [`pr-3-web.${DOMAIN}`]: '1' });
  });

  it('reuses a rule that already routes the host name', async () => {
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
        Priority: 7,
        Conditions: [{ Field: 'host-header', Values: [`pr-1-web.${DOMAIN}`] }],
        Actions: [{ Type: 'forward', TargetGroupArn: TargetGroups?.[0]?.TargetGroupArn }],
      }),
    );

    await router().route(target('pr-1-web', '10.0.0.1'));

    const rules = await hostRules();
    expect(rules).toHaveLength(1);
    expect(rules[0]?.priority).toBe('7');
    expect(rules[0]?.forwardsTo).toContain(
      `:targetgroup/${targetGroupName(`pr-1-web.${DOMAIN}`)}/`,
    );
  });

  it('unroutes rules, target groups and aliases with one DNS change; again does nothing', async () => {
    await router().route(target('pr-1-web', '10.0.0.1'));
    await router().route(target('pr-2-web', '10.0.0.2'));
    await router().route(target('pr-3-web', '10.0.0.3'));
    proxy.resetCounts();
    const mine = owners(`pr-1-web.${DOMAIN}`, `pr-2-web.${DOMAIN}`);

    await router().unroute([`pr-1-web.${DOMAIN}`, `pr-2-web.${DOMAIN}`], mine);

    expect(proxy.counts()['Route53.ChangeResourceRecordSets']).toBe(1);
    expect((await hostRules()).map((r) => r.host)).toEqual([`pr-3-web.${DOMAIN}`]);
    expect((await aRecords()).map((r) => r.Name)).toEqual([`pr-3-web.${DOMAIN}.`]);
    const { TargetGroups = [] } = await elbv2.send(new DescribeTargetGroupsCommand({}));
    expect(TargetGroups.map((g) => g.TargetGroupName)).toEqual([
      targetGroupName(`pr-3-web.${DOMAIN}`),
    ]);
    expect(await router().routed()).toEqual([albRouted(`pr-3-web.${DOMAIN}`)]);

    proxy.resetCounts();
    await router().unroute([`pr-1-web.${DOMAIN}`, `pr-2-web.${DOMAIN}`], mine);
    expect(changeCalls()).toEqual({});
  });

  it('survives throttling of the alias change and of rule creation', async () => {
    proxy.inject('Route53.ChangeResourceRecordSets', { kind: 'throttle' });
    proxy.inject('ElasticLoadBalancingV2.CreateRule', { kind: 'throttle' });

    await router().route(target('pr-1-web', '10.0.0.1'));

    expect(proxy.counts()['Route53.ChangeResourceRecordSets']).toBe(2);
    expect(proxy.counts()['ElasticLoadBalancingV2.CreateRule']).toBe(2);
    expect(await hostRules()).toHaveLength(1);
  });

  it('waits for health with backoff and times out with the reason', async () => {
    // moto reports every registered target healthy at once; make it fail its checks.
    proxy.intercept('ElasticLoadBalancingV2.DescribeTargetHealth', (_request, response) => ({
      ...response,
      body: response.body.replace(
        /<State>healthy<\/State>/g,
        '<State>unhealthy</State><Reason>Target.FailedHealthChecks</Reason>' +
          '<Description>Health checks failed with these codes: [502]</Description>',
      ),
    }));

    await expect(
      router({ healthTimeoutMs: 500, pollMs: 50 }).route(target('pr-1-web', '10.0.0.1')),
    ).rejects.toThrow(
      'pr-1-web.preview.example.com: target 10.0.0.1:8080 not healthy within 500 ms: unhealthy, ' +
        'Target.FailedHealthChecks, Health checks failed with these codes: [502]',
    );
    // 50 + 100 + 200 ms of waiting fit in 500 ms; polling every 50 ms would have made ten calls.
    expect(proxy.counts()['ElasticLoadBalancingV2.DescribeTargetHealth']).toBeLessThanOrEqual(5);
  });
});
