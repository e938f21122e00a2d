import type { AwsClients } from '../aws/clients.js';
import type { PreviewRouter } from './router.js';
import type { RoutingSettings } from './routing-types.js';

/** The router for the configured mode; each mode's module is loaded only when it is used. */
export async function createRouter(
  aws: AwsClients,
  routing: RoutingSettings,
): Promise<PreviewRouter> {
  if (routing.mode === 'alb') {
    const { createAlbRouter } = await import('./alb-router.js');
    return createAlbRouter({ elbv2: await aws.elbv2(), route53: await aws.route53() }, routing);
  }
  const { createDnsRouter } = await import('./dns-router.js');
  return createDnsRouter(await aws.route53(), routing);
}
