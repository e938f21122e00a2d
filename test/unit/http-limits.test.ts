import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DeliveryMemory } from '../../src/bot/http/delivery-memory.js';
import { readBounded, reply, type BodyRead } from '../../src/bot/http/respond.js';
import { ReplyLimiter } from '../../src/bot/reply-limiter.js';

describe('DeliveryMemory: a delivery id is handled once', () => {
  it('accepts an id the first time only', () => {
    const memory = new DeliveryMemory();
    expect([memory.remember('a'), memory.remember('b'), memory.remember('a')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(memory.size).toBe(2);
  });

  it('forgets the oldest ids beyond its capacity, and only those', () => {
    const memory = new DeliveryMemory(3);
    for (const id of ['1', '2', '3', '4']) expect(memory.remember(id)).toBe(true);
    expect(memory.size).toBe(3);
    expect(memory.remember('4')).toBe(false);
    expect(memory.remember('2')).toBe(false);
    expect(memory.remember('1')).toBe(true);
  });

  it('holds 10,000 ids by default', () => {
    const memory = new DeliveryMemory();
    for (let i = 0; i <= 10_000; i++) memory.remember(`id-${i}`);
    expect(memory.size).toBe(10_000);
    expect(memory.remember('id-1')).toBe(false);
    expect(memory.remember('id-0')).toBe(true);
  });
});

describe('ReplyLimiter: at most `limit` replies per key in a sliding window', () => {
  it('allows five replies a minute by default, then refuses until the first leaves the window', () => {
    const limiter = new ReplyLimiter();
    const taken = [0, 1_000, 2_000, 3_000, 4_000, 5_000].map((t) => limiter.take('ana#1', t));
    expect(taken).toEqual([true, true, true, true, true, false]);
    expect(limiter.take('bo#1', 5_000)).toBe(true);
    expect(limiter.take('ana#1', 59_999)).toBe(false);
    expect(limiter.take('ana#1', 60_000)).toBe(true);
    expect(limiter.take('ana#1', 60_001)).toBe(false);
  });

  it('drops keys whose replies all left the window', () => {
    const limiter = new ReplyLimiter(2, 1_000);
    limiter.take('a', 0);
    limiter.take('b', 500);
    expect(limiter.size).toBe(2);
    expect(limiter.take('c', 1_000)).toBe(true);
    expect(limiter.size).toBe(2);
    expect(limiter.take('c', 1_400)).toBe(true);
    expect(limiter.take('c', 1_500)).toBe(false);
    expect(limiter.take('b', 1_500)).toBe(true);
    expect(limiter.take('b', 1_500)).toBe(true);
    expect(limiter.take('b', 1_500)).toBe(false);
  });

  it('counts only replies it allowed', () => {
    const limiter = new ReplyLimiter(1, 1_000);
    expect(limiter.take('a', 0)).toBe(true);
    expect(limiter.take('a', 900)).toBe(false);
    expect(limiter.take('a', 1_000)).toBe(true);
  });
});

describe('readBounded and reply, over a real socket', () => {
  const LIMIT = 10;
  let server: Server;
  let port: number;
  const reads: BodyRead[] = [];
  // Signals from the server side, so a test waits for what happened rather than for a time.
  let onFirstChunk: (() => void) | undefined;
  let onRead: (() => void) | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.once('data', () => onFirstChunk?.());
      void readBounded(req, LIMIT).then((read) => {
        reads.push(read);
        onRead?.();
        if ('body' in read) reply(res, 200, { body: read.body }, { 'x-limit': String(LIMIT) });
        else reply(res, 413, { refused: read.refused });
        // A second answer is never written over the first.
        reply(res, 500, { error: 'twice' });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = (chunks: string[]) =>
    new Promise<{ status: number; type?: string; limit?: string; body: unknown }>(
      (resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST' }, (res) => {
          const parts: Buffer[] = [];
          res.on('data', (chunk: Buffer) => parts.push(chunk));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              ...(res.headers['content-type'] && { type: res.headers['content-type'] }),
              ...(typeof res.headers['x-limit'] === 'string' && { limit: res.headers['x-limit'] }),
              body: JSON.parse(Buffer.concat(parts).toString('utf8')),
            }),
          );
        });
        req.on('error', reject);
        for (const chunk of chunks) req.write(chunk);
        req.end();
      },
    );

  it.each<[string, string[], object]>([
    ['an empty body', [], { status: 200, body: { body: '' } }],
    [
      'a body of exactly the limit, in pieces',
      ['héllo', 'wor'],
      { status: 200, body: { body: 'héllowor' } },
    ],
    [
      'a body one byte over the limit',
      ['0123456789', 'x'],
      { status: 413, body: { refused: 'too-large' } },
    ],
  ])('%s', async (_case, chunks, expected) => {
    const answer = await post(chunks);
    expect(answer).toMatchObject(expected);
    expect(answer.type).toBe('application/json');
    if (answer.status === 200) expect(answer.limit).toBe('10');
  });

  it('gives up on a request whose sender goes away', async () => {
    reads.length = 0;
    const read = new Promise<void>((resolve) => (onRead = resolve));
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      headers: { 'content-length': '5' },
    });
    req.on('error', () => undefined);
    // The sender leaves once the server has 2 of its 5 bytes.
    onFirstChunk = () => req.destroy();
    req.write('ab');
    await read;
    onFirstChunk = undefined;
    onRead = undefined;
    expect(reads).toEqual([{ refused: 'aborted' }]);
  });
});
