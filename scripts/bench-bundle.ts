/**
 * `BENCH_ONLY=bundle`: the Action's bundle next to the anchor's (aws-actions/
 * amazon-ecs-deploy-task-definition): JavaScript bytes in each dist/, and the cold start of each,
 * process start → the first HTTP request reaching moto, N runs each under Node 24, interleaved so
 * both share the machine's noise. A recording proxy in front of moto notes when a run's first
 * request arrives (its headers, before the body is read).
 * The anchor's dist comes from ANCHOR_DIST (a directory holding its index.js) or from the mirror the
 * session's fetch tool leaves under /work/.mirror; nothing is downloaded while the bench runs.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  awsEnv,
  createDefaultNetwork,
  createFargateService,
  registerFargateTaskDefinition,
  testAwsConfig,
} from '../test/support/aws.js';
import type { Moto } from '../test/support/moto.js';

const RUNS = Number(process.env.BENCH_BUNDLE_RUNS ?? 15);
const TARGET_BYTES = 3_000_000;
const TARGET_MS = 150;
const ANCHOR_MIRROR = '/work/.mirror/aws-actions+amazon-ecs-deploy-task-definition/repo';
const say = (text: string): void => void process.stdout.write(`${text}\n`);

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

/** All JavaScript a runner loads from a dist/ (chunks and the source-map helper; maps excluded). */
async function javascriptBytes(dir: string): Promise<number> {
  let total = 0;
  for (const file of await readdir(dir)) {
    if (/\.(c|m)?js$/.test(file)) total += (await stat(join(dir, file))).size;
  }
  return total;
}

/** The anchor's dist/ as a directory, or undefined when neither source is on this machine. */
async function anchorDist(): Promise<{ dir: string; cleanUp: () => Promise<void> } | undefined> {
  const given = process.env.ANCHOR_DIST;
  if (given) {
    return existsSync(join(given, 'index.js'))
      ? { dir: resolve(given), cleanUp: () => Promise.resolve() }
      : undefined;
  }
  if (!existsSync(ANCHOR_MIRROR)) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'anchor-dist-'));
  // `git archive` of the mirror's HEAD, unpacked outside any package.json: the anchor is CommonJS.
  await new Promise<void>((done, fail) => {
    const archive = spawn('git', ['--git-dir', ANCHOR_MIRROR, 'archive', 'HEAD', 'dist'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const untar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'inherit', 'inherit'] });
    archive.stdout.pipe(untar.stdin);
    untar
      .on('error', fail)
      .on('close', (code) => (code === 0 ? done() : fail(new Error(`tar exited ${code}`))));
  });
  return { dir: join(dir, 'dist'), cleanUp: () => rm(dir, { recursive: true, force: true }) };
}

interface RecordingProxy {
  url: string;
  /**
   * Resolves with performance.now() when the next request's headers arrive, and what `atArrival`
   * returned, called right then.
   */
  nextRequest<T>(atArrival: () => T): Promise<{ at: number; seen: T }>;
  stop(): Promise<void>;
}

