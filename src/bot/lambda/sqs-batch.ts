import { errorMessage } from '../../core/errors.js';
import type { QueuedDelivery } from '../queue/work-queue.js';
import type { BatchResult, SqsRecord } from './lambda-events.js';

export interface BatchOptions {
  /** Runs one delivery to the end; rejects when its work failed. */
  readonly work: (delivery: QueuedDelivery) => Promise<void>;
  /** The queue's redrive maxReceiveCount; undefined when it has no dead-letter queue (or unread). */
  readonly maxReceiveCount: number | undefined;
  /** The last attempt failed: SQS moves the message to the dead-letter queue on its next receive. */
  readonly onGiveUp: (delivery: QueuedDelivery, attempts: number) => Promise<void>;
  /** Makes a failed message visible again after `seconds` instead of the queue's whole timeout. */
  readonly retryAfter: (receiptHandle: string, seconds: number) => Promise<void>;
  readonly log: { warning(message: string): void };
}

/**
 * Works an SQS event source batch one record at a time, in the order given, and names the
 * records SQS must keep (ReportBatchItemFailures); the event source deletes the rest.
 *
 * A FIFO batch can hold several messages of one group (one PR). Once one of them fails, the later
 * ones of that group are kept without being run: run and deleted, they would overtake the failed
 * one, which SQS then hands out again after them. Other groups carry on. A record failing on its
 * last attempt no longer holds its group: it goes to the dead-letter queue, so what comes after
 * it is next in line and is run now rather than following it there untried.
 */
export async function workBatch(
  records: readonly SqsRecord[],
  options: BatchOptions,
): Promise<BatchResult> {
  const failed: string[] = [];
  /** Groups held back by a failed record, with the wait that record was given. */
  const held = new Map<string, number>();
  const keep = (record: SqsRecord, seconds: number): Promise<void> => {
    failed.push(record.messageId);
    return options.retryAfter(record.receiptHandle, seconds).catch((error: unknown) => {
      options.log.warning(
        `queue: could not reschedule ${record.messageId}: ${errorMessage(error)}`,
      );
    });
  };
  for (const record of records) {
    const group = record.attributes.MessageGroupId;
    const attempts = Number(record.attributes.ApproximateReceiveCount ?? '1') || 1;
    const last = options.maxReceiveCount !== undefined && attempts >= options.maxReceiveCount;
    const wait = group === undefined ? undefined : held.get(group);
    // A record on its last attempt is run even so: held, it would reach the dead-letter queue untried.
    if (wait !== undefined && !last) {
      await keep(record, wait);
      continue;
    }
    let delivery: QueuedDelivery | undefined;
    try {
      delivery = parseDelivery(record.body);
      await options.work(delivery);
    } catch (error) {
      options.log.warning(
        `queue: message ${record.messageId} (${delivery ? `${delivery.name} ${delivery.id}` : 'unreadable'}) failed on attempt ${attempts}${last ? ', the last' : ''}: ${errorMessage(error)}`,
      );
      if (last && delivery) {
        await options.onGiveUp(delivery, attempts).catch((told: unknown) => {
          options.log.warning(`queue: could not tell the PR: ${errorMessage(told)}`);
        });
      }
      const seconds = backoffSeconds(attempts);
      if (group !== undefined && !last) held.set(group, seconds);
      await keep(record, seconds);
    }
  }
  return { batchItemFailures: failed.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** As the server's worker backs off: 2 s, 4 s, 8 s… up to about four minutes. */
export function backoffSeconds(attempts: number): number {
  return 2 ** Math.min(Math.max(attempts, 1), 8);
}

/**
 * A message body as SqsWorkQueue.enqueue writes it. One that is not is failed like any other
 * work, so after maxReceiveCount it waits in the dead-letter queue for the operator.
 */
function parseDelivery(body: string): QueuedDelivery {
  const value = JSON.parse(body) as Partial<QueuedDelivery> | null;
  if (
    !value ||
    typeof value.id !== 'string' ||
    typeof value.name !== 'string' ||
    !('payload' in value)
  ) {
    throw new Error('the message is not a queued delivery (id, name, payload)');
  }
  return { id: value.id, name: value.name, payload: value.payload };
}
