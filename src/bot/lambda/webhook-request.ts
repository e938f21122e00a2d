import { MAX_WEBHOOK_BYTES } from '../http/webhook-intake.js';
import type { HttpRequestEvent, HttpResult } from './lambda-events.js';

/** A delivery whose size and headers passed; its signature is checked next, over `body`. */
export interface WebhookRequest {
  readonly event: string;
  readonly id: string;
  readonly signature: string;
  /** The raw body as GitHub signed it (decoded when AWS base64-encoded it). */
  readonly body: string;
}

export function answer(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/**
 * The server intake's checks before the signature, in its order: the declared size, the headers
 * every GitHub delivery carries, then the size of the body itself. AWS has already read the body
 * (a function URL takes at most 6 MB), so the limit only keeps the same contract as the server.
 */
export function readWebhookRequest(
  request: HttpRequestEvent,
  limit = MAX_WEBHOOK_BYTES,
): WebhookRequest | { refused: HttpResult } {
  const method = request.requestContext?.http?.method;
  if (method !== undefined && method.toUpperCase() !== 'POST') {
    return { refused: { ...answer(405, { error: 'webhooks are POSTed' }), headers: allowPost } };
  }
  const headers = lowerCased(request.headers ?? {});
  if (Number(headers['content-length'] ?? Number.NaN) > limit) return { refused: tooLarge(limit) };
  const event = headers['x-github-event'];
  const id = headers['x-github-delivery'];
  const signature = headers['x-hub-signature-256'];
  if (!event || !id || !signature) {
    return {
      refused: answer(400, {
        error: 'x-github-event, x-github-delivery and x-hub-signature-256 are required',
      }),
    };
  }
  const raw = request.body ?? '';
  const bytes = request.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > limit) return { refused: tooLarge(limit) };
  return { event, id, signature, body: bytes.toString('utf8') };
}

const allowPost = { 'content-type': 'application/json', allow: 'POST' };

function tooLarge(limit: number): HttpResult {
  return answer(413, { error: `webhook bodies are at most ${limit} bytes` });
}

/**
 * Payload 2.0 already lower-cases header names; an API Gateway REST (1.0) proxy in front does not,
 * and a delivery must not be refused for its spelling.
 */
function lowerCased(
  headers: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value) out[name.toLowerCase()] = value;
  }
  return out;
}