/** Passes every request through to moto untouched and notes when one arrives. */
async function startRecordingProxy(targetUrl: string): Promise<RecordingProxy> {
  const target = new URL(targetUrl);
  let waiting: ((at: number) => void) | undefined;
  const server: Server = createServer((req, res) => {
    waiting?.(performance.now());
    waiting = undefined;
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy has no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    nextRequest: (atArrival) =>
      new Promise((done) => (waiting = (at) => done({ at, seen: atArrival() }))),
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/**
 * CPU time (user + system) a process has used so far, from /proc (Linux; clock ticks of 10 ms).
 * On a loaded machine wall time mostly measures the wait for a core; this does not.
 */
function cpuMs(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

interface Sample {
  ms: number;
  cpuMs: number | undefined;
}

/** One cold start: ms from spawn to the first request at the proxy; waits for the process to end. */
async function coldStart(
  node: string,
  entry: string,
  proxy: RecordingProxy,
  env: Record<string, string>,
): Promise<Sample> {
  const started = performance.now();
  const child = spawn(node, [entry], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Nothing is awaited before this line, so no request can have been handled yet.
  const first = proxy.nextRequest(() => cpuMs(child.pid));
  const output: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
  const exited = new Promise<number | null>((done, fail) =>
    child.on('error', fail).on('close', (code) => done(code)),
  );
  const outcome = await Promise.race([first, exited.then(() => 'exited' as const)]);
  const status = await exited;
  if (outcome === 'exited' || status !== 0) {
    throw new Error(
      `${entry} (${outcome === 'exited' ? 'no AWS request' : `exit ${status}`}):\n${Buffer.concat(output).toString().slice(-3000)}`,
    );
  }
  return { ms: outcome.at - started, cpuMs: outcome.seen };
}

async function setUp(moto: Moto): Promise<void> {
  await moto.reset();
  const ecs = new ECSClient(testAwsConfig(moto.url));
  try {
    await ecs.send(new CreateClusterCommand({ clusterName: 'bench' }));
    const network = await createDefaultNetwork(moto.url);
    const definition = await registerFargateTaskDefinition(ecs, 'web');
    for (const serviceName of ['ours', 'anchor']) {
      await createFargateService(ecs, network, {
        cluster: 'bench',
        name: serviceName,
        taskDefinition: definition.taskDefinitionArn,
      });
    }
  } finally {
    ecs.destroy();
  }
}

/** The runner's environment for one step: `INPUT_<NAME>` per input, hyphens kept. */
function stepEnv(
  proxyUrl: string,
  workDir: string,
  inputs: Record<string, string>,
): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    ...awsEnv(proxyUrl),
    GITHUB_WORKSPACE: workDir,
    GITHUB_OUTPUT: join(workDir, 'output'),
    GITHUB_STEP_SUMMARY: join(workDir, 'summary'),
    GITHUB_STATE: join(workDir, 'state'),
    RUNNER_TEMP: workDir,
    GITHUB_SHA: '0'.repeat(40),
    GITHUB_REPOSITORY: 'acme/web',
    ...Object.fromEntries(
      Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, value]),
    ),
  };
}

async function nodeVersion(node: string): Promise<string> {
  const { stdout } = await promisify(execFile)(node, ['--version'], { encoding: 'utf8' });
  return stdout.trim();
}

const line = (label: string, samples: readonly Sample[]): string => {
  const times = samples.map((s) => s.ms);
  const cpu = samples.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
  const cpuMedian = cpu.length ? percentile(cpu, 50).toFixed(0) : 'n/a';
  return `| ${label} | ${percentile(times, 50).toFixed(0)} | ${percentile(times, 90).toFixed(0)} | ${Math.min(...times).toFixed(0)} | ${cpuMedian} |`;
};

/**
 * `node24` runs both bundles; `node20`, when given, runs ours once more per round (the runner's
 * node20 is going away, but a figure for it is cheap).
 */
export async function bundleFigures(moto: Moto, node24: string, node20?: string): Promise<void> {
  const bundle = resolve(process.env.ECS_PAAS_BUNDLE ?? 'dist/index.js');
  const anchor = await anchorDist();
  const proxy = await startRecordingProxy(moto.url);
  const workDir = await mkdtemp(join(tmpdir(), 'bench-bundle-'));
  try {
    for (const file of ['output', 'summary', 'state']) await writeFile(join(workDir, file), '');
    const ours = await javascriptBytes(dirname(bundle));
    say(`\n## Bundle: ${bundle} next to amazon-ecs-deploy-task-definition's dist/`);
    say(`| dist/ | JavaScript bytes |\n| --- | --- |`);
    say(
      `| ecs-paas | ${ours} (target ≤ ${TARGET_BYTES}: ${ours <= TARGET_BYTES ? 'met' : 'MISSED'}) |`,
    );
    if (anchor) {
      const theirs = await javascriptBytes(anchor.dir);
      say(`| anchor | ${theirs} |`);
      say(`ratio ecs-paas / anchor: ${(ours / theirs).toFixed(2)}`);
    } else {
      say('anchor not available (set ANCHOR_DIST to a directory holding its dist/index.js)');
    }

    await setUp(moto);
    await writeFile(
      join(workDir, 'task-definition.json'),
      JSON.stringify({
        family: 'anchor',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [
          {
            name: 'web',
            image: `registry.example.com/web@sha256:${'b'.repeat(64)}`,
            essential: true,
          },
        ],
      }),
    );
    const anchorEnv = stepEnv(proxy.url, workDir, {
      'task-definition': join(workDir, 'task-definition.json'),
      cluster: 'bench',
      service: 'anchor',
    });
    const oursEnv = (run: number): Record<string, string> => ({
      ...stepEnv(proxy.url, workDir, {
        cluster: 'bench',
        service: 'ours',
        // A new digest per run, so every run registers and rolls out a revision.
        image: `registry.example.com/web@sha256:${(run + 1).toString(16).padStart(64, '0')}`,
      }),
      ECS_PAAS_POLL_MS: '100',
    });

    const times = { ours: [] as Sample[], anchor: [] as Sample[], ours20: [] as Sample[] };
    // One run of each untimed: the first spawn of a binary pays for the page cache.
    await coldStart(node24, bundle, proxy, oursEnv(RUNS * 3));
    if (anchor) await coldStart(node24, join(anchor.dir, 'index.js'), proxy, anchorEnv);
    for (let run = 0; run < RUNS; run++) {
      times.ours.push(await coldStart(node24, bundle, proxy, oursEnv(run)));
      if (anchor) {
        times.anchor.push(await coldStart(node24, join(anchor.dir, 'index.js'), proxy, anchorEnv));
      }
      if (node20) times.ours20.push(await coldStart(node20, bundle, proxy, oursEnv(RUNS + run)));
    }
    say(
      `\n## Cold start: process start → first request reaching moto (${RUNS} runs each, interleaved)`,
    );
    say(
      `| run | median ms | p90 ms | min ms | CPU used by then, median ms |\n| --- | --- | --- | --- | --- |`,
    );
    const v24 = await nodeVersion(node24);
    say(line(`ecs-paas, Node ${v24}`, times.ours));
    if (anchor) say(line(`anchor, Node ${v24}`, times.anchor));
    if (node20) say(line(`ecs-paas, Node ${await nodeVersion(node20)}`, times.ours20));
    const median = (samples: readonly Sample[]) =>
      percentile(
        samples.map((s) => s.ms),
        50,
      );
    const ourMedian = median(times.ours);
    say(
      `ecs-paas median under Node 24: ${ourMedian.toFixed(0)} ms (target ≤ ${TARGET_MS}: ${ourMedian <= TARGET_MS ? 'met' : 'MISSED'})`,
    );
    if (anchor) {
      say(`ratio ecs-paas / anchor (medians): ${(ourMedian / median(times.anchor)).toFixed(2)}`);
    }
  } finally {
    await proxy.stop();
    await rm(workDir, { recursive: true, force: true });
    await anchor?.cleanUp();
  }
}
