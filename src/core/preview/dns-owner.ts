import {
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { PublicError, withContext } from '../errors.js';
import { hostKey, type RouteOwner } from './router.js';

/** `"ecs-paas repo=acme/web pr=1"`: Route 53 wants TXT values quoted. */
export function ownerValue(owner: RouteOwner): string {
  return `"ecs-paas repo=${owner.repo} pr=${owner.pr}"`;
}

export function readOwner(record: ResourceRecordSet | undefined): RouteOwner | undefined {
  for (const { Value } of record?.ResourceRecords ?? []) {
    const match = /^"ecs-paas repo=([^\s"]+) pr=(\d+)"$/.exec(Value ?? '');
    if (match?.[1] && match[2]) return { repo: match[1], pr: Number(match[2]) };
  }
  return undefined;
}

export const sameOwner = (a: RouteOwner | undefined, b: RouteOwner | undefined): boolean =>
  a !== undefined &&
  b !== undefined &&
  a.repo.toLowerCase() === b.repo.toLowerCase() &&
  a.pr === b.pr;

/** The name is held by another repository's preview (or by a record ecs-paas did not make). */
export class NameTakenError extends PublicError {
  constructor(hostname: string) {
    super(
      `${hostname} is already claimed by another preview or record in the zone; nothing of it was changed. Give this repository's previews their own names with {repo} or {owner} in routing.subdomain.`,
    );
    this.name = 'NameTakenError';
  }
}

/** The A and TXT records Route 53 holds at one name (one read from its place in the zone). */
export async function recordsAt(
  route53: Route53Client,
  zoneId: string,
  hostname: string,
): Promise<{ a?: ResourceRecordSet; txt?: ResourceRecordSet }> {
  try {
    const { ResourceRecordSets = [] } = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: hostname,
        MaxItems: 10,
      }),
    );
    const here = ResourceRecordSets.filter((r) => hostKey(r.Name ?? '') === hostKey(hostname));
    const a = here.find((r) => r.Type === 'A');
    const txt = here.find((r) => r.Type === 'TXT');
    return { ...(a && { a }), ...(txt && { txt }) };
  } catch (error) {
    throw withContext(`Could not read DNS records of ${hostname}`, error);
  }
}
