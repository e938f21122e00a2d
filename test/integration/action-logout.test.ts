import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { postStepEnv, runActionProcess } from '../support/action-process.js';
import { awsEnv } from '../support/aws.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMoto, type Moto } from '../support/moto.js';
import { podmanEnv, writeScratchContext, type PodmanEnv } from '../support/podman.js';
import { startRegistry, type Registry } from '../support/registry.js';

// The runner starts dist/index.js a second time for `post:` (action.yml), with the state the main
// step saved as STATE_* variables. That run must log out of the registry, so a self-hosted runner
// keeps no ECR token in its credential store.
let moto: Moto;
let proxy: FaultProxy;
let registry: Registry;
let podman: PodmanEnv;
let workdir: string;
let authFile: string;
let token: string;

const OTHER_REGISTRY = 'ghcr.io';
const OTHER_AUTH = Buffer.from('someone:their-own-login').toString('base64');

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  registry = await startRegistry();
  podman = await podmanEnv({ insecureRegistries: [registry.host] });
  workdir = await mkdtemp(join(tmpdir(), 'ecs-paas-logout-'));
});

afterAll(async () => {
  await Promise.allSettled([moto?.stop(), proxy?.stop(), registry?.stop(), podman?.cleanup()]);
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

beforeEach(async () => {
  await moto.reset();
  proxy.clear();
  proxy.resetCounts();
  // ECR's login is the local registry here: moto's token would send podman to amazonaws.com.
  token = `ecr-token-${randomBytes(12).toString('hex')}`;
  proxy.intercept('ECR.GetAuthorizationToken', (_request, response) => ({
    ...response,
    body: JSON.stringify({
      authorizationData: [
        {
          authorizationToken: Buffer.from(`AWS:${token}`).toString('base64'),
          expiresAt: Math.floor(Date.now() / 1000) + 43_200,
          proxyEndpoint: `http://${registry.host}`,
        },
      ],
    }),
  }));
  // Someone else's login on the same runner: the post step must leave it alone.
  authFile = join(workdir, `auth-${randomBytes(4).toString('hex')}.json`);
  await writeFile(authFile, JSON.stringify({ auths: { [OTHER_REGISTRY]: { auth: OTHER_AUTH } } }));
});

async function auths(file: string): Promise<Record<string, { auth?: string }>> {
  return (
    (JSON.parse(await readFile(file, 'utf8')) as { auths?: Record<string, { auth?: string }> })
      .auths ?? {}
  );
}

/** The main step, then the post step with what the main step saved, as a runner runs them. */
async function mainThenPost(context: string) {
  const inputs = { command: 'build', builder: 'podman', context, 'ecr-repository': 'web' };
  const env = {
    ...awsEnv(proxy.url),
    ...podman.env,
    REGISTRY_AUTH_FILE: authFile,
    GITHUB_SHA: randomBytes(20).toString('hex'),
    GITHUB_REPOSITORY: 'acme/web',
  };
  const main = await runActionProcess(inputs, env);
  const afterMain = await auths(authFile);
  proxy.resetCounts();
  const post = await runActionProcess(inputs, { ...env, ...postStepEnv(main.state) });
  return { main, afterMain, post, sha: env.GITHUB_SHA };
}

describe('the post step of dist/index.js', () => {
  it('logs out of the ECR registry the main step logged into, and only that one', async () => {
    const context = await writeScratchContext(join(workdir, 'good'));
    const { main, afterMain, post, sha } = await mainThenPost(context);

    expect(main.log).not.toContain('::error::');
    expect(main.status).toBe(0);
    expect(await registry.tags('web')).toContain(sha);
    // The login really stored the token, and the state names the registry, never the token.
    expect(afterMain[registry.host]?.auth).toBe(Buffer.from(`AWS:${token}`).toString('base64'));
    expect(JSON.parse(main.state['registry-logins'] ?? '[]')).toEqual([
      { builder: 'podman', registry: registry.host },
    ]);
    expect(JSON.stringify(main.state)).not.toContain(token);
    const tokenLines = main.log.split('\n').filter((line) => line.includes(token));
    expect(tokenLines.every((line) => line.startsWith('::add-mask::'))).toBe(true);

    expect(post.log).not.toContain('::error::');
    expect(post.status).toBe(0);
    expect(post.log).toContain(`Logged out of ${registry.host} (podman)`);
    expect(await auths(authFile)).toEqual({ [OTHER_REGISTRY]: { auth: OTHER_AUTH } });
    expect(await readFile(authFile, 'utf8')).not.toContain(
      Buffer.from(`AWS:${token}`).toString('base64'),
    );
    // The post step is not a second main step: nothing is built or asked of AWS again.
    expect(proxy.counts()).toEqual({});
  });

  it('logs out after a main step that failed once it had logged in', async () => {
    const context = join(workdir, 'broken');
    await mkdir(context, { recursive: true });
    await writeFile(join(context, 'Containerfile'), 'FROM scratch\nCOPY missing.txt /\n');
    const { main, afterMain, post } = await mainThenPost(context);

    expect(main.status).toBe(1);
    expect(afterMain[registry.host]).toBeDefined();
    expect(post.status).toBe(0);
    expect(await auths(authFile)).toEqual({ [OTHER_REGISTRY]: { auth: OTHER_AUTH } });
  });

  it('runs docker logout for a docker login, emptying the DOCKER_CONFIG auth of that registry', async () => {
    // No Docker engine here to build with: the state is what a docker main step saves.
    const dockerConfig = join(workdir, `docker-${randomBytes(4).toString('hex')}`);
    await mkdir(dockerConfig);
    const loggedIn = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
    await writeFile(
      join(dockerConfig, 'config.json'),
      JSON.stringify({
        auths: {
          [loggedIn]: { auth: Buffer.from(`AWS:${token}`).toString('base64') },
          [OTHER_REGISTRY]: { auth: OTHER_AUTH },
        },
      }),
    );
    const post = await runActionProcess(
      { command: 'build', builder: 'docker' },
      {
        ...awsEnv(proxy.url),
        DOCKER_CONFIG: dockerConfig,
        GITHUB_SHA: randomBytes(20).toString('hex'),
        GITHUB_REPOSITORY: 'acme/web',
        ...postStepEnv({
          post: 'true',
          'registry-logins': JSON.stringify([{ builder: 'docker', registry: loggedIn }]),
        }),
      },
    );
    expect(post.log).not.toContain('::error::');
    expect(post.status).toBe(0);
    expect(await auths(join(dockerConfig, 'config.json'))).toEqual({
      [OTHER_REGISTRY]: { auth: OTHER_AUTH },
    });
    expect(proxy.counts()).toEqual({});
  });
});
