import { createHash } from 'node:crypto';
import type { ACMClient } from '@aws-sdk/client-acm';
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
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ModifyRuleCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  RemoveTagsCommand,
  SetRulePrioritiesCommand,
  type Action,
  type ElasticLoadBalancingV2Client,
  type Rule,
  type RuleCondition,
  type Tag,
  type TargetDescription,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { withContext } from '../errors.js';
import {
  AuthSecretProblem,
  bypassConditions,
  bypassValues,
  isBypassRule,
  previewActions,
  resolveAuth,
  sameActions,
  type ResolvedAuth,
} from './alb-auth.js';
import { listenerProblem } from './alb-listener-check.js';
import { claimedByOther, mayRemove, tagOwner, tagsOf } from './alb-owner.js';
import { forwardBeside } from './alb-wake-actions.js';
import { isAsleep, WAKE_TAGS } from './alb-wake-tags.js';
import { NameTakenError, readOwner, recordsAt, sameOwner } from './dns-owner.js';
import {
  changeRecords,
  checkUnder,
  deleteARecords,
  findARecord,
  hostKey,
  listARecords,
  pollUntil,
  type PreviewRouter,
  type RouteOwner,
  type RoutedHost,
} from './router.js';
import type { MetricRef } from './request-metrics.js';
import {
  TAGS,
  type AlbRoutingSettings,
  type RoutePreflight,
  type RouteTarget,
} from './routing-types.js';

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

/** The host names a rule's host-header conditions name, in one form. */
export function hostsOf(rule: Rule): string[] {
  return (rule.Conditions ?? [])
    .filter((c) => c.Field === 'host-header')
    .flatMap((c) => [...(c.HostHeaderConfig?.Values ?? []), ...(c.Values ?? [])])
    .map(hostKey);
}

const rulesOf = (rules: readonly Rule[], host: string): Rule[] =>
  rules.filter((r) => !r.IsDefault && hostsOf(r).includes(host));

