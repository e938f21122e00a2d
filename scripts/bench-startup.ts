/**
 * The App's start-up as an operator runs it (`npm start`, `node lib/bot/main.js`): time from
 * spawning the process to `/healthz` answering 200, median of 10 runs per Node binary. Nothing is
 * asked of GitHub or AWS while starting, so both point at closed loopback ports.
 */
import { execFile, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from '../test/support/ports.js';

const RUNS = 10;
const TARGET_MS = 1_000;
const GIVE_UP_MS = 30_000;
const say = (text: string): void => void process.stdout.write(`${text}\n`);
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

function run(command: string, args: string[]): Promise<void> {
  return new Promise((done, fail) =>
    spawn(command, args, { stdio: 'inherit' })
      .on('close', (code) =>
        code === 0 ? done() : fail(new Error(`${command} ${args.join(' ')} exited ${code}`)),
      )
      .on('error', fail),
  );
}

async function nodeVersion(node: string): Promise<string> {
  const { stdout } = await promisify(execFile)(node, ['--version'], { encoding: 'utf8' });
  return stdout.trim();
}

/** One start: ms from spawn to the first 200 from `/healthz`; the process is stopped after. */
async function startOnce(
  node: string,
  entry: string,
  env: Record<string, string>,
): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(node, [entry], {
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const errors: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => errors.push(chunk));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    while (performance.now() - started < GIVE_UP_MS) {
      if (gone) throw new Error(`the App exited while starting:\n${errors.join('').slice(-2000)}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (response.status === 200) return performance.now() - started;
      } catch {
        // not listening yet: a refused connection comes back at once, so poll tightly
      }
      await sleep(5);
    }
    throw new Error(`/healthz did not answer within ${GIVE_UP_MS} ms`);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

export async function startupFigures(nodes: readonly string[] = [process.execPath]): Promise<void> {
  // The compiled App is what `npm start` runs; build it from the sources being measured.
  await run(process.execPath, [
    resolve('node_modules/typescript/bin/tsc'),
    '-p',
    'tsconfig.build.json',
  ]);
  const entry = resolve('lib/bot/main.js');
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const closed = `http://127.0.0.1:${await freePort()}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    NODE_ENV: 'production',
    APP_ID: '1',
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: randomBytes(20).toString('hex'),
    HOST: '127.0.0.1',
    GITHUB_API_URL: closed,
    ECS_PAAS_POLICY: 'open',
    ECS_PAAS_SWEEP_INTERVAL: 'never',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_ENDPOINT_URL: closed,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  say(
    `\n## App start-up: spawn \`node ${join('lib', 'bot', 'main.js')}\` → /healthz 200 (${RUNS} runs)`,
  );
  for (const node of nodes) {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await startOnce(node, entry, env));
    const ms = median(times);
    say(
      `Node ${await nodeVersion(node)}: median ${ms.toFixed(0)} ms (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}); target under ${TARGET_MS} ms: ${ms < TARGET_MS ? 'met' : 'MISSED'}`,
    );
  }
}
