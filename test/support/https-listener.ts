import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  CreateListenerCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { testAwsConfig } from './aws.js';

/**
 * An HTTPS listener with an issued certificate for `*.<domain>`, as alb previews require (a
 * launch on anything less is refused before it starts).
 */
export async function createHttpsListener(
  elbv2: ElasticLoadBalancingV2Client,
  awsUrl: string,
  balancerArn: string,
  domain: string,
): Promise<string> {
  const acm = new ACMClient(testAwsConfig(awsUrl));
  try {
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({
        DomainName: `*.${domain}`,
        // moto issues at once when a private CA signs (it does not look the CA up).
        CertificateAuthorityArn:
          'arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/12345678-1234-1234-1234-123456789012',
      }),
    );
    const { Listeners } = await elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: balancerArn,
        Protocol: 'HTTPS',
        Port: 443,
        Certificates: [{ CertificateArn }],
        DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
      }),
    );
    return Listeners?.[0]?.ListenerArn ?? '';
  } finally {
    acm.destroy();
  }
}
