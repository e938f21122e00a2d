import type { EmitterWebhookEvent } from '@octokit/webhooks';
import type { WebhookReceiver } from '../http/webhook-intake.js';
import { deliveryGroup, QUEUED_EVENTS } from './delivery-group.js';
import type { SqsWorkQueue } from './work-queue.js';

/**
 * The intake's receiver in queue mode: the signature is checked as before, then a delivery the App
 * acts on is only queued, and acknowledged once SQS holds it. Nothing runs in the request: a
 * replica killed right after answering GitHub loses nothing.
 */
export function queuedReceiver(
  webhooks: Pick<WebhookReceiver, 'verify'>,
  queue: SqsWorkQueue,
): WebhookReceiver {
  return {
    verify: (body, signature) => webhooks.verify(body, signature),
    async receive(event: EmitterWebhookEvent) {
      if (!QUEUED_EVENTS.has(event.name)) return;
      await queue.enqueue(
        { id: event.id, name: event.name, payload: event.payload },
        deliveryGroup(event.payload),
      );
    },
  };
}
