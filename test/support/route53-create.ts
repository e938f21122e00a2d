import type { FaultProxy } from './fault-proxy.js';

/**
 * moto accepts a CREATE of a record that exists (and then holds two); Route 53 refuses the whole
 * batch with InvalidChangeBatch. This puts Route 53's rule in front of moto for tests that depend
 * on it: the names moto holds are tracked from the batches that pass, and a batch that CREATEs a
 * held name gets Route 53's answer. Checked and recorded in one synchronous step, so of two
 * racing batches exactly one passes, as on Route 53.
 */
export function enforceRoute53Create(proxy: FaultProxy): void {
  const held = new Set<string>();
  proxy.answer('Route53.ChangeResourceRecordSets', ({ body }) => {
    const changes = [
      ...body.matchAll(
        /<Change>\s*<Action>(\w+)<\/Action>\s*<ResourceRecordSet>\s*<Name>([^<]+)<\/Name>\s*<Type>(\w+)<\/Type>/g,
      ),
    ].map(([, action, name, type]) => ({
      action: action ?? '',
      key: `${(name ?? '').toLowerCase().replace(/\.$/, '')} ${type ?? ''}`,
    }));
    const taken = changes.find((c) => c.action === 'CREATE' && held.has(c.key));
    if (taken) {
      return {
        status: 400,
        headers: { 'content-type': 'text/xml' },
        body: `<?xml version="1.0"?><ErrorResponse xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Error><Type>Sender</Type><Code>InvalidChangeBatch</Code><Message>[Tried to create resource record set [name='${taken.key.split(' ')[0] ?? ''}.', type='${taken.key.split(' ')[1] ?? ''}'] but it already exists]</Message></Error><RequestId>test</RequestId></ErrorResponse>`,
      };
    }
    for (const change of changes) {
      if (change.action === 'CREATE' || change.action === 'UPSERT') held.add(change.key);
      if (change.action === 'DELETE') held.delete(change.key);
    }
    return undefined;
  });
}
