import {
  AddTagsCommand,
  DeleteTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  ModifyRuleCommand,
  RemoveTagsCommand,
  type ElasticLoadBalancingV2Client,
  type Rule,
  type Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { errorMessage, withContext } from '../errors.js';
import { forwardsOf, hostsOf, targetGroupName } from './alb-router.js';
import { mayRemove, tagOwner, tagsOf } from './alb-owner.js';
import { forwardTo } from './alb-wake-actions.js';
import { isAsleep, WAKE_LISTENER_PREFIX, WAKE_TAGS, wakeListenerKey } from './alb-wake-tags.js';
import { hostKey, type RouteOwner } from './router.js';

/** A preview whose rules forward to the App while its task is stopped, as AWS tags say. */
export interface SleepingRoute {
  readonly hostname: string;
  readonly owner: RouteOwner;
  readonly listenerArn: string;
  /** Every rule naming the host (the preview's, and its bypass rule when there is one). */
  readonly ruleArns: readonly string[];
  /** Since when a visit's relaunch has been under way, if one is. */
  readonly wakingSince?: Date;
}

const named = (error: unknown, name: string): boolean =>
  error instanceof Error && error.name === name;

async function listRules(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
): Promise<Rule[]> {
  const rules: Rule[] = [];
  let marker: string | undefined;
  do {
    const page = await elbv2.send(
      new DescribeRulesCommand({ ListenerArn: listenerArn, ...(marker && { Marker: marker }) }),
    );
    rules.push(...(page.Rules ?? []));
    marker = page.NextMarker;
  } while (marker);
  return rules;
}

const tagValue = (tags: readonly Tag[], key: string): string | undefined =>
  tags.find((t) => t.Key === key)?.Value;

function timeOf(value: string | undefined): Date | undefined {
  const time = value ? new Date(value) : undefined;
  return time && !Number.isNaN(time.getTime()) ? time : undefined;
}

export interface SleepOutcome {
  /** Hosts whose rules now forward to the App. */
  readonly slept: string[];
  /** Hosts that could not be put to sleep, with why: the caller removes their routes instead. */
  readonly failed: Array<{ hostname: string; reason: string }>;
}

/**
 * Puts idle-stopped previews to sleep: each host's rules (only those `owners` says are its PR's)
 * forward to the App's target group and are tagged asleep; the preview's own target group goes.
 * The DNS alias stays: it names the load balancer, which still answers for the host.
 *
 * The target group is deleted rather than kept: a sleeping preview then holds one kind of
 * resource (its rules), a group with no rule forwarding to it is what the sweep removes as left
 * behind by a crash, and the relaunch makes a fresh one anyway (route() creates what is missing).
 */
export async function sleepRoutes(
  elbv2: ElasticLoadBalancingV2Client,
  listenerArn: string,
  hosts: ReadonlyArray<{ hostname: string; owner: RouteOwner }>,
  wakeTargetGroupArn: string,
  now: Date,
): Promise<SleepOutcome> {
  const outcome: SleepOutcome = { slept: [], failed: [] };
  if (hosts.length === 0) return outcome;
  let rules: Rule[];
  try {
    rules = (await listRules(elbv2, listenerArn)).filter((r) => !r.IsDefault);
  } catch (error) {
    const reason = `could not list the rules of ${listenerArn}: ${errorMessage(error)}`;
    return { slept: [], failed: hosts.map(({ hostname }) => ({ hostname, reason })) };
  }
  try {
    await elbv2.send(
      new AddTagsCommand({
        ResourceArns: [wakeTargetGroupArn],
        Tags: [{ Key: wakeListenerKey(listenerArn), Value: listenerArn }],
      }),
    );
  } catch (error) {
    const reason = `could not tag the App's target group: ${errorMessage(error)}`;
    return { slept: [], failed: hosts.map(({ hostname }) => ({ hostname, reason })) };
  }
  for (const { hostname, owner } of hosts) {
    const host = hostKey(hostname);
    try {
      const mine = rules.filter((r) => hostsOf(r).includes(host));
      if (mine.length === 0) throw new Error('no listener rule names it');
      const tags = await tagsOf(
        elbv2,
        mine.map((r) => r.RuleArn),
      );
      // Only the PR's own rules sleep; one that also routes another host is not ours to change.
      const ours = mayRemove(
        mine.map((r) => tags.get(r.RuleArn ?? '') ?? []),
        owner,
      );
      if (!ours || mine.some((r) => hostsOf(r).some((h) => h !== host))) {
        throw new Error('its rules are not all this pull request’s');
      }
      for (const rule of mine) {
        await elbv2.send(
          new ModifyRuleCommand({
            RuleArn: rule.RuleArn,
            Actions: forwardTo(rule.Actions ?? [], wakeTargetGroupArn),
          }),
        );
      }
      const arns = mine.flatMap((r) => (r.RuleArn ? [r.RuleArn] : []));
      await elbv2.send(
        new AddTagsCommand({
          ResourceArns: arns,
          Tags: [{ Key: WAKE_TAGS.asleep, Value: now.toISOString() }],
        }),
      );
      // A relaunch that began before this sleep is over; its tag would block the next one.
      if (mine.some((r) => tagValue(tags.get(r.RuleArn ?? '') ?? [], WAKE_TAGS.waking))) {
        await elbv2.send(
          new RemoveTagsCommand({ ResourceArns: arns, TagKeys: [WAKE_TAGS.waking] }),
        );
      }
      await deleteGroup(elbv2, host, owner);
      outcome.slept.push(host);
    } catch (error) {
      outcome.failed.push({ hostname: host, reason: errorMessage(error) });
    }
  }
  return outcome;
}

/** The preview's own target group, once no rule forwards to it; only when its tags name `owner`. */
async function deleteGroup(
  elbv2: ElasticLoadBalancingV2Client,
  hostname: string,
  owner: RouteOwner,
): Promise<void> {
  let arn: string | undefined;
  try {
    const { TargetGroups } = await elbv2.send(
      new DescribeTargetGroupsCommand({ Names: [targetGroupName(hostname)] }),
    );
    arn = TargetGroups?.[0]?.TargetGroupArn;
  } catch (error) {
    if (named(error, 'TargetGroupNotFoundException')) return;
    throw error;
  }
  if (!arn) return;
  const held = (await tagsOf(elbv2, [arn])).get(arn) ?? [];
  if (!mayRemove([held], owner)) return;
  try {
    await elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn }));
  } catch (error) {
    if (!named(error, 'TargetGroupNotFoundException')) throw error;
  }
}

