/**
 * The shapes AWS hands the Lambda handlers, reduced to the fields they read (the project carries
 * no `@types/aws-lambda`; these follow AWS's documented payloads).
 */

/** A Lambda function URL or API Gateway HTTP API request, payload format 2.0. */
export interface HttpRequestEvent {
  /** Lower-cased by AWS; a comma-joined value when a header was repeated. */
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string;
  /** Set when AWS could not pass the body as text and base64-encoded it. */
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly http?: { readonly method?: string } };
}

export interface HttpResult {
  readonly statusCode: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** One message of an SQS event source batch. */
export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: {
    readonly ApproximateReceiveCount?: string;
    /** FIFO queues only. */
    readonly MessageGroupId?: string;
  };
  readonly eventSourceARN?: string;
}

export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

/** ReportBatchItemFailures: SQS keeps only these messages; the rest of the batch is deleted. */
export interface BatchResult {
  readonly batchItemFailures: Array<{ readonly itemIdentifier: string }>;
}

/** An EventBridge Scheduler or Events rule invocation; its content is not read. */
export type ScheduledEvent = unknown;
