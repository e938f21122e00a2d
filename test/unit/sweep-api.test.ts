import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sweepApi } from '../../src/bot/sweep/sweep-api.js';

const TOKEN = 'a'.repeat(20) + 'token-of-40-characters!';
let server: Server;
let url: string;

beforeAll(async () => {
  // Only status() is reached by these requests: GET, with or without the right token.
  const handler = sweepApi({ start: () => undefined, status: () => ({}) }, TOKEN);
  server = createServer((req, res) => {
    void handler(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/sweep`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const statusFor = async (authorization: string | undefined): Promise<number> =>
  (await fetch(url, { headers: authorization === undefined ? {} : { authorization } })).status;

describe('GET /api/sweep: the bearer token', () => {
  it('lets the configured token in', async () => {
    expect(await statusFor(`Bearer ${TOKEN}`)).toBe(200);
    expect(await statusFor(`bearer   ${TOKEN}  `)).toBe(200);
  });

  it.each([
    ['no header', undefined],
    ['another scheme', `Basic ${TOKEN}`],
    ['an empty token', 'Bearer '],
    ['a wrong token of the same length', `Bearer ${'b'.repeat(TOKEN.length)}`],
    ['a shorter token (a prefix of the right one)', `Bearer ${TOKEN.slice(0, 10)}`],
    ['a longer token (the right one and more)', `Bearer ${TOKEN}x`],
    ['a one-character token', 'Bearer a'],
  ])('refuses %s with 401, whatever its length', async (_case, authorization) => {
    expect(await statusFor(authorization)).toBe(401);
  });
});
