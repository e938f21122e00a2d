import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { podmanEnv, writeScratchContext, type PodmanEnv } from '../support/podman.js';
import { startRegistry, type Registry } from '../support/registry.js';

const run = promisify(execFile);

let registry: Registry;
let podman: PodmanEnv;
let work: string;

beforeAll(async () => {
  registry = await startRegistry();
  podman = await podmanEnv({ insecureRegistries: [registry.host] });
  work = await mkdtemp(join(tmpdir(), 'ecs-paas-images-'));
});

afterAll(async () => {
  await podman?.cleanup();
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

// Plain commands, no flags: the environment alone must make them work, as production code runs them.
function podmanCli(...args: string[]): Promise<{ stdout: string }> {
  return run('podman', args, { env: { ...process.env, ...podman.env } });
}

test('an image built from a scratch context is pushed and read back by tag and digest', async () => {
  const context = await writeScratchContext(join(work, 'context'));
  const image = `${registry.host}/harness/app:v1`;
  const digestFile = join(work, 'digest');

  await podmanCli('build', '--tag', image, context);
  await podmanCli('push', '--digestfile', digestFile, image);

  expect(await registry.tags('harness/app')).toEqual(['v1']);
  const pushed = (await readFile(digestFile, 'utf8')).trim();
  const manifest = await registry.manifest('harness/app', 'v1');
  expect(manifest.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  expect(manifest.digest).toBe(pushed);
  expect(manifest.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
  expect(manifest.body).toMatchObject({ schemaVersion: 2, layers: [expect.anything()] });
  expect((await registry.manifest('harness/app', pushed)).digest).toBe(pushed);
});

test('podman login writes to the test auth file, and a never-pushed repository has no tags', async () => {
  await podmanCli('login', '--username', 'AWS', '--password', 'token', registry.host);
  const auth = JSON.parse(await readFile(podman.env.REGISTRY_AUTH_FILE ?? '', 'utf8')) as {
    auths: Record<string, unknown>;
  };
  expect(Object.keys(auth.auths)).toEqual([registry.host]);
  expect(await registry.tags('harness/never-pushed')).toEqual([]);
});
