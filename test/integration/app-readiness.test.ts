import { createPublicKey, verify } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { APP_ID, APP_PUBLIC_KEY, startApp, type AppProcess } from '../support/app-process.js';
import { eventually } from '../support/eventually.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startGitHubApi, type GitHubApi, type GitHubRequest } from '../support/github.js';
import { startMoto, type Moto } from '../support/moto.js';
import { freePort } from '../support/ports.js';

// The App's defaults (src/bot/http/readiness.ts): each check's deadline and how long one
// evaluation answers every probe. A changed dependency shows after at most the cache window.
const DEADLINE_MS = 3_000;
const CACHE_MS = 5_000;
const CHANGE_SHOWS_WITHIN_MS = CACHE_MS + DEADLINE_MS + 5_000;

let moto: Moto;
let proxy: FaultProxy;
let api: GitHubApi;
let app: AppProcess;

interface Probe {
  status: number;
  body: { ready: boolean; checks: Record<string, string> };
  ms: number;
}

async function readyz(target: Pick<AppProcess, 'url'> = app): Promise<Probe> {
  const started = performance.now();
  // Longer than any check's deadline: a probe that takes this long has hung.
  const response = await fetch(`${target.url}/readyz`, {
    signal: AbortSignal.timeout(DEADLINE_MS + 2_000),
  });
  const body = (await response.json()) as Probe['body'];
  return { status: response.status, body, ms: performance.now() - started };
}

async function healthz(target: Pick<AppProcess, 'url'> = app): Promise<number> {
  return (await fetch(`${target.url}/healthz`, { signal: AbortSignal.timeout(2_000) })).status;
}

/** Polls /readyz until it answers `status`; every probe on the way must answer within its deadline. */
function readyzBecomes(
  status: number,
  target: Pick<AppProcess, 'url' | 'output'> = app,
): Promise<Probe> {
  return eventually(
    `/readyz answering ${status}`,
    async () => {
      const probe = await readyz(target);
      expect(probe.ms).toBeLessThan(DEADLINE_MS + 1_000);
      return probe.status === status ? probe : undefined;
    },
    { timeoutMs: CHANGE_SHOWS_WITHIN_MS, context: () => target.output().slice(-2000) },
  );
}

/** GitHub's `GET /app` as GitHub judges it: only a JWT signed with the App's key, for this App. */
function getApp(request: GitHubRequest): { status: number; body: unknown } {
  const [scheme, jwt = ''] = (request.headers.authorization ?? '').split(' ');
  const [header = '', payload = '', signature = ''] = jwt.split('.');
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey(APP_PUBLIC_KEY),
    Buffer.from(signature, 'base64url'),
  );
  const claims = signed
    ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown })
    : {};
  if (scheme?.toLowerCase() !== 'bearer' || !signed || String(claims.iss) !== String(APP_ID)) {
    return { status: 401, body: { message: 'A JSON web token could not be decoded' } };
  }
  return { status: 200, body: { id: APP_ID, slug: 'ecs-paas', name: 'ecs-paas' } };
}

const appCalls = (): number => api.requests.filter((r) => r.path === '/app').length;

beforeAll(async () => {
  moto = await startMoto();
  proxy = await startFaultProxy(moto.url);
  api = await startGitHubApi();
  app = await startApp({ githubUrl: api.url, awsEndpoint: proxy.url });
});

afterAll(async () => {
  await app?.stop();
  await Promise.allSettled([api?.stop(), proxy?.stop(), moto?.stop()]);
});

beforeEach(async () => {
  api.reset();
  api.on('GET /app', getApp);
  proxy.clear();
  proxy.resetCounts();
  // Every test starts from a ready App, whatever the one before it left behind.
  await readyzBecomes(200);
});

afterEach(() => {
  api.assertNoViolations();
});

