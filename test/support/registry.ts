import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { htpasswdLine } from './htpasswd.js';
import { freePort, waitUntil } from './ports.js';

export interface RegistryManifest {
  digest: string;
  mediaType: string;
  body: unknown;
}

/** A real OCI registry (Debian's `docker-registry`) on 127.0.0.1, storing blobs in a temp dir. */
export interface Registry {
  /** `127.0.0.1:<port>`, the registry part of an image reference. */
  host: string;
  /** The tags of a repository; empty when nothing was ever pushed to it. */
  tags(name: string): Promise<string[]>;
  manifest(name: string, reference: string): Promise<RegistryManifest>;
  stop(): Promise<void>;
}

// podman pushes OCI manifests; other tools push Docker v2 ones. Listing both keeps the registry from
// downgrading to schema 1.
const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export interface RegistryOptions {
  /** Require HTTP basic auth (htpasswd, bcrypt) with this one login; anonymous requests get 401. */
  readonly login?: { readonly username: string; readonly password: string };
}

function configYaml(root: string, addr: string, htpasswd: string | undefined): string {
  return [
    'version: 0.1',
    'log:',
    '  level: error',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(root)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${addr}`,
    // A fixed secret silences the "generating a random secret" warning; nothing is shared here.
    '  secret: ecs-paas-tests',
    ...(htpasswd
      ? [
          'auth:',
          '  htpasswd:',
          '    realm: ecs-paas-tests',
          `    path: ${JSON.stringify(htpasswd)}`,
        ]
      : []),
    '',
  ].join('\n');
}

export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), 'ecs-paas-registry-'));
  const host = `127.0.0.1:${await freePort()}`;
  const config = join(dir, 'config.yml');
  const { login } = options;
  const htpasswd = login ? join(dir, 'htpasswd') : undefined;
  if (login && htpasswd) {
    await writeFile(htpasswd, `${await htpasswdLine(login.username, login.password)}\n`);
  }
  await writeFile(config, configYaml(join(dir, 'data'), host, htpasswd));
  // The helpers below read as the one user, so tests see what was pushed whatever the auth.
  const authorization: Record<string, string> = login
    ? {
        authorization: `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`,
      }
    : {};

  const child = spawn('docker-registry', ['serve', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let failed = false;
  child.once('error', (error) => {
    failed = true;
    stderr += error.message;
  });
  const gone = (): boolean => failed || child.exitCode !== null || child.signalCode !== null;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A test that forgets stop() must not leave a registry behind after its worker exits.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (!gone()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  const base = `http://${host}/v2`;
  try {
    // A lost port race or a bad config ends the process: stop polling then, not after a timeout.
    await waitUntil(
      `docker-registry on ${host}`,
      async () => gone() || (await fetch(`${base}/`, { headers: authorization })).ok,
    );
    if (gone())
      throw new Error(`docker-registry exited before serving on ${host}: ${stderr.trim()}`);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    host,
    async tags(name) {
      const response = await fetch(`${base}/${name}/tags/list`, { headers: authorization });
      if (response.status === 404) return [];
      if (!response.ok) throw new Error(`tags of ${name}: HTTP ${response.status}`);
      const list = (await response.json()) as { tags?: string[] | null };
      return list.tags ?? [];
    },
    async manifest(name, reference) {
      const response = await fetch(`${base}/${name}/manifests/${reference}`, {
        headers: { accept: MANIFEST_TYPES, ...authorization },
      });
      if (!response.ok) {
        throw new Error(
          `manifest ${name}:${reference}: HTTP ${response.status} ${await response.text()}`,
        );
      }
      return {
        digest: response.headers.get('docker-content-digest') ?? '',
        mediaType: response.headers.get('content-type') ?? '',
        body: await response.json(),
      };
    },
    stop,
  };
}
