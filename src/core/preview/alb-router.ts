import { createHash } from 'node:crypto';
import {
  AddTagsCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyRuleCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
  type Rule,
  type Tag,
  type TargetDescription,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import { withContext } from '../errors.js';
import {
  changeRecords,
  checkUnder,
  deleteARecords,
  findARecord,
  hostKey,
  listARecords,
  pollUntil,
  type PreviewRouter,
  type RoutedHost,
} from './router.js';
import type { MetricRef } from './request-metrics.js';
import { TAGS, type AlbRoutingSettings, type RouteTarget } from './routing-types.js';

export interface AlbRouterOptions {
  /** How long `route()` waits for the target to turn healthy; 5 minutes unless set. */
  readonly healthTimeoutMs?: number;
  /** First delay between health (and Route 53 sync) polls; doubles up to 15 s. */
  readonly pollMs?: number;
}

/**
 * Target group names allow 32 characters and must be unique per account and region; a hash of the
 * host name fits, is found again without any state, and never collides across repositories.
 */
export function targetGroupName(hostname: string): string {
  return `ep-${createHash('sha256').update(hostKey(hostname)).digest('hex').slice(0, 29)}`;
}

function tagsFor(target: RouteTarget): Tag[] {
  return [
    { Key: TAGS.managed, Value: 'true' },
    { Key: TAGS.repo, Value: target.repo },
    { Key: TAGS.pr, Value: String(target.pr) },
    { Key: TAGS.sha, Value: target.sha },
    { Key: TAGS.subdomain, Value: target.label },
  ];
}

function hostsOf(rule: Rule): string[] {
  return (rule.Conditions ?? [])
    .filter((c) => c.Field === 'host-header')
    .flatMap((c) => [...(c.HostHeaderConfig?.Values ?? []), ...(c.Values ?? [])])
    .map(hostKey);
}

function forwardsOf(rule: Rule): string[] {
  return (rule.Actions ?? [])
    .filter((a) => a.Type === 'forward')
    .flatMap((a) => [
      a.TargetGroupArn,
      ...(a.ForwardConfig?.TargetGroups ?? []).map((t) => t.TargetGroupArn),
    ])
    .filter((arn): arn is string => arn !== undefined);
}

const named = (error: unknown, name: string): boolean =>
  error instanceof Error && error.name === name;

async function step<T>(context: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw withContext(context, error);
  }
}

