import { DescribeCertificateCommand, type ACMClient } from '@aws-sdk/client-acm';
import {
  DescribeListenerCertificatesCommand,
  DescribeListenersCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { withContext } from '../errors.js';
import { hostKey } from './router.js';

/** Does a certificate name (`*.preview.example.com`) cover every `<label>.<domain>`? */
export function coversPreviews(certificateName: string, domain: string): boolean {
  // A wildcard covers one label only: `*.example.com` does not cover `pr-1.preview.example.com`.
  return hostKey(certificateName) === `*.${hostKey(domain)}`;
}

/**
 * Why previews under `domain` cannot be served over HTTPS by the listener, in words for a PR
 * comment (no ARNs), or undefined when it is an HTTPS listener with an issued ACM certificate
 * for `*.<domain>` among its certificates (the default one or an SNI one).
 */
export async function listenerProblem(
  clients: { elbv2: ElasticLoadBalancingV2Client; acm: ACMClient },
  listenerArn: string,
  domain: string,
): Promise<string | undefined> {
  const { elbv2, acm } = clients;
  const wanted = `*.${hostKey(domain)}`;
  const attach = `attach an HTTPS listener with a certificate for ${wanted} and name it in routing.listener-arn`;
  let protocol: string | undefined;
  try {
    const { Listeners } = await elbv2.send(
      new DescribeListenersCommand({ ListenerArns: [listenerArn] }),
    );
    protocol = Listeners?.[0]?.Protocol;
  } catch (error) {
    throw withContext('Could not read the listener in routing.listener-arn', error);
  }
  if (protocol !== 'HTTPS') {
    return `the listener in routing.listener-arn serves ${protocol ?? 'an unknown protocol'}, not HTTPS: ${attach}`;
  }

  const certificates: string[] = [];
  try {
    let marker: string | undefined;
    do {
      const page = await elbv2.send(
        new DescribeListenerCertificatesCommand({
          ListenerArn: listenerArn,
          ...(marker && { Marker: marker }),
        }),
      );
      certificates.push(
        ...(page.Certificates ?? []).flatMap((c) => (c.CertificateArn ? [c.CertificateArn] : [])),
      );
      marker = page.NextMarker;
    } while (marker);
  } catch (error) {
    throw withContext('Could not list the certificates of the listener', error);
  }

  const unusable: string[] = [];
  // IAM server certificates cannot be read through ACM; only ACM ones are checked.
  for (const arn of new Set(certificates.filter((c) => c.includes(':acm:')))) {
    let certificate;
    try {
      ({ Certificate: certificate } = await acm.send(
        new DescribeCertificateCommand({ CertificateArn: arn }),
      ));
    } catch (error) {
      throw withContext('Could not read a certificate of the listener from ACM', error);
    }
    const names = [certificate?.DomainName, ...(certificate?.SubjectAlternativeNames ?? [])];
    if (!names.some((name) => name !== undefined && coversPreviews(name, domain))) continue;
    if (certificate?.Status === 'ISSUED') return undefined;
    unusable.push(certificate?.Status ?? 'of unknown status');
  }
  return unusable.length > 0
    ? `the listener's certificate for ${wanted} is ${unusable.join(', ').toLowerCase().replace(/_/g, ' ')}, not issued: renew or replace it in ACM`
    : `the HTTPS listener in routing.listener-arn has no ACM certificate for ${wanted}: add one to the listener, or ${attach}`;
}
