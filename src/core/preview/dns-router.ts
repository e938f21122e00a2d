import type { Route53Client } from '@aws-sdk/client-route-53';
import {
  changeRecords,
  checkUnder,
  deleteARecords,
  findARecord,
  hostKey,
  listARecords,
  type PreviewRouter,
} from './router.js';
import type { DnsRoutingSettings } from './routing-types.js';

/** Short, so a replaced preview is reached within a minute of the switch. */
const TTL = 60;

/** dns mode: an A record `<label>.<domain>` straight to the task IP; the task serves its own port. */
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
      const current = await findARecord(route53, zone, hostname);
      const values = current?.ResourceRecords?.map((r) => r.Value) ?? [];
      // A second UPSERT would be harmless, but skipping it keeps a redelivered event from writing.
      if (current?.TTL === TTL && values.length === 1 && values[0] === target.ip) return { url };
      await changeRecords(
        route53,
        zone,
        [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: `${hostname}.`,
              Type: 'A',
              TTL,
              ResourceRecords: [{ Value: target.ip }],
            },
          },
        ],
        `Could not create DNS record ${hostname}`,
        options.pollMs,
      );
      return { url };
    },

    unroute: (hostnames) => deleteARecords(route53, zone, hostnames),

    async routed() {
      const suffix = `.${hostKey(settings.domain)}`;
      return (await listARecords(route53, zone)).flatMap((record) => {
        const hostname = hostKey(record.Name ?? '');
        const ip = record.ResourceRecords?.[0]?.Value;
        // Aliases point at load balancers, never at a task: not something dns mode made.
        return hostname.endsWith(suffix) && !record.AliasTarget && ip
          ? [{ hostname, ip, owned: false }]
          : [];
      });
    },
  };
}