/**
 * Every sleeping preview behind the App's target group, read from AWS alone: the listeners its
 * tags name, the rules there that forward to it, and those rules' tags. A rule
 * forwarding to the App without our asleep tag and an owner is no preview of ours, whoever made it.
 */
export async function findSleeping(
  elbv2: ElasticLoadBalancingV2Client,
  wakeTargetGroupArn: string,
): Promise<SleepingRoute[]> {
  try {
    const held = (await tagsOf(elbv2, [wakeTargetGroupArn])).get(wakeTargetGroupArn) ?? [];
    const listeners = held.flatMap((t) =>
      t.Key?.startsWith(WAKE_LISTENER_PREFIX) && t.Value ? [t.Value] : [],
    );
    const found: Array<{ listenerArn: string; rule: Rule }> = [];
    for (const listenerArn of listeners) {
      let rules: Rule[];
      try {
        rules = await listRules(elbv2, listenerArn);
      } catch (error) {
        // A listener deleted since its rules slept has no sleepers left.
        if (named(error, 'ListenerNotFoundException')) continue;
        throw error;
      }
      for (const rule of rules) {
        if (!rule.IsDefault && forwardsOf(rule).includes(wakeTargetGroupArn)) {
          found.push({ listenerArn, rule });
        }
      }
    }
    const tags = await tagsOf(
      elbv2,
      found.map((f) => f.rule.RuleArn),
    );
    const byHost = new Map<string, SleepingRoute>();
    for (const { listenerArn, rule } of found) {
      const held = tags.get(rule.RuleArn ?? '') ?? [];
      const owner = tagOwner(held);
      const hosts = hostsOf(rule);
      const [hostname] = hosts;
      // A sleeping preview's rule names its one host; anything wider is not a rule we wrote.
      if (!owner || !isAsleep(held) || hosts.length !== 1 || !hostname) continue;
      const seen = byHost.get(hostname);
      // Two owners claiming one host: neither is served.
      if (seen && (seen.owner.repo !== owner.repo || seen.owner.pr !== owner.pr)) {
        byHost.set(hostname, { ...seen, ruleArns: [] });
        continue;
      }
      const wakingSince = seen?.wakingSince ?? timeOf(tagValue(held, WAKE_TAGS.waking));
      byHost.set(hostname, {
        hostname,
        owner,
        listenerArn,
        ruleArns: [...(seen?.ruleArns ?? []), ...(rule.RuleArn ? [rule.RuleArn] : [])],
        ...(wakingSince && { wakingSince }),
      });
    }
    return [...byHost.values()].filter((s) => s.ruleArns.length > 0);
  } catch (error) {
    throw withContext(`Could not read the sleeping previews behind ${wakeTargetGroupArn}`, error);
  }
}

/** Records on the rules that a relaunch is under way, for every replica that reads them. */
export async function markWaking(
  elbv2: ElasticLoadBalancingV2Client,
  route: SleepingRoute,
  now: Date,
): Promise<void> {
  try {
    await elbv2.send(
      new AddTagsCommand({
        ResourceArns: [...route.ruleArns],
        Tags: [{ Key: WAKE_TAGS.waking, Value: now.toISOString() }],
      }),
    );
  } catch (error) {
    throw withContext(`Could not mark ${route.hostname} as waking`, error);
  }
}
