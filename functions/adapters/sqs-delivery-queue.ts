/**
 * The `DeliveryQueue` port on an SQS FIFO queue: one message group per (service, environment), so
 * SQS hands a group's requests to one consumer at a time, in order. Each message's deduplication id
 * is new: the SDK's retries of one call resend the same id (one message stored), but a later send of
 * the same request is stored again. SQS drops a repeated id for five minutes even after the first
 * message was received and deleted, and a request asked again may ask for a newer state than the
 * one already composed (a duplicate request costs one ListDeployments: covered, or unchanged).
 * Also sends a consumer's waiting records back with a visibility timeout of its choosing.
 */
import { randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { type DeliveryRequest, messageGroupOf } from '../core/delivery/requests.ts';
import type { DeliveryQueue, RetryLater } from '../ports/delivery-queue.ts';
import { DeliveryQueueError } from '../ports/delivery-queue.errors.ts';

/** SQS takes at most ten entries per batch call. */
const BATCH = 10;

/**
 * @example
 * const queue = new SqsDeliveryQueue(new SQSClient({}), process.env.STEWARD_DELIVERY_QUEUE_URL);
 * await queue.send([{ kind: 'deliver', service: 'orders', environment: 'production', triggeringEventIds }]);
 */
export class SqsDeliveryQueue implements DeliveryQueue, RetryLater {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(requests: readonly DeliveryRequest[]): Promise<void> {
    for (let start = 0; start < requests.length; start += BATCH) {
      const entries = requests.slice(start, start + BATCH).map((request, index) => {
        const body = JSON.stringify(request);
        return {
          Id: String(index),
          MessageBody: body,
          MessageGroupId: messageGroupOf(request),
          MessageDeduplicationId: randomUUID(),
        };
      });
      let failed: { Id?: string; Code?: string }[];
      try {
        const response = await this.client.send(
          new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
        );
        failed = response.Failed ?? [];
      } catch (error) {
        throw new DeliveryQueueError(
          `SendMessageBatch to the delivery queue failed: ${(error as Error).name}`,
          {
            cause: error,
          },
        );
      }
      if (failed.length > 0) {
        // Bodies hold names and event ids only, but the groups say enough.
        const groups = failed.map((f) => `${entries[Number(f.Id)]?.MessageGroupId} (${f.Code})`);
        throw new DeliveryQueueError(
          `SendMessageBatch: ${failed.length} requests not queued: ${groups.join(', ')}`,
        );
      }
    }
  }

  /**
   * Make received messages visible again in `seconds` (instead of the queue's visibility timeout).
   * Best effort: a message whose visibility could not be changed still comes back, later. Returns
   * how many could not be changed.
   */
  async retryLater(receiptHandles: readonly string[], seconds: number): Promise<number> {
    let unchanged = 0;
    for (let start = 0; start < receiptHandles.length; start += BATCH) {
      const entries = receiptHandles.slice(start, start + BATCH).map((ReceiptHandle, index) => ({
        Id: String(index),
        ReceiptHandle,
        VisibilityTimeout: seconds,
      }));
      try {
        const response = await this.client.send(
          new ChangeMessageVisibilityBatchCommand({ QueueUrl: this.queueUrl, Entries: entries }),
        );
        unchanged += response.Failed?.length ?? 0;
      } catch {
        unchanged += entries.length;
      }
    }
    return unchanged;
  }
}
