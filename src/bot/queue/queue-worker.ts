import { errorMessage } from '../../core/errors.js';
import type { QueuedDelivery, ReceivedDelivery, SqsWorkQueue } from './work-queue.js';

export interface WorkerOptions {
  /** How long a received message stays invisible; extended every third of it while work runs. */
  readonly visibilitySeconds: number;
  /** Long-poll wait per receive (SQS allows up to 20 s). */
  readonly waitSeconds?: number;
  /** Messages worked on at once (each of another PR: FIFO hands out one per group). */
  readonly concurrency?: number;
  readonly log: { info(message: string): void; warning(message: string): void };
  /** The last allowed attempt failed: SQS moves the message to the dead-letter queue next. */
  readonly onGiveUp?: (delivery: QueuedDelivery, attempts: number, error: unknown) => Promise<void>;
}

/**
 * Takes deliveries off the queue and works them, deleting each only when its work is done. A
 * crash or a kill leaves the message invisible until its timeout, then another replica takes it;
 * work is a reconcile, so a second run finishes or cleans up what the first left. On stop it
 * takes nothing more, lets running work finish within `graceMs`, and hands back the rest at once
 * (visibility 0) instead of making them wait out their timeout.
 */
export class QueueWorker {
  private running = false;
  private poll: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Map<string, Promise<void>>();
  private maxReceive: number | undefined;

  constructor(
    private readonly queue: SqsWorkQueue,
    private readonly work: (delivery: QueuedDelivery) => Promise<void>,
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.receiveLoop();
  }

  /** In flight now (for tests and shutdown). */
  get busy(): number {
    return this.inFlight.size;
  }

  async stop(graceMs = 20_000): Promise<void> {
    this.running = false;
    this.poll?.abort();
    await this.loop;
    const pending = [...this.inFlight.values()];
    const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), graceMs));
    const outcome = await Promise.race([Promise.allSettled(pending).then(() => 'done'), timer]);
    if (outcome === 'late') {
      // What has not finished goes back to the queue now: another replica takes it at once.
      await Promise.allSettled(
        [...this.inFlight.keys()].map((receipt) => this.queue.extend(receipt, 0)),
      );
    }
  }

  private async receiveLoop(): Promise<void> {
    try {
      this.maxReceive = await this.queue.maxReceiveCount();
    } catch (error) {
      this.options.log.warning(`queue: could not read its redrive policy: ${errorMessage(error)}`);
    }
    const concurrency = this.options.concurrency ?? 4;
    while (this.running) {
      if (this.inFlight.size >= concurrency) {
        await Promise.race(this.inFlight.values());
        continue;
      }
      this.poll = new AbortController();
      let received: ReceivedDelivery[];
      try {
        received = await this.queue.receive(
          {
            waitSeconds: this.options.waitSeconds ?? 20,
            visibilitySeconds: this.options.visibilitySeconds,
            max: Math.min(10, concurrency - this.inFlight.size),
          },
          this.poll.signal,
        );
      } catch (error) {
        if (!this.running) break;
        this.options.log.warning(`queue: receive failed: ${errorMessage(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      for (const message of received) {
        if (!this.running) {
          void this.queue.extend(message.receipt, 0).catch(() => undefined);
          continue;
        }
        const done = this.handle(message).finally(() => this.inFlight.delete(message.receipt));
        this.inFlight.set(message.receipt, done);
      }
    }
  }

  private async handle(message: ReceivedDelivery): Promise<void> {
    const { delivery, receipt, receiveCount } = message;
    const seconds = this.options.visibilitySeconds;
    const heartbeat = setInterval(
      () => {
        this.queue.extend(receipt, seconds).catch((error: unknown) => {
          this.options.log.warning(
            `queue: could not extend ${delivery.id}: ${errorMessage(error)}`,
          );
        });
      },
      Math.max(1_000, (seconds * 1_000) / 3),
    );
    try {
      await this.work(delivery);
      clearInterval(heartbeat);
      await this.queue.done(receipt);
    } catch (error) {
      clearInterval(heartbeat);
      const last = this.maxReceive !== undefined && receiveCount >= this.maxReceive;
      this.options.log.warning(
        `queue: delivery ${delivery.id} (${delivery.name}) failed on attempt ${receiveCount}${last ? ', the last' : ''}: ${errorMessage(error)}`,
      );
      if (last) await this.options.onGiveUp?.(delivery, receiveCount, error).catch(() => undefined);
      // Tried again once the backoff passes (SQS moves it to the dead-letter queue after the last).
      const backoff = Math.min(seconds, 2 ** Math.min(receiveCount, 8));
      await this.queue.extend(receipt, backoff).catch(() => undefined);
    }
  }
}
