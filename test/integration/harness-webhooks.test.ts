import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { Webhooks, createNodeMiddleware } from '@octokit/webhooks';
import type { WebhookDefinition } from '@octokit/webhooks-examples';
import { sendWebhook, signWebhook } from '../support/webhooks.js';

const SECRET = 'harness-secret';
// The package is a bare JSON file whose typings describe it as an ES default export, which it is not.
const definitions = createRequire(import.meta.url)(
  '@octokit/webhooks-examples',
) as WebhookDefinition[];

const pullRequestOpened = definitions
  .find((definition) => definition.name === 'pull_request')
  ?.examples.find((example) => 'action' in example && example.action === 'opened');
if (!pullRequestOpened)
  throw new Error('@octokit/webhooks-examples has no pull_request opened example');
const body = JSON.stringify(pullRequestOpened);
const tampered = body.replace('"action":"opened"', '"action":"closed"');

const received: string[] = [];
let server: Server;
let url: string;

beforeAll(async () => {
  const webhooks = new Webhooks({ secret: SECRET });
  webhooks.on('pull_request', ({ id, payload }) => {
    received.push(`${id}:${payload.action}`);
  });
  // The middleware logs every rejected delivery; the assertions below already cover them.
  const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
  const middleware = createNodeMiddleware(webhooks, { path: '/webhooks', log: quiet });
  server = createServer((request, response) => void middleware(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

test('a signature verifies only for the exact body and secret', async () => {
  const webhooks = new Webhooks({ secret: SECRET });
  const signature = signWebhook(body, SECRET);

  expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
  expect(tampered).not.toBe(body);
  await expect(webhooks.verify(body, signature)).resolves.toBe(true);
  await expect(webhooks.verify(tampered, signature)).resolves.toBe(false);
  await expect(webhooks.verify(body, signWebhook(body, 'wrong-secret'))).resolves.toBe(false);
});

test('a signed delivery is accepted and handled; a tampered one is rejected unhandled', async () => {
  const accepted = await sendWebhook(url, {
    event: 'pull_request',
    payload: pullRequestOpened,
    secret: SECRET,
    deliveryId: 'signed',
  });
  const rejected = await sendWebhook(url, {
    event: 'pull_request',
    payload: tampered,
    secret: SECRET,
    deliveryId: 'tampered',
    signature: signWebhook(body, SECRET),
  });
  const wrongSecret = await sendWebhook(url, {
    event: 'pull_request',
    payload: pullRequestOpened,
    secret: 'wrong-secret',
    deliveryId: 'wrong-secret',
  });

  expect(accepted.status).toBe(200);
  expect(rejected.status).toBeGreaterThanOrEqual(400);
  expect(rejected.status).toBeLessThan(500);
  expect(wrongSecret.status).toBe(rejected.status);
  expect(received).toEqual(['signed:opened']);
});
