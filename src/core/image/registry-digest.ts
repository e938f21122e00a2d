import type { ImageReference } from './image-reference.js';

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/**
 * Asks a registry (Distribution API v2) for the digest of `reference`'s tag; undefined when the tag
 * does not exist. Handles the anonymous/basic bearer-token challenge public registries use. Loopback
 * registries are spoken to over plain HTTP, everything else over HTTPS.
 */
export async function registryDigest(
  reference: ImageReference,
  credentials?: Credentials,
): Promise<string | undefined> {
  if (reference.digest) return reference.digest;
  const host = reference.registry === 'docker.io' ? 'registry-1.docker.io' : reference.registry;
  const scheme = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host) ? 'http' : 'https';
  const url = `${scheme}://${host}/v2/${reference.repository}/manifests/${reference.tag ?? 'latest'}`;
  const basic = credentials
    ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
    : undefined;
  let response = await fetch(url, { method: 'HEAD', headers: headers(basic) });
  if (response.status === 401) {
    const token = await bearerToken(response.headers.get('www-authenticate'), basic);
    if (token) response = await fetch(url, { method: 'HEAD', headers: headers(`Bearer ${token}`) });
  }
  if (response.status === 404) return undefined;
  if (!response.ok) {
    throw new Error(
      `registry ${host} answered ${response.status} for ${reference.repository}:${reference.tag ?? 'latest'}`,
    );
  }
  const digest = response.headers.get('docker-content-digest');
  if (!digest) throw new Error(`registry ${host} did not return a Docker-Content-Digest header`);
  return digest;
}

function headers(authorization: string | undefined): Record<string, string> {
  return { accept: MANIFEST_TYPES, ...(authorization ? { authorization } : {}) };
}

async function bearerToken(
  challenge: string | null,
  basic: string | undefined,
): Promise<string | undefined> {
  if (!challenge?.toLowerCase().startsWith('bearer ')) return undefined;
  const params: Record<string, string | undefined> = Object.fromEntries(
    [...challenge.slice(7).matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]): [string, string] => [
      key ?? '',
      value ?? '',
    ]),
  );
  if (!params.realm) return undefined;
  const url = new URL(params.realm);
  if (params.service) url.searchParams.set('service', params.service);
  if (params.scope) url.searchParams.set('scope', params.scope);
  const response = await fetch(url, { headers: basic ? { authorization: basic } : {} });
  if (!response.ok) return undefined;
  const body = (await response.json()) as { token?: string; access_token?: string };
  return body.token ?? body.access_token;
}
