import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  APP_PRIVATE_KEY,
  acceptedDeliveries,
  deliver,
  settled,
  startApp,
  type AppProcess,
} from '../support/app-process.js';
import { startGitHubApi, type GitHubApi } from '../support/github.js';
import { createGitHubWorld, type GitHubWorld } from '../support/github-world.js';
import { eventually } from '../support/eventually.js';
import { sendWebhook } from '../support/webhooks.js';

// These attacks need GitHub only: nothing reaches AWS, so its endpoint is a closed port.
const NO_AWS = 'http://127.0.0.1:9';
let api: GitHubApi;
let world: GitHubWorld;
let app: AppProcess;

beforeAll(async () => {
  api = await startGitHubApi();
  app = await startApp({
    githubUrl: api.url,
    awsEndpoint: NO_AWS,
    env: { ECS_PAAS_REQUEST_TIMEOUT: '2s' },
  });
});

afterAll(async () => {
  await app?.stop();
  await api?.stop();
});

beforeEach(() => {
  api.reset();
  world = createGitHubWorld(api, { owner: 'acme', repo: 'web', private: true });
  world.setPermission('triager', 'triage');
  world.addPull({ number: 1, sha: randomBytes(20).toString('hex') });
});

afterEach(async () => {
  await settled(app);
  api.assertNoViolations();
});

/** A delivery the App must act on: a triager's `/help`, answered with a reply comment. */
async function validDelivery(): Promise<void> {
  const help = world.addComment(1, '/help', { login: 'triager', type: 'User' });
  const response = await deliver(app, 'issue_comment', world.issueCommentEvent('created', help));
  expect(response.status).toBe(202);
  await eventually(
    'the /help reply',
    () => world.comments(1).some((c) => c.includes('/preview stop')) || undefined,
  );
}

/** Posts `bytes` of junk without a signature, declaring the length or chunked. */
function postJunk(url: string, bytes: number, declared: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-github-event': 'issue_comment',
          'x-github-delivery': randomBytes(8).toString('hex'),
          'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
          ...(declared ? { 'content-length': String(bytes) } : {}),
        },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    // The App may close the socket mid-body after answering; that is the point.
    req.on('error', (error: NodeJS.ErrnoException) =>
      ['EPIPE', 'ECONNRESET'].includes(error.code ?? '') ? undefined : reject(error),
    );
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    let sent = 0;
    const pump = (): void => {
      while (sent < bytes) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

function rssKb(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) =>
    Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0),
  );
}

describe('start-up: one path, never a default secret', () => {
  it('exits naming APP_ID when credentials are missing, even with a .env and a .pem beside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecs-paas-cwd-'));
    await writeFile(join(dir, 'attacker.pem'), APP_PRIVATE_KEY);
    await writeFile(
      join(dir, '.env'),
      `APP_ID=666\nPRIVATE_KEY_PATH=${join(dir, 'attacker.pem')}\nWEBHOOK_SECRET=development\n`,
    );
    await expect(
      startApp({
        githubUrl: api.url,
        awsEndpoint: NO_AWS,
        cwd: dir,
        env: { APP_ID: '', PRIVATE_KEY: '', WEBHOOK_SECRET: '' },
      }),
    ).rejects.toThrow(/APP_ID is not set/);
  });

  it.each([
    ['missing', '', /WEBHOOK_SECRET is not set/],
    ["Probot's public default", 'development', /WEBHOOK_SECRET is 11 characters.*at least 16/],
  ])('refuses a %s webhook secret', async (_what, secret, message) => {
    await expect(
      startApp({ githubUrl: api.url, awsEndpoint: NO_AWS, env: { WEBHOOK_SECRET: secret } }),
    ).rejects.toThrow(message);
  });

  it('refuses an API token shorter than 32 characters', async () => {
    await expect(
      startApp({
        githubUrl: api.url,
        awsEndpoint: NO_AWS,
        env: { ECS_PAAS_API_TOKEN: 'short-token' },
      }),
    ).rejects.toThrow(/ECS_PAAS_API_TOKEN is 11 characters; set it to at least 32/);
  });

  it('answers a delivery signed with the default secret "development" with 401 and does nothing', async () => {
    const comment = world.addComment(1, '/help', { login: 'triager', type: 'User' });
    const before = await acceptedDeliveries(app);
    const forged = await sendWebhook(app.webhookUrl, {
      event: 'issue_comment',
      payload: world.issueCommentEvent('created', comment),
      secret: 'development',
    });
    expect(forged.status).toBe(401);
    await settled(app);
    expect(await acceptedDeliveries(app)).toBe(before);
    expect(world.reactions).toEqual([]);
    expect(world.comments(1)).toHaveLength(1);
  });
});

