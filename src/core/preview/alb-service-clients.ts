import type { ACMClient } from '@aws-sdk/client-acm';
import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * ACM (the listener's certificates) and Secrets Manager (`routing.auth` secrets) clients set up
 * exactly like the ELBv2 client they sit beside: same region, credentials, endpoint, retries and
 * HTTP handler (with its timeouts). `AwsClients` has no such clients; taking the settings from
 * the one it built keeps the App, the Action and tests pointing all three at the same AWS.
 */
export async function albServiceClients(
  elbv2: ElasticLoadBalancingV2Client,
  withSecrets: boolean,
): Promise<{ acm: ACMClient; secrets?: SecretsManagerClient }> {
  const { config } = elbv2;
  const shared = {
    region: config.region,
    credentials: config.credentials,
    maxAttempts: config.maxAttempts,
    retryMode: config.retryMode,
    requestHandler: config.requestHandler,
    ...(config.endpoint && { endpoint: config.endpoint }),
  };
  const { ACMClient: Acm } = await import('@aws-sdk/client-acm');
  if (!withSecrets) return { acm: new Acm(shared) };
  const { SecretsManagerClient: Secrets } = await import('@aws-sdk/client-secrets-manager');
  return { acm: new Acm(shared), secrets: new Secrets(shared) };
}
