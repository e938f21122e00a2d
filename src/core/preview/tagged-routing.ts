import type { RoutingSettings } from './routing-types.js';
import { TAGS } from './routing-types.js';

/** The tags that say where a preview's route lives; every preview task carries them. */
export function routingTags(routing: RoutingSettings): Record<string, string> {
  return {
    [TAGS.routing]: routing.mode,
    [TAGS.zone]: routing.hostedZoneId,
    [TAGS.domain]: routing.domain.toLowerCase(),
    ...(routing.mode === 'alb' && {
      [TAGS.listener]: routing.listenerArn,
      [TAGS.vpc]: routing.vpcId,
    }),
  };
}

/**
 * The routing a task's tags describe, complete enough to find and remove its route (not to make
 * one: port, label template and health check are the config's business). Undefined for a task
 * launched before these tags existed, or whose tags were edited into something unusable.
 */
export function routingFromTags(tags: ReadonlyMap<string, string>): RoutingSettings | undefined {
  const zone = tags.get(TAGS.zone);
  const domain = tags.get(TAGS.domain);
  if (!zone || !domain) return undefined;
  const common = { hostedZoneId: zone, domain, port: 80, subdomain: 'pr-{number}-{repo}' };
  const mode = tags.get(TAGS.routing);
  if (mode === 'dns') return { mode, ...common };
  const listenerArn = tags.get(TAGS.listener);
  const vpcId = tags.get(TAGS.vpc);
  if (mode === 'alb' && listenerArn && vpcId) {
    return { mode, ...common, listenerArn, vpcId, healthCheckPath: '/' };
  }
  return undefined;
}

/**
 * One key per place routes live: routes found under the same key are removed by one router, in
 * one batch per zone. The config's routing and a task's tagged one share a key when they name the
 * same place, whatever port or label template the config has.
 */
export function routingKey(routing: RoutingSettings): string {
  return JSON.stringify([
    routing.mode,
    routing.hostedZoneId,
    routing.domain.toLowerCase(),
    routing.mode === 'alb' ? [routing.listenerArn, routing.vpcId] : [],
  ]);
}