describe('setup mode', () => {
  it('binds to 127.0.0.1 whatever HOST says, serves no webhooks and no import, and registers only through its own state', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecs-paas-setup-'));
    const setup = await startApp({
      githubUrl: api.url,
      awsEndpoint: NO_AWS,
      cwd: dir,
      readyLine: /open http:\/\/127\.0\.0\.1:\d+\//,
      env: {
        ECS_PAAS_SETUP: '1',
        HOST: '0.0.0.0',
        APP_ID: '',
        PRIVATE_KEY: '',
        ECS_PAAS_SETUP_DIR: dir,
      },
    });
    try {
      // Reachable on another address of this machine? It must not be.
      const external = Object.values(networkInterfaces())
        .flat()
        .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
      if (external) {
        const port = new URL(setup.url).port;
        const reached = await new Promise<boolean>((resolve) => {
          const socket = connect({ host: external, port: Number(port) });
          socket.once('connect', () => {
            socket.destroy();
            resolve(true);
          });
          socket.once('error', () => resolve(false));
        });
        expect(reached).toBe(false);
      }
      const hook = await sendWebhook(setup.webhookUrl, {
        event: 'ping',
        payload: { zen: 'hi' },
        secret: 'development',
      });
      expect(hook.status).toBe(404);
      const takeover = await fetch(`${setup.url}/probot/import`, {
        method: 'POST',
        body: JSON.stringify({ appId: 666, pem: 'x', webhook_secret: 'development' }),
      });
      expect(takeover.status).toBe(404);
      const forgedCallback = await fetch(`${setup.url}/setup/callback?code=abc&state=guess`, {
        redirect: 'manual',
      });
      expect(forgedCallback.status).toBe(400);
      expect(await readdir(dir)).toEqual([]);

      const page = await (await fetch(`${setup.url}/`)).text();
      const state = /state=([0-9a-f]+)/.exec(page)?.[1] ?? '';
      expect(page).toContain('redirect_url');
      const callback = await fetch(`${setup.url}/setup/callback?code=abc123&state=${state}`, {
        redirect: 'manual',
      });
      expect(callback.status).toBe(302);
      expect(api.requests.map((r) => `${r.method} ${r.path}`)).toContain(
        'POST /app-manifests/abc123/conversions',
      );
      const env = await readFile(join(dir, 'ecs-paas.env'), 'utf8');
      expect(env).toMatch(/^APP_ID=\d+$/m);
      expect(env).toMatch(/^PRIVATE_KEY_PATH=.*ecs-paas-app\.pem$/m);
      expect((await stat(join(dir, 'ecs-paas-app.pem'))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'ecs-paas.env'))).mode & 0o777).toBe(0o600);
      // The state is single-use: a replayed callback changes nothing.
      const replay = await fetch(`${setup.url}/setup/callback?code=abc123&state=${state}`, {
        redirect: 'manual',
      });
      expect(replay.status).toBe(400);
    } finally {
      await setup.stop();
    }
  });
});

describe('bounded webhook intake', () => {
  it('answers 413 to 30 MB bodies (declared or chunked) before buffering them, stays flat, and still serves', async () => {
    const before = await rssKb(app.pid);
    for (let i = 0; i < 3; i++) {
      expect(await postJunk(app.webhookUrl, 30 * 1024 * 1024, true)).toBe(413);
    }
    expect(await postJunk(app.webhookUrl, 30 * 1024 * 1024, false)).toBe(413);
    const after = await rssKb(app.pid);
    // 120 MB was sent; buffering it whole would show. A chunked body may be read up to the 25 MB
    // limit before it is refused, and under Node 24 the last one's chunks may not be collected yet
    // when RSS is read (41 MB was seen once against a 40 MB bound): 56 MB is under half of it.
    expect(after - before).toBeLessThan(56 * 1024);
    await validDelivery();
  });

  it('cuts off a sender that stalls in its headers or its body', async () => {
    const { port } = new URL(app.url);
    const stalled = (head: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const socket = connect({ host: '127.0.0.1', port: Number(port) });
        socket.once('connect', () => socket.write(head));
        socket.on('data', () => undefined);
        socket.once('close', () => resolve(Date.now() - started));
        socket.once('error', () => undefined);
        setTimeout(() => {
          socket.destroy();
          reject(new Error('the App kept a stalled connection open for 20 s'));
        }, 20_000).unref();
      });
    const headers = await stalled('POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\n');
    const body = await stalled(
      'POST /api/github/webhooks HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nx-github-event: ping\r\nx-github-delivery: 1\r\nx-hub-signature-256: sha256=00\r\n\r\n{"zen":',
    );
    // ECS_PAAS_REQUEST_TIMEOUT is 2 s here, checked every second.
    expect(headers).toBeLessThan(10_000);
    expect(body).toBeLessThan(10_000);
    await validDelivery();
  });

  it('handles a delivery id once: a redelivery is acknowledged and does nothing', async () => {
    const help = world.addComment(1, '/help', { login: 'triager', type: 'User' });
    const payload = world.issueCommentEvent('created', help);
    const deliveryId = randomBytes(8).toString('hex');
    expect((await deliver(app, 'issue_comment', payload, { deliveryId })).status).toBe(202);
    await settled(app);
    expect((await deliver(app, 'issue_comment', payload, { deliveryId })).status).toBe(200);
    await settled(app);
    expect(world.comments(1).filter((c) => c.includes('/preview stop'))).toHaveLength(1);
    expect(world.reactions.filter((r) => r.content === 'eyes')).toHaveLength(1);
  });
});
