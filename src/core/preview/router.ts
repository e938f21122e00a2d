import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type Change,
  type ListResourceRecordSetsCommandInput,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { withContext } from '../errors.js';
import type { MetricRef } from './request-metrics.js';
import type { RouteTarget } from './routing-types.js';

import { pollUntil } from '../poll.js';

export { pollUntil };

/** Which repository's PR a route belongs to (a DNS ownership record, a rule's tags). */
export interface RouteOwner {
  readonly repo: string;
  readonly pr: number;
}

/** One host name found under the preview domain. */
export interface RoutedHost {
  readonly hostname: string;
  /** The task IP, when the route points straight at one (dns mode). */
  readonly ip?: string;
  /**
   * The router can prove it made this route (a rule forwarding to a target group named for the
   * host, a target group tagged by us). Plain records prove nothing: anyone may add them to the
   * zone, so a sweep deletes one only when its name fits a preview label template.
   */
  readonly owned: boolean;
  /** The metric that counts this preview's requests, where the routing has one (ALB). */
  readonly requestMetric?: MetricRef;
  /** Who owns the name, where the route records it (dns mode's TXT record). */
  readonly owner?: RouteOwner;
  /**
   * Its task was stopped for idleness and its rule forwards to the App, which relaunches it on a
   * visit (alb mode, wake on request): no task is expected, and the route is not an orphan.
   */
  readonly asleep?: boolean;
}

/** Makes `<label>.<domain>` reach a preview task. Every method is safe to repeat. */
export interface PreviewRouter {
  /** Makes the host name reach the target; resolves once requests would get there. */
  route(target: RouteTarget): Promise<{ url: string }>;
  /**
   * Removes everything made for these host names; succeeds when nothing is there. A name whose
   * ownership record names someone other than `owners` says for it is left alone.
   */
  unroute(hostnames: readonly string[], owners?: ReadonlyMap<string, RouteOwner>): Promise<void>;
  /** What exists now under the domain, so a sweep can find routes no preview owns any more. */
  routed(): Promise<RoutedHost[]>;
  /**
   * Why a launch must be refused before anything exists (what to fix, in words for the PR
   * comment), or undefined when routes can be made as configured. AWS errors are thrown.
   */
  preflight?(): Promise<string | undefined>;
}

/** Route 53 answers with a trailing dot and DNS is case-insensitive: compare names in one form. */
export function hostKey(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** Refuses names outside the domain: the zone may hold records that are not ours to touch. */
export function checkUnder(domain: string, hostname: string): string {
  const key = hostKey(hostname);
  if (!key.endsWith(`.${hostKey(domain)}`)) {
    throw new Error(`Host name ${hostname} is not under the preview domain ${domain}`);
  }
  return key;
}

/** The A record Route 53 holds for a name, if any, read with one call from its place in the zone. */
export async function findARecord(
  route53: Route53Client,
  zoneId: string,
  hostname: string,
): Promise<ResourceRecordSet | undefined> {
  try {
    const { ResourceRecordSets = [] } = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: hostname,
        StartRecordType: 'A',
        MaxItems: 1,
      }),
    );
    const [record] = ResourceRecordSets;
    return record?.Type === 'A' && hostKey(record.Name ?? '') === hostKey(hostname)
      ? record
      : undefined;
  } catch (error) {
    throw withContext(`Could not read DNS record ${hostname}`, error);
  }
}

/** Every A record in the zone, all pages. */
export function listARecords(route53: Route53Client, zoneId: string): Promise<ResourceRecordSet[]> {
  return listRecords(route53, zoneId, ['A']);
}

/** Every record of these types in the zone, all pages. */
export async function listRecords(
  route53: Route53Client,
  zoneId: string,
  types: readonly string[],
): Promise<ResourceRecordSet[]> {
  const records: ResourceRecordSet[] = [];
  let next: ListResourceRecordSetsCommandInput | undefined = { HostedZoneId: zoneId };
  try {
    while (next) {
      const page: ListResourceRecordSetsCommandOutput = await route53.send(
        new ListResourceRecordSetsCommand(next),
      );
      records.push(...(page.ResourceRecordSets ?? []).filter((r) => types.includes(r.Type ?? '')));
      next = page.IsTruncated
        ? {
            HostedZoneId: zoneId,
            ...(page.NextRecordName && { StartRecordName: page.NextRecordName }),
            ...(page.NextRecordType && { StartRecordType: page.NextRecordType }),
            ...(page.NextRecordIdentifier && { StartRecordIdentifier: page.NextRecordIdentifier }),
          }
        : undefined;
    }
  } catch (error) {
    throw withContext(`Could not list DNS records of hosted zone ${zoneId}`, error);
  }
  return records;
}

/** Route 53 takes up to about a minute to serve a change everywhere. */
const SYNC_TIMEOUT_MS = 180_000;

/** Applies one change batch and waits until Route 53 serves it everywhere (INSYNC). */
export async function changeRecords(
  route53: Route53Client,
  zoneId: string,
  changes: Change[],
  context: string,
  pollMs?: number,
): Promise<void> {
  try {
    const { ChangeInfo } = await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: changes },
      }),
    );
    if (!ChangeInfo?.Id || ChangeInfo.Status === 'INSYNC') return;
    const id = ChangeInfo.Id;
    await pollUntil(
      async () => {
        const { ChangeInfo: info } = await route53.send(new GetChangeCommand({ Id: id }));
        return info?.Status === 'INSYNC' ? { done: undefined } : { miss: info?.Status };
      },
      { timeoutMs: SYNC_TIMEOUT_MS, ...(pollMs === undefined ? {} : { pollMs }) },
      (status) =>
        new Error(`change ${id} still ${status ?? 'unknown'} after ${SYNC_TIMEOUT_MS} ms`),
    );
  } catch (error) {
    throw withContext(context, error);
  }
}

/**
 * Route 53 deletes only on an exact match of the current record. It also refuses a TTL next to an
 * alias target, which some servers (moto) still report as TTL 0.
 */
function exactDelete(record: ResourceRecordSet): Change {
  const { TTL, ...rest } = record;
  return { Action: 'DELETE', ResourceRecordSet: record.AliasTarget ? rest : { ...rest, TTL } };
}

/** Past this many changes Route 53 rejects a batch (each DELETE of one value counts once). */
const BATCH_LIMIT = 500;

/** Deletes the A records of these names as they are now, in one batch per 500; absent ones are skipped. */
export async function deleteARecords(
  route53: Route53Client,
  zoneId: string,
  hostnames: readonly string[],
): Promise<void> {
  const wanted = new Set(hostnames.map(hostKey));
  if (wanted.size === 0) return;
  const doomed = (await listARecords(route53, zoneId)).filter((r) =>
    wanted.has(hostKey(r.Name ?? '')),
  );
  for (let i = 0; i < doomed.length; i += BATCH_LIMIT) {
    const batch = doomed.slice(i, i + BATCH_LIMIT);
    const names = batch.map((r) => hostKey(r.Name ?? '')).join(', ');
    // Nothing waits on a delete: a stale answer for a minute harms no one.
    try {
      await route53.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Changes: batch.map(exactDelete) },
        }),
      );
    } catch (error) {
      throw withContext(`Could not delete DNS records ${names}`, error);
    }
  }
}