/** `alb` mode: a target group and host-header rule per preview on a shared listener, and a Route 53 alias. */
export function createAlbRouter(
  clients: { elbv2: ElasticLoadBalancingV2Client; route53: Route53Client },
  settings: AlbRoutingSettings,
  options: AlbRouterOptions = {},
): PreviewRouter {
  const { elbv2, route53 } = clients;
  const zone = settings.hostedZoneId;
  const healthTimeoutMs = options.healthTimeoutMs ?? 300_000;

  // The listener's load balancer never changes; a failed lookup is tried again next time.
  let balancer: Promise<{ dnsName: string; zoneId: string }> | undefined;
  const loadBalancer = (): Promise<{ dnsName: string; zoneId: string }> =>
    (balancer ??= step(`Could not find the load balancer of ${settings.listenerArn}`, async () => {
      const { Listeners } = await elbv2.send(
        new DescribeListenersCommand({ ListenerArns: [settings.listenerArn] }),
      );
      const arn = Listeners?.[0]?.LoadBalancerArn;
      if (!arn) throw new Error('the listener names no load balancer');
      const { LoadBalancers } = await elbv2.send(
        new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] }),
      );
      const { DNSName, CanonicalHostedZoneId } = LoadBalancers?.[0] ?? {};
      if (!DNSName || !CanonicalHostedZoneId) throw new Error(`${arn} has no DNS name`);
      return { dnsName: DNSName, zoneId: CanonicalHostedZoneId };
    }).catch((error: unknown) => {
      balancer = undefined;
      throw error;
    }));

  const listRules = (): Promise<Rule[]> =>
    step(`Could not list the rules of ${settings.listenerArn}`, async () => {
      const rules: Rule[] = [];
      let marker: string | undefined;
      do {
        const page = await elbv2.send(
          new DescribeRulesCommand({
            ListenerArn: settings.listenerArn,
            ...(marker && { Marker: marker }),
          }),
        );
        rules.push(...(page.Rules ?? []));
        marker = page.NextMarker;
      } while (marker);
      return rules;
    });

  const findTargetGroup = async (name: string): Promise<TargetGroup | undefined> => {
    try {
      const { TargetGroups } = await elbv2.send(new DescribeTargetGroupsCommand({ Names: [name] }));
      return TargetGroups?.[0];
    } catch (error) {
      if (named(error, 'TargetGroupNotFoundException')) return undefined;
      throw withContext(`Could not look up target group ${name}`, error);
    }
  };

  type Ensured = { arn: string; fresh: boolean };

  const ensureTargetGroup = (hostname: string, tags: Tag[]): Promise<Ensured> =>
    step(`Could not create the target group for ${hostname}`, async () => {
      const name = targetGroupName(hostname);
      let group = await findTargetGroup(name);
      let fresh = false;
      if (!group) {
        try {
          const { TargetGroups } = await elbv2.send(
            new CreateTargetGroupCommand({
              Name: name,
              TargetType: 'ip',
              Protocol: 'HTTP',
              Port: settings.port,
              VpcId: settings.vpcId,
              HealthCheckPath: settings.healthCheckPath,
              // The defaults (30 s × 5) keep a fresh preview unreachable for over two minutes.
              HealthCheckIntervalSeconds: 10,
              HealthyThresholdCount: 2,
              Tags: tags,
            }),
          );
          group = TargetGroups?.[0];
          fresh = true;
        } catch (error) {
          // Another route() of the same host won the race: use its group.
          if (!named(error, 'DuplicateTargetGroupNameException')) throw error;
          group = await findTargetGroup(name);
        }
      }
      const arn = group?.TargetGroupArn;
      if (!arn) throw new Error(`target group ${name} has no ARN`);
      if (group?.HealthCheckPath !== settings.healthCheckPath) {
        await elbv2.send(
          new ModifyTargetGroupCommand({
            TargetGroupArn: arn,
            HealthCheckPath: settings.healthCheckPath,
          }),
        );
      }
      return { arn, fresh };
    });

  /** Registers the task; returns the other targets, which are dropped once it is healthy. */
  const ensureTarget = (groupArn: string, target: RouteTarget): Promise<TargetDescription[]> =>
    step(`Could not register ${target.ip}:${target.port} for ${target.hostname}`, async () => {
      const { TargetHealthDescriptions = [] } = await elbv2.send(
        new DescribeTargetHealthCommand({ TargetGroupArn: groupArn }),
      );
      const isNew = (t: TargetDescription): boolean => t.Id === target.ip && t.Port === target.port;
      const current = TargetHealthDescriptions.flatMap((d) =>
        // Draining targets are already on their way out; deregistering again changes nothing.
        d.Target && d.TargetHealth?.State !== 'draining' ? [d.Target] : [],
      );
      if (!current.some(isNew)) {
        await elbv2.send(
          new RegisterTargetsCommand({
            TargetGroupArn: groupArn,
            Targets: [{ Id: target.ip, Port: target.port }],
          }),
        );
      }
      return current.filter((t) => !isNew(t));
    });

  const ensureRule = (groupArn: string, hostname: string, tags: Tag[]): Promise<Ensured> =>
    step(`Could not create the listener rule for ${hostname}`, async () => {
      const rules = await listRules();
      const existing = rules.find((r) => !r.IsDefault && hostsOf(r).includes(hostname));
      const forward = [{ Type: 'forward' as const, TargetGroupArn: groupArn }];
      if (existing?.RuleArn) {
        const targets = forwardsOf(existing);
        if (targets.length !== 1 || targets[0] !== groupArn) {
          await elbv2.send(new ModifyRuleCommand({ RuleArn: existing.RuleArn, Actions: forward }));
        }
        return { arn: existing.RuleArn, fresh: false };
      }
      const used = new Set(rules.map((r) => Number(r.Priority)));
      // Another router may take a priority between our read and our write: move on to the next.
      for (let priority = 1, clashes = 0; ; priority++) {
        if (used.has(priority)) continue;
        try {
          const { Rules } = await elbv2.send(
            new CreateRuleCommand({
              ListenerArn: settings.listenerArn,
              Priority: priority,
              Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [hostname] } }],
              Actions: forward,
              Tags: tags,
            }),
          );
          const arn = Rules?.[0]?.RuleArn;
          if (!arn) throw new Error('CreateRule returned no rule');
          return { arn, fresh: true };
        } catch (error) {
          if (!named(error, 'PriorityInUseException') || ++clashes >= 5) throw error;
        }
      }
    });

  /** A new push changes the SHA tag; resources made by this call already carry the right tags. */
  const syncTags = (arns: string[], tags: Tag[]): Promise<void> =>
    step(`Could not tag ${arns.join(', ')}`, async () => {
      if (arns.length === 0) return;
      const { TagDescriptions = [] } = await elbv2.send(
        new DescribeTagsCommand({ ResourceArns: arns }),
      );
      const outdated = arns.filter((arn) => {
        const have = TagDescriptions.find((d) => d.ResourceArn === arn)?.Tags ?? [];
        return tags.some((t) => !have.some((h) => h.Key === t.Key && h.Value === t.Value));
      });
      if (outdated.length > 0) {
        await elbv2.send(new AddTagsCommand({ ResourceArns: outdated, Tags: tags }));
      }
    });

  const ensureAlias = async (hostname: string): Promise<void> => {
    const lb = await loadBalancer();
    const alias = (await findARecord(route53, zone, hostname))?.AliasTarget;
    if (alias?.HostedZoneId === lb.zoneId && hostKey(alias.DNSName ?? '') === hostKey(lb.dnsName)) {
      return;
    }
    await changeRecords(
      route53,
      zone,
      [
        {
          Action: 'UPSERT',
          ResourceRecordSet: {
            Name: `${hostname}.`,
            Type: 'A',
            AliasTarget: {
              HostedZoneId: lb.zoneId,
              DNSName: lb.dnsName,
              EvaluateTargetHealth: false,
            },
          },
        },
      ],
      `Could not create DNS alias ${hostname}`,
      options.pollMs,
    );
  };

  const waitHealthy = (groupArn: string, target: RouteTarget): Promise<void> =>
    pollUntil(
      async () => {
        const { TargetHealthDescriptions } = await step(
          `Could not read the health of ${target.hostname}`,
          () =>
            elbv2.send(
              new DescribeTargetHealthCommand({
                TargetGroupArn: groupArn,
                Targets: [{ Id: target.ip, Port: target.port }],
              }),
            ),
        );
        const health = TargetHealthDescriptions?.[0]?.TargetHealth;
        return health?.State === 'healthy' ? { done: undefined } : { miss: health };
      },
      {
        timeoutMs: healthTimeoutMs,
        ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      },
      (health) =>
        new Error(
          `${target.hostname}: target ${target.ip}:${target.port} not healthy within ${healthTimeoutMs} ms: ` +
            [health?.State ?? 'no state', health?.Reason, health?.Description]
              .filter(Boolean)
              .join(', '),
        ),
    );

  /** The metric CloudWatch keeps per target group: its dimensions come from the two ARNs. */
  const requestCount = (groupArn: string): MetricRef => ({
    namespace: 'AWS/ApplicationELB',
    name: 'RequestCount',
    dimensions: [
      { name: 'TargetGroup', value: groupArn.slice(groupArn.indexOf('targetgroup/')) },
      {
        name: 'LoadBalancer',
        value: (settings.listenerArn.split(':listener/')[1] ?? '').split('/').slice(0, 3).join('/'),
      },
    ],
  });

  /** Host names of our target groups in the VPC that no load balancer uses, from their tags. */
  const detachedGroupHosts = (): Promise<string[]> =>
    step('Could not list target groups', async () => {
      const detached: TargetGroup[] = [];
      let marker: string | undefined;
      do {
        const page = await elbv2.send(
          new DescribeTargetGroupsCommand({ PageSize: 400, ...(marker && { Marker: marker }) }),
        );
        detached.push(
          ...(page.TargetGroups ?? []).filter(
            (g) =>
              g.TargetGroupName?.startsWith('ep-') &&
              g.VpcId === settings.vpcId &&
              (g.LoadBalancerArns ?? []).length === 0,
          ),
        );
        marker = page.NextMarker;
      } while (marker);
      const hosts: string[] = [];
      // DescribeTags takes 20 resources per call.
      for (let i = 0; i < detached.length; i += 20) {
        const batch = detached.slice(i, i + 20);
        const { TagDescriptions = [] } = await elbv2.send(
          new DescribeTagsCommand({ ResourceArns: batch.map((g) => g.TargetGroupArn ?? '') }),
        );
        for (const group of batch) {
          const tags = TagDescriptions.find((d) => d.ResourceArn === group.TargetGroupArn)?.Tags;
          const label = tags?.find((t) => t.Key === TAGS.subdomain)?.Value;
          const hostname = label ? hostKey(`${label}.${settings.domain}`) : undefined;
          // The name is a hash of the host: a match proves the group is this domain's.
          if (hostname && targetGroupName(hostname) === group.TargetGroupName) hosts.push(hostname);
        }
      }
      return hosts;
    });

  return {
    async route(target) {
      const hostname = checkUnder(settings.domain, target.hostname);
      const tags = tagsFor(target);
      const group = await ensureTargetGroup(hostname, tags);
      const stale = await ensureTarget(group.arn, target);
      const rule = await ensureRule(group.arn, hostname, tags);
      await syncTags(
        [group, rule].filter((r) => !r.fresh).map((r) => r.arn),
        tags,
      );
      await ensureAlias(hostname);
      await waitHealthy(group.arn, target);
      // Only now: until the new task is healthy, the old one keeps serving the preview.
      if (stale.length > 0) {
        await step(`Could not deregister the old targets of ${hostname}`, () =>
          elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: group.arn, Targets: stale })),
        );
      }
      return { url: `https://${hostname}` };
    },

    async unroute(hostnames) {
      const keys = new Set(hostnames.map(hostKey));
      if (keys.size === 0) return;
      // A rule that also routes a host we were not asked about is not ours to delete.
      const rules = (await listRules()).filter((r) => {
        const hosts = hostsOf(r);
        return !r.IsDefault && hosts.length > 0 && hosts.every((h) => keys.has(h));
      });
      for (const rule of rules) {
        await step(`Could not delete listener rule for ${hostsOf(rule).join(', ')}`, async () => {
          try {
            await elbv2.send(new DeleteRuleCommand({ RuleArn: rule.RuleArn }));
          } catch (error) {
            if (!named(error, 'RuleNotFoundException')) throw error;
          }
        });
      }
      // Groups are deleted after the rules: a group a rule still forwards to cannot be deleted.
      for (const key of keys) {
        const group = await findTargetGroup(targetGroupName(key));
        if (!group?.TargetGroupArn) continue;
        await step(`Could not delete the target group of ${key}`, async () => {
          try {
            await elbv2.send(
              new DeleteTargetGroupCommand({ TargetGroupArn: group.TargetGroupArn }),
            );
          } catch (error) {
            if (!named(error, 'TargetGroupNotFoundException')) throw error;
          }
        });
      }
      await deleteARecords(route53, zone, [...keys]);
    },

    async routed() {
      const suffix = `.${hostKey(settings.domain)}`;
      const hosts = new Map<string, RoutedHost>();
      for (const rule of await listRules()) {
        const forwards = forwardsOf(rule);
        for (const host of hostsOf(rule)) {
          const group = forwards.find((arn) =>
            arn.includes(`:targetgroup/${targetGroupName(host)}/`),
          );
          if (!host.endsWith(suffix) || !group) continue;
          hosts.set(host, { hostname: host, owned: true, requestMetric: requestCount(group) });
        }
      }
      // Left behind by a crash between creating the group and its rule, or between deleting them.
      for (const hostname of await detachedGroupHosts()) {
        if (!hosts.has(hostname)) hosts.set(hostname, { hostname, owned: true });
      }
      const lb = await loadBalancer();
      for (const record of await listARecords(route53, zone)) {
        const hostname = hostKey(record.Name ?? '');
        const alias = record.AliasTarget;
        if (!hostname.endsWith(suffix) || hosts.has(hostname) || !alias) continue;
        if (hostKey(alias.DNSName ?? '') === hostKey(lb.dnsName)) {
          hosts.set(hostname, { hostname, owned: false });
        }
      }
      return [...hosts.values()];
    },
  };
}
