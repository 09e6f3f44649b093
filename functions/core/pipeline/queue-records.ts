/**
 * The SQS records a Lambda event source mapping hands over, parsed with what the pipeline relies on:
 * the message id (to report a failure by), the body, the receipt handle (to send a waiting record
 * back), when SQS accepted it and how often it has been received.
 */
import * as z from 'zod/mini';
import { MalformedEventError } from '../errors.ts';
import '../zod-messages.ts';

const recordSchema = z.looseObject({
  messageId: z.string().check(z.minLength(1)),
  receiptHandle: z.string(),
  body: z.string(),
  eventSource: z.literal('aws:sqs'),
  attributes: z.looseObject({
    SentTimestamp: z.string().check(z.regex(/^\d+$/)),
    ApproximateReceiveCount: z.string().check(z.regex(/^\d+$/)),
  }),
});

/** What an SQS event source mapping with `ReportBatchItemFailures` reads back: the records to retry. */
export interface BatchItemFailures {
  readonly batchItemFailures: readonly { readonly itemIdentifier: string }[];
}

export interface QueueRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly sentAt: Date;
  readonly receiveCount: number;
}

/**
 * True for an SQS event (`Records` from `aws:sqs`), false for anything else, such as an EventBridge
 * event handed over directly (`steward invoke`).
 */
export function isQueueEvent(event: unknown): event is { Records: unknown[] } {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) &&
    records.some((r) => (r as { eventSource?: unknown } | null)?.eventSource === 'aws:sqs')
  );
}

/**
 * @example
 * const records = parseQueueRecords(event); // [{ messageId, body, sentAt, receiveCount, ... }]
 */
export function parseQueueRecords(event: { Records: unknown[] }): QueueRecord[] {
  return event.Records.map((raw, index) => {
    const parsed = recordSchema.safeParse(raw);
    if (!parsed.success) {
      const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      throw new MalformedEventError(`malformed SQS record ${index}: ${fields.join('; ')}`);
    }
    const { messageId, receiptHandle, body, attributes } = parsed.data;
    return {
      messageId,
      receiptHandle,
      body,
      sentAt: new Date(Number(attributes.SentTimestamp)),
      receiveCount: Number(attributes.ApproximateReceiveCount),
    };
  });
}
