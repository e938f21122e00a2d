import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  realpath,
  rm,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runActionProcess } from '../support/action-process.js';
import { recordArgv, type ArgvRecorder } from '../support/argv-recorder.js';
import { awsEnv } from '../support/aws.js';
import { podmanEnv, type PodmanEnv } from '../support/podman.js';
import { startRegistry, type Registry } from '../support/registry.js';

const exec = promisify(execFile);

// The build inputs docker/build-push-action users bring (cache-from/cache-to, secrets), run the
// way a runner runs the Action, with podman and a real registry. Two podman stores stand for two
// runners: the second has none of the first one's layers, so whatever it does not rebuild came
// from the registry cache. No AWS is needed with a `registry` input; the endpoint is a closed
// port so that any AWS call would fail the step.
let registry: Registry;
let runnerA: PodmanEnv;
let runnerB: PodmanEnv;
let podmanCalls: ArgvRecorder;
let workdir: string;
let base: string;

beforeAll(async () => {
  registry = await startRegistry();
  runnerA = await podmanEnv({ insecureRegistries: [registry.host] });
  runnerB = await podmanEnv({ insecureRegistries: [registry.host] });
  podmanCalls = await recordArgv('podman');
  workdir = await mkdtemp(join(tmpdir(), 'ecs-paas-build-cache-'));
  base = await pushShellBase();
});

