import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { errorMessage } from '../../core/errors.js';
import { runDelivery } from '../queue/delivery-scope.js';
import { tellGaveUp } from '../queue/give-up.js';
import { SWEEP_EVENT } from '../queue/queue-mode.js';
import { queuedReceiver } from '../queue/queued-receiver.js';
import type { SweepReport } from '../sweep/sweep-types.js';
import type { Sweeper, SweepOutcome } from '../sweep/sweeper.js';
import { lazyValue } from './lazy-value.js';
import type {
  BatchResult,
  HttpRequestEvent,
  HttpResult,
  ScheduledEvent,
  SqsEvent,
} from './lambda-events.js';
import { buildRuntime, requireQueue, type LambdaRuntime } from './lambda-runtime.js';
import { workBatch } from './sqs-batch.js';
import { answer, readWebhookRequest } from './webhook-request.js';

/**
 * GitHub counts a delivery as failed after 10 s. Past this the webhook answers 503 rather than
 * let GitHub time out: GitHub's redelivery of the same id is then dropped by SQS's deduplication
 * if the first send did land after all.
 */
export const ENQUEUE_DEADLINE_MS = 8_000;

export interface LambdaHandlers {
  /** Function URL / API Gateway HTTP API (payload 2.0): verify, queue, answer 202. */
  readonly webhook: (event: HttpRequestEvent) => Promise<HttpResult>;
  /** SQS event source with ReportBatchItemFailures: run each record's work, name the failed. */
  readonly worker: (event: SqsEvent) => Promise<BatchResult>;
  /** EventBridge Scheduler or rule: one sweep, its report returned. */
  readonly sweep: (event?: ScheduledEvent) => Promise<SweepReport>;
}

/**
 * The three handlers over one runtime, built from `env` on the first invocation and kept for the
 * container's life. A settings error is thrown on every invocation, naming the variable, so the
 * function's errors and logs say what to fix.
 */
export function lambdaHandlers(env: Readonly<Record<string, string | undefined>>): LambdaHandlers {
  const runtime = lazyValue(() => buildRuntime(env));

  return {
    webhook: async (event) => {
      const built = await runtime();
      const receiver = queuedReceiver(built.probot.webhooks, requireQueue(built).work);
      const request = readWebhookRequest(event);
      if ('refused' in request) return request.refused;
      const { id, event: name, signature, body } = request;
      if (!(await receiver.verify(body, signature).catch(() => false))) {
        built.probot.log.warn(
          { delivery: id, event: name },
          'webhook refused: the signature does not match',
        );
        return answer(401, { error: 'signature does not match' });
      }
      let payload: unknown;
      try {
        payload = JSON.parse(body);
      } catch {
        return answer(400, { error: 'the body is not JSON' });
      }
      try {
        await withDeadline(
          receiver.receive({ id, name, payload } as EmitterWebhookEvent),
          ENQUEUE_DEADLINE_MS,
        );
      } catch (error) {
        built.probot.log.error(
          { delivery: id, event: name },
          `webhook not queued: ${errorMessage(error)}`,
        );
        return answer(503, { error: 'the delivery could not be queued; redeliver it' });
      }
      return answer(202, { ok: true });
    },

    worker: async (event) => {
      const built = await runtime();
      const queue = requireQueue(built);
      const max = await queue.maxReceiveCount().catch((error: unknown) => {
        built.log.warning(`queue: could not read its redrive policy: ${errorMessage(error)}`);
        return undefined;
      });
      const result = await workBatch(event.Records, {
        maxReceiveCount: max,
        work: async (delivery) => {
          if (delivery.name === SWEEP_EVENT) {
            // As a server replica does: a failed sweep is reported in its log, not retried.
            await sweepOnce(built.sweeper, 'queue');
            return;
          }
          await runDelivery(() => built.probot.webhooks.receive(delivery as EmitterWebhookEvent));
        },
        onGiveUp: (delivery, attempts) =>
          tellGaveUp((id) => built.probot.auth(id), delivery, attempts),
        retryAfter: (receipt, seconds) => queue.work.extend(receipt, seconds),
        log: built.log,
      });
      await settled(built);
      return result;
    },

    sweep: async () => {
      const built = await runtime();
      const outcome = await sweepOnce(built.sweeper, 'schedule');
      await settled(built);
      // A failed sweep fails the invocation, so the function's Errors metric and the
      // scheduler's retry policy see it.
      if ('failed' in outcome) throw new Error(`sweep failed: ${outcome.failed}`);
      return outcome;
    },
  };
}

/**
 * Lambda freezes the container once a handler returns: metrics still being sent would wait for
 * the next invocation, or be lost with the container.
 */
async function settled(built: LambdaRuntime): Promise<void> {
  await built.services.metrics.settled();
}

/** Starts a sweep or joins the one this container already runs (one left by a timed-out call). */
async function sweepOnce(sweeper: Sweeper, trigger: string): Promise<SweepOutcome> {
  const started = sweeper.start(trigger);
  if (!started) throw new Error('the sweeper is stopping');
  return started.run.done;
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`SQS did not take it within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
