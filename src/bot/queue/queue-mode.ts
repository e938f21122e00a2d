import { SQSClient } from '@aws-sdk/client-sqs';
import type { EmitterWebhookEvent } from '@octokit/webhooks';
import { awsHttpTimeouts } from '../../core/aws/http-timeouts.js';
import type { QueueSettings } from '../app-settings.js';
import type { GitHubApi } from '../github-api.js';
import type { ReadinessCheck } from '../http/readiness.js';
import type { WebhookReceiver } from '../http/webhook-intake.js';
import type { Sweeper } from '../sweep/sweeper.js';
import { installationApi } from '../health/installation-api.js';
import { parseStoppedTaskEvent } from '../health/task-state-event.js';
import { runDelivery } from './delivery-scope.js';
import { tellGaveUp } from './give-up.js';
import { QueueWorker } from './queue-worker.js';
import { queuedReceiver } from './queued-receiver.js';
import { SqsWorkQueue } from './work-queue.js';

/** The queue message that asks one replica to sweep; its group `sweep` holds one at a time. */
export const SWEEP_EVENT = 'ecs-paas.sweep';

export interface QueueMode {
  /** The intake's receiver: verify, queue, acknowledge. */
  readonly receiver: WebhookReceiver;
  readonly check: ReadinessCheck;
  /** Queues one sweep per interval slot; replicas asking for the same slot are one message. */
  sweepEvery(intervalMs: number): void;
  /** Stops taking work, finishes or hands back what runs (see QueueWorker.stop). */
  stop(): Promise<void>;
}

interface Webhooks {
  verify(body: string, signature: string): Promise<boolean>;
  receive(event: EmitterWebhookEvent): Promise<void>;
}

/**
 * ECS_PAAS_QUEUE_URL: deliveries go through an SQS FIFO queue and any replica (this one among
 * them) works them. The sweep is asked for through the same queue, so however many replicas run,
 * one sweeps at a time.
 */
export function startQueueMode(
  settings: QueueSettings,
  region: string,
  webhooks: Webhooks,
  auth: (installationId?: number) => Promise<GitHubApi>,
  sweeper: () => Sweeper | undefined,
  log: { info(message: string): void; warning(message: string): void },
): QueueMode {
  const sqs = new SQSClient({ region, requestHandler: awsHttpTimeouts(process.env) });
  const queue = new SqsWorkQueue(sqs, settings.url);
  const worker = new QueueWorker(
    queue,
    async (delivery) => {
      if (delivery.name === SWEEP_EVENT) {
        const started = sweeper()?.start('interval');
        await started?.run.done;
        return;
      }
      // EventBridge's "ECS Task State Change" for a preview task that stopped (deploy/cloudformation).
      const stopped = parseStoppedTaskEvent(delivery);
      if (stopped) {
        const worker = sweeper();
        if (!worker) throw new Error('the App is not ready to handle a stopped task yet');
        const outcome = await worker.noticeStopped(
          stopped.clusterArn,
          stopped.taskArn,
          installationApi(auth),
        );
        log.info(`queue: stopped task ${stopped.taskArn.split('/').pop() ?? ''}: ${outcome.kind}`);
        return;
      }
      await runDelivery(() => webhooks.receive(delivery as EmitterWebhookEvent));
    },
    {
      visibilitySeconds: settings.visibilitySeconds,
      waitSeconds: settings.waitSeconds,
      log,
      onGiveUp: (delivery, attempts) => tellGaveUp((id) => auth(id), delivery, attempts),
    },
  );
  worker.start();
  let timers: Array<ReturnType<typeof setTimeout>> = [];
  return {
    receiver: queuedReceiver(webhooks, queue),
    check: { name: 'queue', probe: (signal) => queue.probe(signal) },
    sweepEvery(intervalMs) {
      const tick = (): void => {
        const slot = Math.floor(Date.now() / intervalMs);
        queue
          .enqueue({ id: `sweep-${intervalMs}-${slot}`, name: SWEEP_EVENT, payload: {} }, 'sweep')
          .catch((error: unknown) =>
            log.warning(`queue: could not ask for a sweep: ${String(error)}`),
          );
      };
      const first = setTimeout(tick, Math.min(intervalMs, 30_000));
      const repeat = setInterval(tick, intervalMs);
      first.unref();
      repeat.unref();
      timers = [first, repeat];
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await worker.stop();
      sqs.destroy();
    },
  };
}
