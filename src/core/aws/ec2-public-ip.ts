import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';

/**
 * The one EC2 call the product makes: DescribeNetworkInterfaces for a preview's public IP. It is
 * sent as a signed EC2 Query request instead of through @aws-sdk/client-ec2 because that client
 * carries every EC2 shape (1.1 MB minified, a third of the Action's bundle) for this one field.
 * Signing, credentials and retries are the SDK's own pieces or mirror its behaviour.
 */
export interface Ec2PublicIpReader {
  /** The public IP associated with `eni`, or undefined when it has none. */
  publicIpOf(eni: string): Promise<string | undefined>;
}

export interface Ec2QueryOptions {
  readonly region: string;
  /** A custom endpoint (moto, a proxy); else AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL or EC2's own. */
  readonly endpoint?: string | undefined;
  readonly credentials: AwsCredentialIdentityProvider;
  readonly maxAttempts: number;
  readonly requestTimeoutMs: number;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const VERSION = '2016-11-15';
/** EC2's answers that a later attempt may not get (throttling, capacity, its own faults). */
const RETRYABLE =
  /^(RequestLimitExceeded|Throttling|ThrottlingException|Unavailable|InternalError|ServiceUnavailable)$/;

export function ec2PublicIpReader(options: Ec2QueryOptions): Ec2PublicIpReader {
  const env = options.env ?? process.env;
  const base =
    options.endpoint ??
    env.AWS_ENDPOINT_URL_EC2 ??
    env.AWS_ENDPOINT_URL ??
    `https://ec2.${options.region}.amazonaws.${options.region.startsWith('cn-') ? 'com.cn' : 'com'}`;
  const url = new URL(base);
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: options.region,
    service: 'ec2',
    sha256: NodeSha256,
  });
  return {
    async publicIpOf(eni) {
      const body = new URLSearchParams({
        Action: 'DescribeNetworkInterfaces',
        Version: VERSION,
        'NetworkInterfaceId.1': eni,
      }).toString();
      const xml = await send(signer, url, body, options);
      const association = /<association>([\s\S]*?)<\/association>/.exec(xml)?.[1] ?? '';
      return /<publicIp>([^<]+)<\/publicIp>/.exec(association)?.[1];
    },
  };
}

async function send(
  signer: SignatureV4,
  url: URL,
  body: string,
  options: Ec2QueryOptions,
): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(signer, url, body, options.requestTimeoutMs);
    if (outcome.ok) return outcome.text;
    if (!outcome.retryable || attempt >= options.maxAttempts) throw new Error(outcome.error);
    // Full jitter on an exponential base, as the SDK's standard retry strategy does.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * 2 ** attempt));
  }
}

type Outcome = { ok: true; text: string } | { ok: false; retryable: boolean; error: string };

async function attemptOnce(
  signer: SignatureV4,
  url: URL,
  body: string,
  timeoutMs: number,
): Promise<Outcome> {
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: {},
    headers: {
      host: url.host,
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    },
    body,
  });
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, retryable: true, error: `EC2 DescribeNetworkInterfaces: ${reason}` };
  }
  const text = await response.text();
  if (response.ok) return { ok: true, text };
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? `HTTP ${response.status}`;
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '';
  return {
    ok: false,
    retryable: response.status >= 500 || RETRYABLE.test(code),
    error: `${code}: ${message || 'EC2 refused DescribeNetworkInterfaces'}`,
  };
}

/** The SDK's Checksum shape over node:crypto: a hash, or an HMAC when given a secret. */
class NodeSha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error('not used by SignatureV4');
  }
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** Static keys become a provider, as the SDK's clients accept both. */
export function credentialProvider(
  given: AwsCredentialIdentity | AwsCredentialIdentityProvider,
): AwsCredentialIdentityProvider {
  return typeof given === 'function' ? given : () => Promise.resolve(given);
}