/** The target groups a rule forwards to. */
export function forwardsOf(rule: Rule): string[] {
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

/** The AWS clients alb mode talks to; Secrets Manager only when `routing.auth` is set. */
export interface AlbRouterClients {
  readonly elbv2: ElasticLoadBalancingV2Client;
  readonly route53: Route53Client;
  readonly acm: ACMClient;
  readonly secrets?: SecretsManagerClient;
}

/**
 * `alb` mode: a target group and host-header rule per preview on a shared HTTPS listener, and a
 * Route 53 alias. With `routing.auth` the rule logs the user in before it forwards, and a bypass
 * rule ahead of it forwards requests that carry the bypass header.
 */
export function createAlbRouter(
  clients: AlbRouterClients,
  settings: AlbRoutingSettings,
  options: AlbRouterOptions = {},
): PreviewRouter & RoutePreflight {
  const { elbv2, route53, acm, secrets } = clients;
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

  /** What exists for a host: its target group, the listener's rules, and who the host's are. */
  type Found = { group?: TargetGroup; rules: Rule[]; tags: Map<string, Tag[]> };

  const findHost = async (hostname: string): Promise<Found> => {
    const group = await findTargetGroup(targetGroupName(hostname));
    const rules = await listRules();
    const arns = [group?.TargetGroupArn, ...rulesOf(rules, hostname).map((r) => r.RuleArn)];
    return { ...(group && { group }), rules, tags: await tagsOf(elbv2, arns) };
  };

  const ensureTargetGroup = (hostname: string, tags: Tag[], found?: TargetGroup): Promise<string> =>
    step(`Could not create the target group for ${hostname}`, async () => {
      const name = targetGroupName(hostname);
      let group = found;
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
        } catch (error) {
          // Another route() of the same host won the race: its group, once route() knows whose.
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
      return arn;
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

  type Placed = Ensured & { priority: number };

  /**
   * Runs `take` with the lowest free priority above `after`; `used` gains the one it took.
   * Another router may take a priority between our read and our write: move on to the next.
   */
  const atFreePriority = async <T>(
    used: Set<number>,
    after: number,
    take: (priority: number) => Promise<T>,
  ): Promise<T & { priority: number }> => {
    for (let priority = after + 1, clashes = 0; ; priority++) {
      if (used.has(priority)) continue;
      try {
        const taken = await take(priority);
        used.add(priority);
        return { ...taken, priority };
      } catch (error) {
        if (!named(error, 'PriorityInUseException') || ++clashes >= 5) throw error;
      }
    }
  };

  const createRule = (
    conditions: RuleCondition[],
    actions: Action[],
    tags: Tag[],
    used: Set<number>,
  ): Promise<Placed> =>
    atFreePriority(used, 0, async (priority) => {
      const { Rules } = await elbv2.send(
        new CreateRuleCommand({
          ListenerArn: settings.listenerArn,
          Priority: priority,
          Conditions: conditions,
          Actions: actions,
          Tags: tags,
        }),
      );
      const arn = Rules?.[0]?.RuleArn;
      if (!arn) throw new Error('CreateRule returned no rule');
      return { arn, fresh: true };
    });

  const deleteRule = async (arn: string | undefined): Promise<void> => {
    try {
      await elbv2.send(new DeleteRuleCommand({ RuleArn: arn }));
    } catch (error) {
      if (!named(error, 'RuleNotFoundException')) throw error;
    }
  };

  /**
   * The bypass rule (host + header → forward), when one is configured, and the preview's rule
   * (host → login, forward). The bypass rule must be evaluated first: it gets the lower priority.
   */
  const ensureRules = (
    groupArn: string,
    hostname: string,
    tags: Tag[],
    auth: ResolvedAuth,
    rules: readonly Rule[],
  ): Promise<Ensured[]> =>
    step(`Could not create the listener rules for ${hostname}`, async () => {
      const used = new Set(rules.map((r) => Number(r.Priority)));
      const ours = rulesOf(rules, hostname);
      const forward = [{ Type: 'forward' as const, TargetGroupArn: groupArn }];

      // A new pair is created bypass first, so it already has the lower priority.
      const oldBypass = ours.find(isBypassRule);
      let bypass: Placed | undefined;
      if (auth.bypass === undefined) {
        // Bypass turned off in the config: its rule would still let the header in.
        if (oldBypass) await deleteRule(oldBypass.RuleArn);
      } else if (oldBypass?.RuleArn) {
        const values = bypassValues(oldBypass);
        if (
          values.length !== 1 ||
          values[0] !== auth.bypass ||
          !sameActions(oldBypass.Actions ?? [], forward)
        ) {
          await elbv2.send(
            new ModifyRuleCommand({
              RuleArn: oldBypass.RuleArn,
              Conditions: bypassConditions(hostname, auth.bypass),
              Actions: forward,
            }),
          );
        }
        bypass = { arn: oldBypass.RuleArn, fresh: false, priority: Number(oldBypass.Priority) };
      } else {
        bypass = await createRule(bypassConditions(hostname, auth.bypass), forward, tags, used);
      }

      const oldMain = ours.find((r) => !isBypassRule(r));
      const actions = previewActions(auth, groupArn);
      let main: Placed;
      if (oldMain?.RuleArn) {
        if (!sameActions(oldMain.Actions ?? [], actions)) {
          await elbv2.send(new ModifyRuleCommand({ RuleArn: oldMain.RuleArn, Actions: actions }));
        }
        main = { arn: oldMain.RuleArn, fresh: false, priority: Number(oldMain.Priority) };
      } else {
        main = await createRule(
          [{ Field: 'host-header', HostHeaderConfig: { Values: [hostname] } }],
          actions,
          tags,
          used,
        );
      }

      // A bypass added to a preview that already had its rule lands behind it: move that rule
      // to a free priority after the bypass (one rule to a free slot: not every ELB accepts a swap).
      if (bypass && bypass.priority > main.priority) {
        const { arn } = main;
        await atFreePriority(used, bypass.priority, (priority) =>
          elbv2.send(
            new SetRulePrioritiesCommand({
              RulePriorities: [{ RuleArn: arn, Priority: priority }],
            }),
          ),
        );
      }
      return bypass ? [main, bypass] : [main];
    });

  /** A new push changes the SHA tag; `held` has the tags each resource carried when it was read. */
  const syncTags = async (arns: string[], held: Map<string, Tag[]>, tags: Tag[]): Promise<void> => {
    const outdated = arns.filter((arn) => {
      const have = held.get(arn) ?? [];
      return tags.some((t) => !have.some((h) => h.Key === t.Key && h.Value === t.Value));
    });
    if (outdated.length === 0) return;
    await step(`Could not tag ${outdated.join(', ')}`, () =>
      elbv2.send(new AddTagsCommand({ ResourceArns: outdated, Tags: tags })),
    );
  };

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

  /** Our target groups in the VPC that no load balancer uses: their hosts and owners, by tags. */
  const detachedGroups = (): Promise<Array<{ hostname: string; owner?: RouteOwner }>> =>
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
      const tags = await tagsOf(
        elbv2,
        detached.map((g) => g.TargetGroupArn),
      );
      return detached.flatMap((group) => {
        const held = tags.get(group.TargetGroupArn ?? '') ?? [];
        const label = held.find((t) => t.Key === TAGS.subdomain)?.Value;
        const hostname = label ? hostKey(`${label}.${settings.domain}`) : undefined;
        const owner = tagOwner(held);
        // The name is a hash of the host: a match proves the group is this domain's.
        return hostname && targetGroupName(hostname) === group.TargetGroupName
          ? [{ hostname, ...(owner && { owner }) }]
          : [];
      });
    });

  return {
    async preflight() {
      const problem = await listenerProblem({ elbv2, acm }, settings.listenerArn, settings.domain);
      if (problem !== undefined) return problem;
      try {
        await resolveAuth(secrets, settings.auth);
      } catch (error) {
        if (error instanceof AuthSecretProblem) return error.message;
        throw error;
      }
      return undefined;
    },

    async route(target) {
      const hostname = checkUnder(settings.domain, target.hostname);
      const tags = tagsFor(target);
      const owner: RouteOwner = { repo: target.repo, pr: target.pr };
      // Secrets first: one that cannot be read leaves no group or rule behind.
      const auth = await resolveAuth(secrets, settings.auth);
      // Another repository's group or rule for the name: refuse before touching either.
      const found = await findHost(hostname);
      if ([...found.tags.values()].some((held) => claimedByOther(held, owner))) {
        throw new NameTakenError(hostname);
      }
      // The name itself may be held in the zone: a dns-mode preview's record and owner record, or
      // a record someone keeps by hand. An alias would overwrite either.
      const { a, txt } = await recordsAt(route53, zone, hostname);
      const held = readOwner(txt);
      if ((held && !sameOwner(held, owner)) || (a && !a.AliasTarget)) {
        throw new NameTakenError(hostname);
      }
      const groupArn = await ensureTargetGroup(hostname, tags, found.group);
      if (!found.group) {
        // Another repository's route() may have made it since we looked: CreateTargetGroup hands
        // back an existing group of equal settings (a duplicate, on some servers) as if new.
        const made = await tagsOf(elbv2, [groupArn]);
        if (claimedByOther(made.get(groupArn) ?? [], owner)) throw new NameTakenError(hostname);
        made.forEach((held, arn) => found.tags.set(arn, held));
      }
      const stale = await ensureTarget(groupArn, target);
      // A sleeping preview (wake on request): the App's waking page keeps answering until the
      // task is healthy, and only then does the rule forward to it again.
      const asleep = rulesOf(found.rules, hostname).filter((r) =>
        isAsleep(found.tags.get(r.RuleArn ?? '') ?? []),
      );
      if (asleep.length > 0) {
        await step(`Could not attach the new target group of ${hostname}`, async () => {
          for (const rule of asleep) {
            await elbv2.send(
              new ModifyRuleCommand({
                RuleArn: rule.RuleArn,
                Actions: forwardBeside(rule.Actions ?? [], groupArn),
              }),
            );
          }
        });
        await waitHealthy(groupArn, target);
      }
      const rules = await ensureRules(groupArn, hostname, tags, auth, found.rules);
      await syncTags(
        [groupArn, ...rules.filter((r) => !r.fresh).map((r) => r.arn)],
        found.tags,
        tags,
      );
      if (asleep.length > 0) {
        await step(`Could not mark ${hostname} awake`, () =>
          elbv2.send(
            new RemoveTagsCommand({
              ResourceArns: asleep.flatMap((r) => r.RuleArn ?? []),
              TagKeys: [WAKE_TAGS.asleep, WAKE_TAGS.waking],
            }),
          ),
        );
      }
      await ensureAlias(hostname);
      if (asleep.length === 0) await waitHealthy(groupArn, target);
      // Only now: until the new task is healthy, the old one keeps serving the preview.
      if (stale.length > 0) {
        await step(`Could not deregister the old targets of ${hostname}`, () =>
          elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: groupArn, Targets: stale })),
        );
      }
      return { url: `https://${hostname}` };
    },

    async unroute(hostnames, owners) {
      const keys = new Set(hostnames.map(hostKey));
      if (keys.size === 0) return;
      const rules = (await listRules()).filter(
        (r) => !r.IsDefault && hostsOf(r).some((h) => keys.has(h)),
      );
      const groups = new Map<string, string>();
      for (const key of keys) {
        const arn = (await findTargetGroup(targetGroupName(key)))?.TargetGroupArn;
        if (arn) groups.set(key, arn);
      }
      const tags = await tagsOf(elbv2, [...rules.map((r) => r.RuleArn), ...groups.values()]);
      const held = (arn: string | undefined): Tag[] => tags.get(arn ?? '') ?? [];
      // Any rule naming the host counts, so a foreign rule also routing it keeps the host whole.
      const removable = new Set(
        [...keys].filter((key) =>
          mayRemove(
            [...rulesOf(rules, key).map((r) => r.RuleArn), groups.get(key)].map(held),
            owners?.get(key),
          ),
        ),
      );
      // A rule that also routes a host we may not remove is not ours to delete. The bypass rule
      // names the same host, so it goes with the preview's rule.
      for (const rule of rules.filter((r) => hostsOf(r).every((h) => removable.has(h)))) {
        await step(`Could not delete listener rule for ${hostsOf(rule).join(', ')}`, () =>
          deleteRule(rule.RuleArn),
        );
      }
      // Groups are deleted after the rules: a group a rule still forwards to cannot be deleted.
      for (const key of removable) {
        const arn = groups.get(key);
        if (!arn) continue;
        await step(`Could not delete the target group of ${key}`, async () => {
          try {
            await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
          } catch (error) {
            if (!named(error, 'TargetGroupNotFoundException')) throw error;
          }
        });
      }
      await deleteARecords(route53, zone, [...removable]);
    },

    async routed() {
      const suffix = `.${hostKey(settings.domain)}`;
      const found: Array<{ host: string; group: string; rule: Rule }> = [];
      // Rules forwarding elsewhere: a sleeping preview's forward to the App (wake on request).
      const other: Array<{ host: string; rule: Rule }> = [];
      for (const rule of await listRules()) {
        const forwards = forwardsOf(rule);
        for (const host of hostsOf(rule)) {
          const group = forwards.find((arn) =>
            arn.includes(`:targetgroup/${targetGroupName(host)}/`),
          );
          if (host.endsWith(suffix) && group) found.push({ host, group, rule });
          else if (host.endsWith(suffix) && !rule.IsDefault) other.push({ host, rule });
        }
      }
      // One DescribeTags per 20 rules, not one per preview.
      const tags = await tagsOf(elbv2, [
        ...found.map((f) => f.rule.RuleArn),
        ...other.map((o) => o.rule.RuleArn),
      ]);
      const hosts = new Map<string, RoutedHost>();
      for (const { host, group, rule } of found) {
        // The bypass rule and the preview's rule carry the same tags; either one tells.
        const owner = tagOwner(tags.get(rule.RuleArn ?? '') ?? []) ?? hosts.get(host)?.owner;
        hosts.set(host, {
          hostname: host,
          owned: true,
          requestMetric: requestCount(group),
          ...(owner && { owner }),
        });
      }
      for (const { host, rule } of other) {
        const held = tags.get(rule.RuleArn ?? '') ?? [];
        const owner = tagOwner(held);
        if (hosts.has(host) || !owner || !isAsleep(held)) continue;
        hosts.set(host, { hostname: host, owned: true, asleep: true, owner });
      }
      // Left behind by a crash between creating the group and its rule, or between deleting them.
      for (const { hostname, owner } of await detachedGroups()) {
        if (hosts.has(hostname)) continue;
        hosts.set(hostname, { hostname, owned: true, ...(owner && { owner }) });
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
