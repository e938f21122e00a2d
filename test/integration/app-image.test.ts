import { execFile, type ExecFileOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  chmod,
  copyFile,
  cp,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  realpath,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { APP_ID, APP_PRIVATE_KEY } from '../support/app-process.js';
import { eventually } from '../support/eventually.js';
import { startGitHubApi } from '../support/github.js';
import { startMoto } from '../support/moto.js';
import { podmanEnv, type PodmanEnv } from '../support/podman.js';
import { freePort } from '../support/ports.js';

/**
 * The root Dockerfile, built with podman and started. Docker Hub is out of reach here, so
 * `node:24-slim` is stood in for by a local base assembled from what it would give the build: a
 * real Node 24 (the `node` package from npm), its shared libraries, npm (the `npm` package: the
 * `node` package has none), `sh` for npm's scripts, and root's account. The Dockerfile is built
 * as it is, with only `NODE_IMAGE` pointing at that base.
 */

const exec = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BASE = 'localhost/ecs-paas-node-base:test';
const IMAGE = 'localhost/ecs-paas-app:test';
// Loaded once per machine, next to bench.ts's Node 24, so reruns do not download 130 MB again.
const NODE_TOOLS = join(REPO_ROOT, 'node_modules/.cache/ecs-paas-node-base');
const BUILD_TIMEOUT_MS = 420_000;

let podman: PodmanEnv;
let work: string;

function podmanCli(
  args: string[],
  options: ExecFileOptions & { env?: Record<string, string> } = {},
): Promise<{ stdout: string; stderr: string }> {
  return exec('podman', args, {
    maxBuffer: 64 * 1024 * 1024,
    ...options,
    env: { ...process.env, ...podman.env, ...options.env },
    encoding: 'utf8',
  });
}

/** The text a failed command left, for a failure message that says what went wrong. */
function commandOutput(error: unknown): string {
  const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
  return `${String(error)}\n${stdout.slice(-3000)}\n${stderr.slice(-3000)}`.trim();
}

async function npmConfig(key: string): Promise<string | undefined> {
  const { stdout } = await exec('npm', ['config', 'get', key], { encoding: 'utf8' });
  const value = stdout.trim();
  return value && value !== 'null' && value !== 'undefined' ? value : undefined;
}

/** node@24 and npm from the registry, installed once into NODE_TOOLS. */
async function nodeTools(): Promise<{ node: string; npm: string }> {
  const node = join(NODE_TOOLS, 'node_modules/.bin/node');
  const npm = join(NODE_TOOLS, 'node_modules/npm');
  if (!existsSync(node) || !existsSync(join(npm, 'bin/npm-cli.js'))) {
    await exec('npm', [
      'i',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--prefix',
      NODE_TOOLS,
      'node@24',
      'npm@11',
    ]);
  }
  return { node: await realpath(node), npm };
}

/** What the dynamic loader needs for `binary`, as `ldd` lists it (the vDSO has no file). */
async function sharedLibraries(binary: string): Promise<string[]> {
  const { stdout } = await exec('ldd', [binary], { encoding: 'utf8' });
  return [...stdout.matchAll(/(\/\S+) \(0x/g)].map((match) => match[1] ?? '').filter(Boolean);
}

async function buildNodeBase(): Promise<void> {
  const { node, npm } = await nodeTools();
  const context = join(work, 'base');
  const root = join(context, 'rootfs');
  const place = async (from: string, to: string): Promise<void> => {
    await mkdir(dirname(join(root, to)), { recursive: true });
    await copyFile(from, join(root, to));
  };
  const sh = await realpath('/bin/sh');
  const env = await realpath('/usr/bin/env');
  await place(node, '/usr/local/bin/node');
  await place(sh, '/bin/sh');
  // npm's bin scripts start with `#!/usr/bin/env node`.
  await place(env, '/usr/bin/env');
  for (const binary of [node, sh, env]) {
    for (const library of await sharedLibraries(binary)) await place(library, library);
  }
  // Where the official image keeps npm, linked into PATH the same way.
  await cp(npm, join(root, 'usr/local/lib/node_modules/npm'), { recursive: true });
  await symlink('../lib/node_modules/npm/bin/npm-cli.js', join(root, 'usr/local/bin/npm'));
  await symlink('../lib/node_modules/npm/bin/npx-cli.js', join(root, 'usr/local/bin/npx'));
  await mkdir(join(root, 'etc'));
  await writeFile(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n',
  );
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  await mkdir(join(root, 'root'));
  await mkdir(join(root, 'tmp'));
  await chmod(join(root, 'tmp'), 0o1777);
  await writeFile(
    join(context, 'Containerfile'),
    'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/bin\nCMD ["node"]\n',
  );
  await podmanCli(['build', '--tag', BASE, context]);
}

/**
 * Builds the repository's Dockerfile. Build-time mounts only (nothing lands in a layer): the
 * host's npm cache, so `npm ci` takes its tarballs from disk, and the CA npm trusts here, since
 * this machine's registry traffic goes through a TLS-inspecting proxy.
 */
async function buildAppImage(): Promise<void> {
  const cache = (await npmConfig('cache')) ?? join(process.env.HOME ?? '/root', '.npm');
  const ca = (await npmConfig('cafile')) ?? process.env.NODE_EXTRA_CA_CERTS;
  const npmrc = join(work, 'npmrc');
  const trusted = ca && existsSync(ca);
  await writeFile(
    npmrc,
    [
      'prefer-offline=true',
      'update-notifier=false',
      ...(trusted ? ['cafile=/root/host-ca.crt'] : []),
    ]
      .map((line) => `${line}\n`)
      .join(''),
  );
  await podmanCli([
    'build',
    // Docker's format: the OCI one has no HEALTHCHECK.
    '--format',
    'docker',
    // One commit per stage: vfs copies the whole tree for every layer.
    '--layers=false',
    '--jobs',
    '2',
    '--build-arg',
    `NODE_IMAGE=${BASE}`,
    '--volume',
    `${cache}:/root/.npm`,
    '--volume',
    `${npmrc}:/root/.npmrc:ro`,
    ...(trusted ? ['--volume', `${ca}:/root/host-ca.crt:ro`] : []),
    '--file',
    join(REPO_ROOT, 'Dockerfile'),
    '--tag',
    IMAGE,
    REPO_ROOT,
  ]);
}

interface ImageConfig {
  User?: string;
  Env?: string[];
  Cmd?: string[];
  WorkingDir?: string;
  ExposedPorts?: Record<string, unknown>;
}

/** `podman image inspect` keeps the Docker-format HEALTHCHECK beside the config, in nanoseconds. */
interface InspectedImage {
  Config: ImageConfig;
  Healthcheck?: { Test?: string[]; Timeout?: number };
}

beforeAll(async () => {
  podman = await podmanEnv({ insecureRegistries: [] });
  work = await mkdtemp(join(tmpdir(), 'ecs-paas-app-image-'));
  try {
    await buildNodeBase();
    await buildAppImage();
  } catch (error) {
    throw new Error(`building the image failed:\n${commandOutput(error)}`, { cause: error });
  }
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await podman?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the App image', () => {
  it('runs the compiled App as uid 10001 in production mode, with a HEALTHCHECK on /healthz by node', async () => {
    const { stdout } = await podmanCli(['image', 'inspect', IMAGE]);
    const [image] = JSON.parse(stdout) as InspectedImage[];
    const config = image?.Config ?? {};
    expect(config.User).toBe('10001:10001');
    expect(config.Cmd).toEqual(['node', 'lib/bot/main.js']);
    expect(config.WorkingDir).toBe('/app');
    expect(config.Env).toContain('NODE_ENV=production');
    expect(Object.keys(config.ExposedPorts ?? {})).toEqual(['3000/tcp']);
    const test = image?.Healthcheck?.Test ?? [];
    expect(test.slice(0, 2)).toEqual(['CMD', 'node']);
    expect(test.join(' ')).toContain('/healthz');
    // Its fetch gives up at 4 s, inside this, so a stalled App fails the check rather than hangs it.
    expect(image?.Healthcheck?.Timeout).toBe(5_000_000_000);
  });

  it('holds lib/, app.yml and the production dependencies only: no sources, no devDependencies', async () => {
    const { stdout } = await podmanCli(['image', 'mount', IMAGE]);
    const app = join(stdout.trim(), 'app');
    try {
      expect((await readdir(app)).sort()).toEqual([
        'app.yml',
        'lib',
        'node_modules',
        'package-lock.json',
        'package.json',
      ]);
      expect(existsSync(join(app, 'lib/bot/main.js'))).toBe(true);
      for (const tool of ['typescript', 'jest', 'ts-jest', 'tsx', 'eslint', '@stoplight/prism-cli'])
        expect(existsSync(join(app, 'node_modules', tool))).toBe(false);
      // Exactly what the lockfile installs without dev: every production package, nothing else.
      const lock = JSON.parse(await readFile(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
        packages: Record<string, { dev?: boolean; optional?: boolean }>;
      };
      const entries = Object.entries(lock.packages).filter(([path]) => path !== '');
      const missing = entries
        .filter(([path, p]) => !p.dev && !p.optional && !existsSync(join(app, path)))
        .map(([path]) => path);
      const devPresent = entries
        .filter(([path, p]) => p.dev && existsSync(join(app, path)))
        .map(([path]) => path);
      expect({ missing, devPresent }).toEqual({ missing: [], devPresent: [] });
    } finally {
      await podmanCli(['image', 'unmount', IMAGE]);
    }
  });
});

/** A podman invocation that can start a container here, or why none can. */
interface Runner {
  global: string[];
  run: string[];
}

/**
 * Machines differ in what lets a container start: crun refuses cgroup v1/v2 hybrid hosts, and
 * without CAP_SYS_RESOURCE the runtime cannot raise the rlimits podman asks for. Each way is
 * tried on the base image; the first that runs `node` is used for the App.
 */
async function findRunner(): Promise<Runner> {
  const limits = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
  const candidates: Runner[] = [
    { global: [], run: [] },
    { global: [], run: limits },
    { global: ['--runtime', 'runc'], run: limits },
  ];
  const failures: string[] = [];
  for (const candidate of candidates) {
    try {
      const probe = ['run', '--rm', ...candidate.run, BASE, 'node', '-e', 'process.exit(0)'];
      await podmanCli([...candidate.global, ...probe], { timeout: 60_000 });
      return candidate;
    } catch (error) {
      const reason = (error as { stderr?: string }).stderr?.trim() || String(error);
      failures.push(
        `podman ${[...candidate.global, 'run', ...candidate.run].join(' ')}: ${reason}`,
      );
    }
  }
  throw new Error(
    `this machine cannot run containers (the image builds; it was not started):\n${failures.join('\n')}\n` +
      'On a cgroup hybrid host install runc (`apt-get install -y runc`).',
  );
}

describe('the App container', () => {
  it('answers /healthz and /readyz, passes its own HEALTHCHECK, runs as uid 10001 and exits 0 on SIGTERM', async () => {
    const runner = await findRunner();
    const moto = await startMoto();
    const api = await startGitHubApi();
    // The App's JWT is all GET /app needs; iss must be this App.
    api.on('GET /app', (request) => {
      const jwt = (request.headers.authorization ?? '').replace(/^Bearer /i, '');
      const claims = JSON.parse(
        Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}',
      ) as { iss?: unknown };
      return String(claims.iss) === String(APP_ID)
        ? { status: 200, body: { id: APP_ID, slug: 'ecs-paas', name: 'ecs-paas' } }
        : { status: 401, body: { message: 'A JSON web token could not be decoded' } };
    });
    const port = await freePort();
    const name = `ecs-paas-app-${randomBytes(4).toString('hex')}`;
    const url = `http://127.0.0.1:${port}`;
    // Given by name only, so the key and secret never appear on a command line.
    const env: Record<string, string> = {
      APP_ID: String(APP_ID),
      PRIVATE_KEY: APP_PRIVATE_KEY,
      WEBHOOK_SECRET: randomBytes(20).toString('hex'),
      PORT: String(port),
      HOST: '127.0.0.1',
      GITHUB_API_URL: api.url,
      ECS_PAAS_POLICY: 'open',
      ECS_PAAS_SWEEP_INTERVAL: 'never',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_ENDPOINT_URL: moto.url,
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    const logs = async (): Promise<string> =>
      podmanCli([...runner.global, 'logs', name]).then(
        ({ stdout, stderr }) => `${stdout}${stderr}`.slice(-3000),
        (error: unknown) => commandOutput(error),
      );
    try {
      await podmanCli(
        [
          ...runner.global,
          'run',
          '--detach',
          '--name',
          name,
          // The servers it talks to listen on the host's loopback.
          '--network',
          'host',
          ...runner.run,
          ...Object.keys(env).flatMap((key) => ['--env', key]),
          IMAGE,
        ],
        { env },
      );
      await eventually(
        `/healthz from the container at ${url}`,
        async () => (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) })).ok,
        { timeoutMs: 30_000 },
      ).catch(async (error: unknown) => {
        throw new Error(`${String(error)}\nThe container's output:\n${await logs()}`);
      });
      expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok');
      // Ready once both answer; on a loaded machine moto's first answer can miss the 3 s check
      // deadline, and an orchestrator asks again just as this does.
      const ready = await eventually(
        'the container ready',
        async () => {
          const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) });
          const body: unknown = await response.json();
          return response.status === 200 ? { status: response.status, body } : undefined;
        },
        { timeoutMs: 30_000 },
      );
      expect(ready).toEqual({
        status: 200,
        body: { ready: true, checks: { github: 'ok', aws: 'ok' } },
      });

      // The image's own HEALTHCHECK, run inside the container as the orchestrator would.
      await podmanCli([...runner.global, 'healthcheck', 'run', name]);
      const { stdout: pid } = await podmanCli([
        ...runner.global,
        'inspect',
        name,
        '--format',
        '{{.State.Pid}}',
      ]);
      const status = await readFile(`/proc/${pid.trim()}/status`, 'utf8');
      expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe('10001');

      await podmanCli([...runner.global, 'stop', '--time', '10', name]);
      const { stdout: exit } = await podmanCli([
        ...runner.global,
        'inspect',
        name,
        '--format',
        '{{.State.ExitCode}}',
      ]);
      expect(exit.trim()).toBe('0');
      api.assertNoViolations();
    } finally {
      await podmanCli([...runner.global, 'rm', '--force', name]).catch(() => undefined);
      await Promise.allSettled([api.stop(), moto.stop()]);
    }
  }, 120_000);
});
