import { createHmac, randomUUID } from 'node:crypto';

/** GitHub's `x-hub-signature-256` value for a raw body. */
export function signWebhook(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export interface WebhookDelivery {
  event: string;
  /** Sent as is when a string (to test tampered bytes), else serialized once and signed as sent. */
  payload: unknown;
  secret: string;
  deliveryId?: string;
  /** Overrides the computed signature, to test rejection. */
  signature?: string;
}

/** Delivers a webhook the way GitHub does: raw JSON body, signed, with GitHub's headers. */
export async function sendWebhook(
  url: string,
  delivery: WebhookDelivery,
): Promise<{ status: number; body: string }> {
  const body =
    typeof delivery.payload === 'string' ? delivery.payload : JSON.stringify(delivery.payload);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/ecs-paas-tests',
      'x-github-event': delivery.event,
      'x-github-delivery': delivery.deliveryId ?? randomUUID(),
      'x-hub-signature-256': delivery.signature ?? signWebhook(body, delivery.secret),
    },
    body,
  });
  return { status: response.status, body: await response.text() };
}