afterAll(async () => {
  await Promise.allSettled([
    registry?.stop(),
    runnerA?.cleanup(),
    runnerB?.cleanup(),
    podmanCalls?.cleanup(),
  ]);
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

/**
 * RUN steps need a shell, and Docker Hub is out of reach: a base of this machine's dash,
 * sha256sum and cat with their libraries, pushed to the registry so both runners pull it.
 */
async function pushShellBase(): Promise<string> {
  const context = join(workdir, 'base');
  const root = join(context, 'rootfs');
  const place = async (from: string, to: string): Promise<void> => {
    await mkdir(dirname(join(root, to)), { recursive: true });
    await copyFile(from, join(root, to));
  };
  for (const [tool, to] of [
    ['/bin/sh', '/bin/sh'],
    ['sha256sum', '/bin/sha256sum'],
    ['cat', '/bin/cat'],
  ] as const) {
    const binary = await realpath(
      tool.startsWith('/') ? tool : (await exec('which', [tool])).stdout.trim(),
    );
    await place(binary, to);
    const { stdout } = await exec('ldd', [binary], { encoding: 'utf8' });
    for (const [, library] of stdout.matchAll(/(\/\S+) \(0x/g)) {
      if (library) await place(library, library);
    }
  }
  await mkdir(join(root, 'tmp'));
  await chmod(join(root, 'tmp'), 0o1777);
  await writeFile(join(context, 'Containerfile'), 'FROM scratch\nCOPY rootfs/ /\n');
  const reference = `${registry.host}/shell-base:1`;
  const env = { ...process.env, ...runnerA.env };
  await exec('podman', ['build', '--tag', reference, context], { env });
  await exec('podman', ['push', reference], { env });
  return reference;
}

async function writeContext(name: string, steps: string[]): Promise<string> {
  const dir = join(workdir, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'hello.txt'), `hello from ${name}\n`);
  await writeFile(join(dir, 'Containerfile'), [`FROM ${base}`, ...steps, ''].join('\n'));
  return dir;
}

function buildStep(
  runner: PodmanEnv,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
) {
  const sha = randomBytes(20).toString('hex');
  const run = runActionProcess(
    { command: 'build', builder: 'podman', registry: registry.host, ...inputs },
    {
      ...awsEnv('http://127.0.0.1:9'),
      ...runner.env,
      PATH: podmanCalls.path,
      GITHUB_SHA: sha,
      GITHUB_REPOSITORY: 'acme/web',
      ...env,
    },
  );
  return run.then((result) => ({ ...result, sha }));
}

/**
 * The log as the runner shows it: an `::add-mask::` line is consumed, and from then on every
 * occurrence of its value is printed as ***. Masking applies only to lines after it.
 */
function asRunnerShows(log: string): string {
  const masks: string[] = [];
  const shown: string[] = [];
  for (const line of log.split('\n')) {
    const mask = /^::add-mask::(.*)$/.exec(line);
    if (mask) {
      if (mask[1]) masks.push(mask[1]);
      continue;
    }
    shown.push(masks.reduce((text, value) => text.split(value).join('***'), line));
  }
  return shown.join('\n');
}

/** The printed build command line (the one line that starts with `podman build`). */
function buildCommandLine(log: string): string {
  return log.split('\n').find((line) => line.startsWith('podman build ')) ?? '';
}

interface PushedImage {
  layers: string[];
  config: { config?: { Labels?: Record<string, string> }; history?: unknown[] };
  /** The config and every layer, uncompressed: everything a puller of the image gets. */
  blobs: Buffer[];
}

async function pushedImage(name: string, tag: string): Promise<PushedImage> {
  const manifest = (await registry.manifest(name, tag)).body as {
    config: { digest: string };
    layers: Array<{ digest: string; mediaType: string }>;
  };
  const blob = async (digest: string): Promise<Buffer> => {
    const response = await fetch(`http://${registry.host}/v2/${name}/blobs/${digest}`);
    if (!response.ok) throw new Error(`blob ${digest}: HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  };
  const config = await blob(manifest.config.digest);
  const layers = await Promise.all(
    manifest.layers.map(async (layer) => {
      const body = await blob(layer.digest);
      return layer.mediaType.endsWith('gzip') ? gunzipSync(body) : body;
    }),
  );
  return {
    layers: manifest.layers.map((layer) => layer.digest),
    config: JSON.parse(config.toString('utf8')) as PushedImage['config'],
    blobs: [config, ...layers],
  };
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('cache-from / cache-to with podman and a registry', () => {
  it('a second runner with an empty store takes the unchanged steps from the registry cache', async () => {
    const context = await writeContext('cached', [
      'COPY hello.txt /hello.txt',
      // A random id per run: a step that really runs again makes a different layer.
      // The marker is split so that the step's own text in the log does not match it.
      'RUN read -r id < /proc/sys/kernel/random/uuid; echo "RUN-STEP""-RAN $id"; echo "$id" > /built-id',
    ]);
    const cache = `${registry.host}/cached-cache`;
    const inputs = {
      context,
      'ecr-repository': 'cached',
      'cache-from': `type=registry,ref=${cache}`,
      'cache-to': `type=registry,ref=${cache},mode=max`,
      labels: 'org.opencontainers.image.title=Cached App\ncom.acme.team=payments',
    };

    const first = await buildStep(runnerA, inputs);
    expect(first.log).not.toContain('::error::');
    expect(first.status).toBe(0);
    expect(first.log).toContain('RUN-STEP-RAN');
    expect(buildCommandLine(first.log)).toContain(
      `--layers --cache-from ${cache} --cache-to ${cache} `,
    );
    expect((await registry.tags('cached-cache')).length).toBeGreaterThan(0);

    const second = await buildStep(runnerB, inputs);
    expect(second.log).not.toContain('::error::');
    expect(second.status).toBe(0);
    // The RUN step did not run on the second runner: its output is not there, its layer came
    // from the cache, and the image has exactly the first build's layers.
    expect(second.log).not.toContain('RUN-STEP-RAN');
    expect(second.log).toContain(`Cache pulled from remote ${cache}:`);
    const [one, two] = await Promise.all([
      pushedImage('cached', first.sha),
      pushedImage('cached', second.sha),
    ]);
    expect(two.layers).toEqual(one.layers);
    expect(two.layers.length).toBeGreaterThanOrEqual(3);
    // It is still the second commit's image, labelled as such; the user's labels win over ours.
    expect(two.config.config?.Labels).toMatchObject({
      'org.opencontainers.image.revision': second.sha,
      'org.opencontainers.image.source': 'https://github.com/acme/web',
      'org.opencontainers.image.title': 'Cached App',
      'com.acme.team': 'payments',
    });
  });

  it('refuses type=gha for podman before logging in or building, naming the input', async () => {
    const context = await writeContext('refused', ['COPY hello.txt /hello.txt']);
    const before = (await podmanCalls.calls()).length;
    const run = await buildStep(runnerA, {
      context,
      'ecr-repository': 'refused',
      'cache-from': 'type=gha',
    });
    expect(run.status).toBe(1);
    expect(run.log).toContain(
      "::error::Input 'cache-from': 'type=gha': builder podman takes a registry repository only",
    );
    expect((await podmanCalls.calls()).slice(before)).toEqual([]);
    expect(await registry.tags('refused')).toEqual([]);
  });
});

describe('secrets and secret-files', () => {
  const SECRET_STEP =
    'RUN --mount=type=secret,id=token --mount=type=secret,id=netrc sha256sum /run/secrets/token /run/secrets/netrc > /secrets.sha256';

  async function secretRun(name: string, steps: string[]) {
    const token = `tok-${randomBytes(16).toString('hex')}`;
    const netrc = `machine example.com password ${randomBytes(16).toString('hex')}`;
    const netrcFile = join(workdir, `${name}-netrc`);
    await writeFile(netrcFile, netrc, { mode: 0o600 });
    const runnerTemp = join(workdir, `${name}-runner-temp`);
    await mkdir(runnerTemp);
    const before = (await podmanCalls.calls()).length;
    const run = await buildStep(
      runnerA,
      {
        context: await writeContext(name, steps),
        'ecr-repository': name,
        secrets: `token=${token}`,
        'secret-files': `netrc=${netrcFile}`,
      },
      { RUNNER_TEMP: runnerTemp },
    );
    const argv = (await podmanCalls.calls()).slice(before);
    return { run, token, netrc, netrcFile, runnerTemp, argv };
  }

  it('a RUN --mount=type=secret step reads both; neither is in the image, the command lines or the log', async () => {
    const { run, token, netrc, netrcFile, runnerTemp, argv } = await secretRun('secret', [
      SECRET_STEP,
      // A build script that prints its secret: only the runner's mask keeps it out of the log.
      // (The hashing after it keeps the step alive while podman relays what it printed.)
      'RUN --mount=type=secret,id=token echo "token is $(cat /run/secrets/token)"; sha256sum /bin/sh /bin/sh > /dev/null',
    ]);
    expect(run.log).not.toContain('::error::');
    expect(run.status).toBe(0);

    const image = await pushedImage('secret', run.sha);
    const everything = Buffer.concat(image.blobs);
    // The step saw the exact contents: the hashes it wrote are of the values given.
    expect(everything.includes(`${sha256(token)}  /run/secrets/token`)).toBe(true);
    expect(everything.includes(`${sha256(netrc)}  /run/secrets/netrc`)).toBe(true);
    // The history is there to read (the RUN lines), but no value is, in any blob.
    expect(JSON.stringify(image.config.history)).toContain('/run/secrets/token');
    expect(everything.includes(token)).toBe(false);
    expect(everything.includes(netrc)).toBe(false);

    // The build saw the value through a file; no command line carries it.
    const line = buildCommandLine(run.log);
    expect(line).toContain(`--secret id=token,src=${runnerTemp}/ecs-paas-secrets-`);
    expect(line).toContain(`--secret id=netrc,src=${netrcFile}`);
    expect(argv.some((call) => call.startsWith('build '))).toBe(true);
    expect(argv.filter((call) => call.includes(token) || call.includes(netrc))).toEqual([]);

    // The build printed the token; the runner shows *** there because the Action masked it first.
    expect(run.log).toContain(`token is ${token}`);
    expect(asRunnerShows(run.log)).toContain('token is ***');
    expect(asRunnerShows(run.log)).not.toContain(token);
    // The file written for the value is gone; the user's own secret file is left alone.
    expect(await readdir(runnerTemp)).toEqual([]);
    expect((await readdir(workdir)).includes('secret-netrc')).toBe(true);
  });

  it('removes the secret files and keeps the value masked when the build fails', async () => {
    const { run, token, runnerTemp } = await secretRun('failing', [
      SECRET_STEP,
      'RUN --mount=type=secret,id=token cat /run/secrets/token; sha256sum /bin/sh /bin/sh > /dev/null; exit 3',
    ]);
    expect(run.status).toBe(1);
    expect(run.log).toContain('::error::');
    expect(run.log).toContain(token);
    expect(asRunnerShows(run.log)).not.toContain(token);
    expect(await readdir(runnerTemp)).toEqual([]);
    expect(await registry.tags('failing')).toEqual([]);
  });
});
