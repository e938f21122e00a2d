import { spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freePort } from './ports.js';
import { sendWebhook, signWebhook } from './webhooks.js';

/** The App's id as startApp runs it; createGitHubWorld's default `appId` matches. */
export const APP_ID = 1;

// One key per test file (modules load once per file): fresh, so no real App key is ever needed,
// and exported so a GitHubWorld can check the App's JWTs with it (`appKey`).
const keyPair = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  // PKCS#1 ("BEGIN RSA PRIVATE KEY") is the format GitHub hands out for App keys.
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
});
export const APP_PRIVATE_KEY: string = keyPair.privateKey;
export const APP_PUBLIC_KEY: string = keyPair.publicKey;

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEFAULT_ENTRY = 'src/bot/main.ts';
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/**
 * Loaded before the App: any fetch (Octokit's transport) to a host other than loopback fails
 * loudly instead of reaching real GitHub, e.g. when the App ignores GITHUB_API_URL.
 */
const LOOPBACK_GUARD = `
const loopback = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const realFetch = globalThis.fetch;
globalThis.fetch = function guardedFetch(input, init) {
  const url = new URL(typeof input === 'object' && 'url' in input ? input.url : String(input));
  if (!loopback.has(url.hostname)) {
    const message = '[ecs-paas test guard] refused a request to ' + url.origin +
      ': tests reach only servers on 127.0.0.1';
    console.error(message);
    return Promise.reject(new TypeError(message));
  }
  return realFetch(input, init);
};
`;

export interface StartAppOptions {
  githubUrl: string;
  /** AWS_ENDPOINT_URL for every AWS SDK client the App creates (moto or a fault proxy). */
  awsEndpoint: string;
  /** Added last, so it can override anything below. */
  env?: Record<string, string>;
  /** The entry file, relative to the repository root; `src/bot/main.ts` (the harness's own checks use another). */
  entry?: string;
  /** The working directory; the repository root unless given (start-up tests plant files there). */
  cwd?: string;
  /** Resolve when the output matches this instead of when `/ping` answers (setup mode has no /ping). */
  readyLine?: RegExp;
}

export interface AppProcess {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Where GitHub would deliver webhooks: `<url>/api/github/webhooks`. */
  webhookUrl: string;
  /** The WEBHOOK_SECRET the App was started with. */
  secret: string;
  /** Everything the process printed so far, stdout and stderr as they arrived. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone. Safe to call twice. */
  stop(): Promise<void>;
  /** SIGKILL now, for crash tests; `exited` tells when it is gone. */
  kill(): void;
  /** Settles when the process exits, however that happens. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The process id, for reading its memory from /proc in benchmarks. */
  pid: number;
}

/**
 * Starts the App the way an operator runs it: its own Node process (`node --import tsx
 * src/bot/main.ts` from the repository root) configured only through the environment, and
 * resolves once Probot's built-in `GET /ping` answers 200.
 */