describe('GET /readyz', () => {
  it("is ready when GitHub answers GET /app with the App's JWT and AWS answers with its credentials", async () => {
    const probe = await readyz();
    expect(probe.status).toBe(200);
    expect(probe.body).toEqual({ ready: true, checks: { github: 'ok', aws: 'ok' } });
    // The GitHub check really went through the handler that verifies the JWT, and AWS was asked.
    expect(api.requests.some((r) => r.path === '/app' && r.status === 200)).toBe(true);
    expect(proxy.counts()['ECS.ListClusters']).toBeGreaterThanOrEqual(1);
    expect(await healthz()).toBe(200);
  });

  it('answers a probe storm from one evaluation: one call to GitHub and one to AWS', async () => {
    // Past the window of the evaluation beforeEach saw, so the storm starts a fresh one.
    await sleep(CACHE_MS + 200);
    const before = appCalls();
    proxy.resetCounts();
    const storm = await Promise.all(Array.from({ length: 25 }, () => readyz()));
    expect(storm.map((p) => p.status)).toEqual(Array.from({ length: 25 }, () => 200));
    // …and probes right after it are answered from the same evaluation.
    for (let i = 0; i < 10; i++) expect((await readyz()).status).toBe(200);
    expect(appCalls() - before).toBe(1);
    expect(proxy.counts()['ECS.ListClusters']).toBe(1);
  });

  it('is 503 naming aws when AWS fails its calls, with /healthz 200 throughout; ready again after', async () => {
    proxy.inject('ECS.ListClusters', { kind: 'server-error', status: 503 }, 1_000);
    const failing = await readyzBecomes(503);
    expect(failing.body.ready).toBe(false);
    expect(failing.body.checks.github).toBe('ok');
    expect(failing.body.checks.aws).toMatch(/^ECS ListClusters failed: .*ServiceUnavailable/);
    expect(failing.body.checks.aws).not.toContain('\n');
    expect(await healthz()).toBe(200);
    // The operator hears of it once, in the App's log, with the same line.
    await eventually('the failure in the log', () =>
      app.output().includes(`not ready: aws: ${failing.body.checks.aws}`) ? true : undefined,
    );

    proxy.clear();
    await readyzBecomes(200);
    // The log line is written as the answer goes out; the App's stdout can trail it a little.
    await eventually('the recovery in the log', () =>
      app.output().includes('ready again: aws') ? true : undefined,
    );
  });

  it('is 503 within its deadline when AWS holds the call and never answers', async () => {
    proxy.inject('ECS.ListClusters', { kind: 'hold' }, 1_000);
    const failing = await readyzBecomes(503);
    expect(failing.body.checks).toEqual({
      github: 'ok',
      aws: `no answer within ${DEADLINE_MS} ms`,
    });
    expect(await healthz()).toBe(200);
  });

  it("is 503 naming github when GitHub refuses the App's JWT", async () => {
    api.on('GET /app', () => ({
      status: 401,
      body: { message: 'A JSON web token could not be decoded' },
    }));
    const failing = await readyzBecomes(503);
    expect(failing.body.checks).toEqual({
      github: 'GET /app answered 401: A JSON web token could not be decoded',
      aws: 'ok',
    });
    expect(await healthz()).toBe(200);
  });
});

describe('GET /readyz with GitHub unreachable', () => {
  let cut: AppProcess | undefined;

  afterEach(async () => {
    await cut?.stop();
  });

  it('is 503 naming github and why, while /healthz stays 200', async () => {
    // Nothing listens on this port: every connection is refused.
    const closed = `http://127.0.0.1:${await freePort()}`;
    cut = await startApp({ githubUrl: closed, awsEndpoint: proxy.url });
    expect(await healthz(cut)).toBe(200);
    const failing = await readyz(cut);
    expect(failing.status).toBe(503);
    expect(failing.body.checks.aws).toBe('ok');
    expect(failing.body.checks.github).toMatch(/^GET \/app failed: .*ECONNREFUSED/);
    expect(await healthz(cut)).toBe(200);
  });
});
