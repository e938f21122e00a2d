import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { withContext } from '../errors.js';

/** DescribeServices takes at most 10 services per call. */
const BATCH = 10;

/** Describes services in batches; a missing or inactive service is an error that names it. */
export async function describeServices(
  ecs: ECSClient,
  cluster: string,
  names: readonly string[],
): Promise<Map<string, Service>> {
  const found = new Map<string, Service>();
  for (let start = 0; start < names.length; start += BATCH) {
    const batch = names.slice(start, start + BATCH);
    const response = await ecs
      .send(new DescribeServicesCommand({ cluster, services: batch }))
      .catch((error: unknown) =>
        Promise.reject(withContext(`Could not describe services in cluster '${cluster}'`, error)),
      );
    for (const service of response.services ?? []) {
      const name = batch.find((n) => n === service.serviceName || n === service.serviceArn);
      if (name && service.status === 'ACTIVE') found.set(name, service);
    }
  }
  const missing = names.filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw new Error(
      `Input 'service': ${missing.map((m) => `'${m}'`).join(', ')} not found (or not ACTIVE) in cluster '${cluster}'`,
    );
  }
  return found;
}
