import {
  ChangeResourceRecordSetsCommand,
  type Change,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { withContext } from '../errors.js';
import { NameTakenError, ownerValue, readOwner, recordsAt, sameOwner } from './dns-owner.js';
import {
  changeRecords,
  checkUnder,
  hostKey,
  listRecords,
  type PreviewRouter,
  type RouteOwner,
} from './router.js';
import type { DnsRoutingSettings } from './routing-types.js';

/** Short, so a replaced preview is reached within a minute of the switch. */
const TTL = 60;
/** Past this many changes Route 53 rejects a batch. */
const BATCH_LIMIT = 500;

/**
 * dns mode: an A record `<label>.<domain>` straight to the task IP, next to a TXT record naming
 * the repository and PR that own the name. A name is claimed by creating both in one batch, which
 * Route 53 refuses when either exists, so two repositories can never share one; only the owner
 * repoints or deletes it.
 */
export function createDnsRouter(
  route53: Route53Client,
  settings: DnsRoutingSettings,
  options: { pollMs?: number } = {},
): PreviewRouter {
  const zone = settings.hostedZoneId;
  return {
    async route(target) {
      const hostname = checkUnder(settings.domain, target.hostname);
      const url = target.port === 80 ? `http://${hostname}` : `http://${hostname}:${target.port}`;
      const owner: RouteOwner = { repo: target.repo, pr: target.pr };
      const { a, txt } = await recordsAt(route53, zone, hostname);
      const aRecord: ResourceRecordSet = {
        Name: `${hostname}.`,
        Type: 'A',
        TTL,
        ResourceRecords: [{ Value: target.ip }],
      };
      if (a || txt) {
        // Others only ever CREATE and only the owner deletes, so an owner read now stays ours.
        if (!sameOwner(readOwner(txt), owner)) throw new NameTakenError(hostname);
        const values = a?.ResourceRecords?.map((r) => r.Value) ?? [];
        // A second UPSERT would be harmless, but skipping it keeps a redelivered event from writing.
        if (a?.TTL === TTL && values.length === 1 && values[0] === target.ip) return { url };
        await changeRecords(
          route53,
          zone,
          [{ Action: 'UPSERT', ResourceRecordSet: aRecord }],
          `Could not update DNS record ${hostname}`,
          options.pollMs,
        );
        return { url };
      }
      try {
        await changeRecords(
          route53,
          zone,
          [
            { Action: 'CREATE', ResourceRecordSet: aRecord },
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: `${hostname}.`,
                Type: 'TXT',
                TTL,
                ResourceRecords: [{ Value: ownerValue(owner) }],
              },
            },
          ],
          `Could not create DNS record ${hostname}`,
          options.pollMs,
        );
      } catch (error) {
        if (isConflict(error)) throw new NameTakenError(hostname);
        throw error;
      }
      return { url };
    },

    async unroute(hostnames, owners) {
      const wanted = new Set(hostnames.map(hostKey));
      if (wanted.size === 0) return;
      const byName = await recordsByName(route53, zone, wanted);
      const changes: Change[] = [];
      for (const [name, { a, txt }] of byName) {
        const held = readOwner(txt);
        const expected = owners?.get(name);
        if (held) {
          // Another PR's or repository's name is never touched, whatever asked.
          if (!sameOwner(held, expected)) continue;
          if (a) changes.push(exactDelete(a));
          if (txt) changes.push(exactDelete(txt));
        } else if (a && !expected) {
          // A plain record with no owner: only the sweep's own judgement (a preview label with no
          // task) removes it, never a PR's teardown.
          changes.push(exactDelete(a));
        }
      }
      for (let i = 0; i < changes.length; i += BATCH_LIMIT) {
        // Nothing waits on a delete: a stale answer for a minute harms no one.
        try {
          await route53.send(
            new ChangeResourceRecordSetsCommand({
              HostedZoneId: zone,
              ChangeBatch: { Changes: changes.slice(i, i + BATCH_LIMIT) },
            }),
          );
        } catch (error) {
          throw withContext(`Could not delete DNS records of ${[...wanted].join(', ')}`, error);
        }
      }
    },

    async routed() {
      const suffix = `.${hostKey(settings.domain)}`;
      const all = await listRecords(route53, zone, ['A', 'TXT']);
      const owners = new Map<string, RouteOwner>();
      for (const record of all.filter((r) => r.Type === 'TXT')) {
        const owner = readOwner(record);
        if (owner) owners.set(hostKey(record.Name ?? ''), owner);
      }
      return all.flatMap((record) => {
        const hostname = hostKey(record.Name ?? '');
        const ip = record.ResourceRecords?.[0]?.Value;
        const owner = owners.get(hostname);
        // Aliases point at load balancers, never at a task: not something dns mode made.
        return record.Type === 'A' && hostname.endsWith(suffix) && !record.AliasTarget && ip
          ? [{ hostname, ip, owned: owner !== undefined, ...(owner && { owner }) }]
          : [];
      });
    },
  };
}

async function recordsByName(
  route53: Route53Client,
  zone: string,
  names: ReadonlySet<string>,
): Promise<Map<string, { a?: ResourceRecordSet; txt?: ResourceRecordSet }>> {
  // One listing for many names (the sweep's batch); one read at its place for a single name.
  const found = new Map<string, { a?: ResourceRecordSet; txt?: ResourceRecordSet }>();
  if (names.size === 1) {
    const [name] = names;
    if (name !== undefined) found.set(name, await recordsAt(route53, zone, name));
    return found;
  }
  for (const record of await listRecords(route53, zone, ['A', 'TXT'])) {
    const name = hostKey(record.Name ?? '');
    if (!names.has(name)) continue;
    const entry = found.get(name) ?? {};
    if (record.Type === 'A') entry.a = record;
    else entry.txt = record;
    found.set(name, entry);
  }
  return found;
}

/** Route 53 deletes only an exact match; moto reports a TTL next to an alias target, which it refuses. */
function exactDelete(record: ResourceRecordSet): Change {
  const { TTL, ...rest } = record;
  return { Action: 'DELETE', ResourceRecordSet: record.AliasTarget ? rest : { ...rest, TTL } };
}

/** Route 53's answer to a CREATE of a name that exists; other refusals are not a conflict. */
function isConflict(error: unknown): boolean {
  const cause = (error as { cause?: { message?: string } }).cause;
  return /but it already exists/i.test(cause?.message ?? '');
}
