import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import type { DeliveryMemory } from './delivery-memory.js';
import { readBounded, reply } from './respond.js';

/** GitHub caps webhook payloads at 25 MB; anything larger is not from GitHub. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;
export const WEBHOOK_PATH = '/api/github/webhooks';

export interface WebhookReceiver {
  verify(body: string, signature: string): Promise<boolean>;
  receive(event: EmitterWebhookEvent): Promise<void>;
}

export interface IntakeLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * `POST /api/github/webhooks`, in the order that spends least on a stranger: the declared size
 * (413 before a byte is read), the headers every GitHub delivery carries, then the body read up to
 * 25 MB, the signature over it, and only then the delivery id, so an unsigned request cannot
 * burn an id GitHub will use. A delivery id is handled once; a redelivery is acknowledged only.
 */
export function webhookIntake(
  receiver: WebhookReceiver,
  deliveries: DeliveryMemory,
  log: IntakeLog,
) {
  let accepted = 0;
  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== WEBHOOK_PATH) return false;
    if (req.method !== 'POST') {
      reply(res, 405, { error: 'webhooks are POSTed' }, { allow: 'POST' });
      return true;
    }
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > MAX_WEBHOOK_BYTES) {
      refuseTooLarge(req, res);
      return true;
    }
    const event = header(req, 'x-github-event');
    const id = header(req, 'x-github-delivery');
    const signature = header(req, 'x-hub-signature-256');
    if (!event || !id || !signature) {
      reply(res, 400, {
        error: 'x-github-event, x-github-delivery and x-hub-signature-256 are required',
      });
      req.resume();
      return true;
    }
    const read = await readBounded(req, MAX_WEBHOOK_BYTES);
    if ('refused' in read) {
      if (read.refused === 'too-large') refuseTooLarge(req, res);
      return true;
    }
    const { body } = read;
    if (!(await receiver.verify(body, signature).catch(() => false))) {
      log.warn({ delivery: id, event }, 'webhook refused: the signature does not match');
      reply(res, 401, { error: 'signature does not match' });
      return true;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      reply(res, 400, { error: 'the body is not JSON' });
      return true;
    }
    if (!deliveries.remember(id)) {
      log.info({ delivery: id, event }, 'delivery already handled: acknowledged, nothing done');
      reply(res, 200, { ok: true, duplicate: true });
      return true;
    }
    accepted++;
    await receiver.receive({ id, name: event, payload } as EmitterWebhookEvent);
    reply(res, 202, { ok: true });
    return true;
  };
  return Object.assign(handler, { accepted: () => accepted });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * 413 at once; the rest of the body is read and thrown away (never held), so the sender gets the
 * answer instead of a reset, and the request timeout still ends a sender that never stops.
 */
function refuseTooLarge(req: IncomingMessage, res: ServerResponse): void {
  reply(res, 413, { error: `webhook bodies are at most ${MAX_WEBHOOK_BYTES} bytes` });
  req.resume();
}
