import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { withContext } from '../../core/errors.js';

/** A webhook delivery as the queue carries it: what Probot's `receive` takes. */
export interface QueuedDelivery {
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
}

export interface ReceivedDelivery {
  readonly delivery: QueuedDelivery;
  readonly receipt: string;
  /** How often SQS has handed this message out, this time included. */
  readonly receiveCount: number;
}

/**
 * The App's durable work on an SQS FIFO queue: one message group per PR keeps a PR's work in order
 * across replicas (SQS hands out the next message of a group only once the one before is
 * deleted), and the delivery id as deduplication id lets SQS itself drop GitHub's redeliveries
 * within its five-minute window.
 */
export class SqsWorkQueue {
  constructor(
    private readonly sqs: SQSClient,
    readonly url: string,
  ) {}

  async enqueue(delivery: QueuedDelivery, group: string): Promise<void> {
    try {
      await this.sqs.send(
        new SendMessageCommand({
          QueueUrl: this.url,
          MessageBody: JSON.stringify(delivery),
          MessageGroupId: group,
          MessageDeduplicationId: delivery.id.slice(0, 128),
        }),
      );
    } catch (error) {
      throw withContext(`Could not queue delivery ${delivery.id}`, error);
    }
  }

  /** Long-polls for up to `waitSeconds`; the messages stay invisible to others for `visibilitySeconds`. */
  async receive(
    options: { waitSeconds: number; visibilitySeconds: number; max: number },
    signal?: AbortSignal,
  ): Promise<ReceivedDelivery[]> {
    const { Messages = [] } = await this.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.url,
        MaxNumberOfMessages: options.max,
        WaitTimeSeconds: options.waitSeconds,
        VisibilityTimeout: options.visibilitySeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
      signal ? { abortSignal: signal } : {},
    );
    return Messages.flatMap((message) => {
      if (!message.Body || !message.ReceiptHandle) return [];
      let delivery: QueuedDelivery;
      try {
        delivery = JSON.parse(message.Body) as QueuedDelivery;
      } catch {
        return [];
      }
      return [
        {
          delivery,
          receipt: message.ReceiptHandle,
          receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? '1'),
        },
      ];
    });
  }

  /** Keeps a message invisible for `seconds` more: its work is still running. */
  async extend(receipt: string, seconds: number): Promise<void> {
    await this.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.url,
        ReceiptHandle: receipt,
        VisibilityTimeout: seconds,
      }),
    );
  }

  /** The work is done: the message never comes back. */
  async done(receipt: string): Promise<void> {
    await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.url, ReceiptHandle: receipt }));
  }

  /** How many receives the queue allows before SQS moves a message to its dead-letter queue. */
  async maxReceiveCount(): Promise<number | undefined> {
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.url, AttributeNames: ['RedrivePolicy'] }),
    );
    if (!Attributes.RedrivePolicy) return undefined;
    const policy = JSON.parse(Attributes.RedrivePolicy) as { maxReceiveCount?: number | string };
    const count = Number(policy.maxReceiveCount);
    return Number.isInteger(count) && count > 0 ? count : undefined;
  }

  /** For `/readyz`: the queue answers with these credentials. */
  async probe(signal: AbortSignal): Promise<void> {
    await this.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.url, AttributeNames: ['QueueArn'] }),
      { abortSignal: signal },
    );
  }
}
