import type { AwsClients } from '../aws/clients.js';
import type { PreviewRouter } from './router.js';
import type { RoutePreflight, RoutingSettings } from './routing-types.js';

/**
 * The router for the configured mode; each mode's module is loaded only when it is used. An alb
 * router also has `preflight()`: a launch asks it first, so a listener without HTTPS (or without
 * a certificate for the domain) refuses the launch before anything runs.
 */
export async function createRouter(
  aws: AwsClients,
  routing: RoutingSettings,
): Promise<PreviewRouter & Partial<RoutePreflight>> {
  if (routing.mode === 'alb') {
    const [{ createAlbRouter }, { albServiceClients }] = await Promise.all([
      import('./alb-router.js'),
      import('./alb-service-clients.js'),
    ]);
    const elbv2 = await aws.elbv2();
    return createAlbRouter(
      {
        elbv2,
        route53: await aws.route53(),
        ...(await albServiceClients(elbv2, routing.auth !== undefined)),
      },
      routing,
    );
  }
  const { createDnsRouter } = await import('./dns-router.js');
  return createDnsRouter(await aws.route53(), routing);
}