export async function startApp(options: StartAppOptions): Promise<AppProcess> {
  const port = await freePort();
  const secret = randomBytes(20).toString('hex');
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    // Only what a process needs from the outside: the test runner's NODE_OPTIONS (jest's VM
    // modules flag), proxies and any real credentials stay out.
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    APP_ID: String(APP_ID),
    PRIVATE_KEY: APP_PRIVATE_KEY,
    WEBHOOK_SECRET: secret,
    PORT: String(port),
    HOST: '127.0.0.1',
    GITHUB_API_URL: options.githubUrl,
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    // Probot loads a `.env` from the working directory but never overrides what is set: empty
    // values keep a developer's .env from adding a smee proxy, a GHE host or Sentry to a test.
    WEBHOOK_PROXY_URL: '',
    GHE_HOST: '',
    SENTRY_DSN: '',
    REDIS_URL: '',
    PRIVATE_KEY_PATH: '',
    AWS_ENDPOINT_URL: options.awsEndpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_EC2_METADATA_DISABLED: 'true',
    // Tests sweep on purpose (POST /api/sweep); a timer would act in the middle of other tests.
    ECS_PAAS_SWEEP_INTERVAL: 'never',
    // Serves GET /api/test/settled, which `settled()` reads.
    NODE_ENV: 'test',
    // One team per test App unless a test gives the operator's policy.
    ECS_PAAS_POLICY: 'open',
    ...options.env,
  };
  const child = spawn(
    process.execPath,
    [
      '--import',
      `data:text/javascript,${encodeURIComponent(LOOPBACK_GUARD)}`,
      '--import',
      pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href,
      join(REPO_ROOT, options.entry ?? DEFAULT_ENTRY),
    ],
    { cwd: options.cwd ?? REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const chunks: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk));
  const output = (): string => chunks.join('');

  let gone = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      gone = true;
      resolve({ code, signal });
    });
    // A spawn failure emits 'error' and maybe never 'exit'; it still means there is no App.
    child.once('error', (error) => {
      chunks.push(`\n[startApp] ${String(error)}\n`);
      gone = true;
      resolve({ code: null, signal: null });
    });
  });
  // A crashed or interrupted test run must not leave an App holding its port.
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));

  const stop = async (): Promise<void> => {
    if (!gone) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
  };

  try {
    if (options.readyLine) await waitForLine(options.readyLine, output, () => gone);
    else await waitForPing(url, () => gone);
  } catch (error) {
    await stop();
    const tail = output().slice(-4000) || '(nothing)';
    throw new Error(`${(error as Error).message}\nThe App's output ended with:\n${tail}`, {
      cause: error,
    });
  }

  return {
    url,
    webhookUrl: `${url}/api/github/webhooks`,
    secret,
    output,
    stop,
    kill: () => void child.kill('SIGKILL'),
    exited,
    pid: child.pid ?? 0,
  };
}

/** Polls `/ping` until 200; gives up at once when the process has already exited. */
async function waitForPing(url: string, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`the App exited before ${url}/ping answered`);
    try {
      const response = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(1_000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the App did not answer ${url}/ping with 200 within ${START_TIMEOUT_MS} ms`);
}

/** Polls the output until `line` matches; gives up at once when the process has exited. */
async function waitForLine(
  line: RegExp,
  output: () => string,
  exited: () => boolean,
): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (line.test(output())) return;
    if (exited()) throw new Error(`the App exited before printing ${String(line)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the App did not print ${String(line)} within ${START_TIMEOUT_MS} ms`);
}

/**
 * Waits until the App has accepted at least `deliveries` deliveries in all (when given) and
 * finished all the background work they caused: the moment to assert that nothing happened.
 */
export async function settled(
  app: Pick<AppProcess, 'url' | 'output'>,
  deliveries?: number,
  timeoutMs = 60_000,
): Promise<{ deliveries: number; finished: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const response = await fetch(`${app.url}/api/test/settled`);
    last = await response.text();
    const state = JSON.parse(last) as { deliveries: number; pending: number; finished: number };
    if (state.pending === 0 && (deliveries === undefined || state.deliveries >= deliveries)) {
      return state;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(
    `the App did not settle within ${timeoutMs} ms (last: ${last})\n${app.output().slice(-3000)}`,
  );
}

/** How many deliveries the App has accepted so far (redeliveries and refusals are not counted). */
export async function acceptedDeliveries(app: Pick<AppProcess, 'url'>): Promise<number> {
  const response = await fetch(`${app.url}/api/test/settled`);
  return ((await response.json()) as { deliveries: number }).deliveries;
}

export interface DeliverOptions {
  deliveryId?: string;
  /** Sign the payload, then send different bytes: the App must reject it unhandled. */
  tamper?: boolean;
}

/** Delivers a webhook to the App as GitHub does (signed with its secret, GitHub's headers). */
export async function deliver(
  app: Pick<AppProcess, 'webhookUrl' | 'secret'>,
  event: string,
  payload: object,
  options: DeliverOptions = {},
): Promise<{ status: number; body: string }> {
  const id = options.deliveryId === undefined ? {} : { deliveryId: options.deliveryId };
  if (!options.tamper) {
    return sendWebhook(app.webhookUrl, { event, payload, secret: app.secret, ...id });
  }
  // Same event, one field more: valid JSON a handler would act on, under the original's signature.
  const signed = JSON.stringify(payload);
  const sent = JSON.stringify({ ...payload, tampered: true });
  return sendWebhook(app.webhookUrl, {
    event,
    payload: sent,
    secret: app.secret,
    signature: signWebhook(signed, app.secret),
    ...id,
  });
}
