import { createHmac } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Webhooks, type EmitterWebhookEvent } from '@octokit/webhooks';
import { DeliveryMemory } from '../../src/bot/http/delivery-memory.js';
import { webhookIntake } from '../../src/bot/http/webhook-intake.js';

const SECRET = 'unit-test-webhook-secret';
const webhooks = new Webhooks({ secret: SECRET });
const received: EmitterWebhookEvent[] = [];
const warnings: object[] = [];
const infos: object[] = [];
let intake: ReturnType<typeof webhookIntake>;
let server: Server;
let port: number;

beforeAll(async () => {
  intake = webhookIntake(
    {
      verify: (body, signature) => webhooks.verify(body, signature),
      receive: (event) => {
        received.push(event);
        return Promise.resolve();
      },
    },
    new DeliveryMemory(),
    { warn: (fields) => warnings.push(fields), info: (fields) => infos.push(fields) },
  );
  server = createServer((req, res) => {
    void intake(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end('not the intake');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
  warnings.length = 0;
  infos.length = 0;
});

const sign = (body: string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

interface Sent {
  method?: string;
  path?: string;
  headers?: Record<string, string | number>;
  body?: string;
}

/** One request over a real socket; the answer's status, allow header and JSON body. */
function send({ method = 'POST', path = '/api/github/webhooks', headers = {}, body = '' }: Sent) {
  return new Promise<{ status: number; allow?: string; body: unknown }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          ...(res.headers.allow !== undefined && { allow: res.headers.allow }),
          body: res.headers['content-type'] === 'application/json' ? JSON.parse(text) : text,
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

let deliveries = 0;
/** A delivery as GitHub sends it, each with a new id unless one is given. */
function delivery(body: string, change: Record<string, string | undefined> = {}): Sent {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': 'ping',
    'x-github-delivery': `delivery-${++deliveries}`,
    'x-hub-signature-256': sign(body),
  };
  for (const [name, value] of Object.entries(change)) {
    if (value === undefined) delete headers[name];
    else headers[name] = value;
  }
  return { headers, body };
}

const PING_PAYLOAD = { zen: 'Keep it logically awesome.', hook_id: 1 };
const PING = JSON.stringify(PING_PAYLOAD);

describe('POST /api/github/webhooks', () => {
  it('hands a signed delivery to the App once and answers 202', async () => {
    const sent = delivery(PING, { 'x-github-delivery': 'first-one' });
    const before = intake.accepted();
    expect(await send(sent)).toEqual({ status: 202, body: { ok: true } });
    expect(received).toEqual([{ id: 'first-one', name: 'ping', payload: PING_PAYLOAD }]);
    expect(intake.accepted()).toBe(before + 1);
  });

  it('acknowledges a redelivery of the same id and does nothing with it', async () => {
    const sent = delivery(PING, { 'x-github-delivery': 'twice' });
    expect((await send(sent)).status).toBe(202);
    const before = intake.accepted();
    expect(await send(sent)).toEqual({ status: 200, body: { ok: true, duplicate: true } });
    expect(received).toHaveLength(1);
    expect(intake.accepted()).toBe(before);
    expect(infos).toEqual([{ delivery: 'twice', event: 'ping' }]);
  });

  it.each<[string, Record<string, string | undefined>]>([
    ['no event name', { 'x-github-event': undefined }],
    ['an empty event name', { 'x-github-event': '' }],
    ['no delivery id', { 'x-github-delivery': undefined }],
    ['no signature', { 'x-hub-signature-256': undefined }],
  ])('refuses %s with 400 before reading the body', async (_case, change) => {
    expect(await send(delivery(PING, change))).toEqual({
      status: 400,
      body: { error: 'x-github-event, x-github-delivery and x-hub-signature-256 are required' },
    });
    expect(received).toEqual([]);
  });

  it.each<[string, string]>([
    ['signed with another secret', sign(PING, 'another-secret-of-some-length')],
    ['signed over another body', sign(`${PING} `)],
    ['with a signature that is not one', 'sha256=zz'],
  ])('refuses a delivery %s with 401, and burns no delivery id', async (_case, signature) => {
    const forged = delivery(PING, {
      'x-github-delivery': `forged-${_case}`,
      'x-hub-signature-256': signature,
    });
    expect(await send(forged)).toEqual({
      status: 401,
      body: { error: 'signature does not match' },
    });
    expect(received).toEqual([]);
    expect(warnings).toEqual([{ delivery: `forged-${_case}`, event: 'ping' }]);
    // GitHub's real delivery with that id still gets through.
    const real = delivery(PING, { 'x-github-delivery': `forged-${_case}` });
    expect((await send(real)).status).toBe(202);
  });

  it('refuses a signed body that is not JSON with 400', async () => {
    expect(await send(delivery('not json'))).toEqual({
      status: 400,
      body: { error: 'the body is not JSON' },
    });
    expect(received).toEqual([]);
  });

  it('refuses a declared length over 25 MB with 413 before reading it', async () => {
    const sent = delivery(PING, { 'content-length': String(25 * 1024 * 1024 + 1) });
    const answer = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/github/webhooks',
          headers: sent.headers,
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', (error) => (req.destroyed ? undefined : reject(error)));
      req.write(PING);
    });
    expect(answer).toBe(413);
    expect(received).toEqual([]);
  });

  it('refuses a chunked body (no declared length) once it passes 25 MB, with 413', async () => {
    const limit = 25 * 1024 * 1024;
    const body = `{"a":"${'x'.repeat(limit)}"}`;
    const sent = delivery(body, { 'transfer-encoding': 'chunked' });
    expect(await send(sent)).toEqual({
      status: 413,
      body: { error: `webhook bodies are at most ${limit} bytes` },
    });
    expect(received).toEqual([]);
  }, 30_000);

  it.each(['GET', 'PUT'])('answers %s with 405 and Allow: POST', async (method) => {
    expect(await send({ method })).toEqual({
      status: 405,
      allow: 'POST',
      body: { error: 'webhooks are POSTed' },
    });
  });

  it.each(['/api/github/webhooks/extra', '/', '/api/github'])(
    'leaves %s to the other handlers',
    async (path) => {
      expect(await send({ ...delivery(PING), path })).toEqual({
        status: 404,
        body: 'not the intake',
      });
      expect(received).toEqual([]);
    },
  );

  it('serves the path with a query string', async () => {
    expect((await send({ ...delivery(PING), path: '/api/github/webhooks?x=1' })).status).toBe(202);
  });
});
