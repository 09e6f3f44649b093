/**
 * deliver-changes' input, handled: a batch of SQS records from the FIFO delivery queue, each a
 * deliver or restore request (core/delivery/process-requests.ts does the work). A group whose
 * AppConfig environment is busy, or that failed, and a malformed record go back to the queue and are
 * tried again after `retrySeconds`; after the queue's bound they move to its dead-letter queue.
 */
import type { RetryLater } from '../../ports/delivery-queue.ts';
import type { StructuredLog } from '../../ports/logger.ts';
import { MalformedEventError } from '../errors.ts';
import { type BatchItemFailures, isQueueEvent, parseQueueRecords } from '../pipeline/queue-records.ts';
import {
  type ProcessDeliveryDependencies,
  processDeliveryRequests,
  type QueuedRequest,
} from './process-requests.ts';
import { parseDeliveryRequest } from './requests.ts';

export type DeliveryRecordsDependencies = ProcessDeliveryDependencies & {
  readonly queue: RetryLater;
  readonly retrySeconds: number;
  readonly log: StructuredLog;
};

/**
 * @example
 * const response = await handleDeliveryRecords(sqsEvent, deps, { outOfTime: () => false });
 */
export async function handleDeliveryRecords(
  event: unknown,
  deps: DeliveryRecordsDependencies,
  budget: { readonly outOfTime: () => boolean },
): Promise<BatchItemFailures> {
  const { log } = deps;
  if (!isQueueEvent(event)) throw new MalformedEventError('deliver-changes takes SQS records only');
  const records = parseQueueRecords(event);
  const queued: QueuedRequest[] = [];
  const malformed: string[] = [];
  for (const record of records) {
    try {
      queued.push({
        recordId: record.messageId,
        request: parseDeliveryRequest(record.body),
        queuedAt: record.sentAt,
        receiveCount: record.receiveCount,
      });
    } catch (error) {
      // Fails on every receive, then waits in the dead-letter queue with its message id.
      log.error('malformed delivery request', {
        messageId: record.messageId,
        errorMessage: (error as Error).message,
      });
      malformed.push(record.messageId);
    }
  }
  const result = await processDeliveryRequests(queued, deps, budget);
  for (const report of result.reports) log.info('delivery', { ...report });
  for (const restore of result.restores) log.info('restore', { ...restore });
  for (const [messageId, error] of result.failures) {
    log.error('delivery request not handled', {
      messageId,
      errorName: error.name,
      errorMessage: error.message,
    });
  }
  // Malformed records come back after retrySeconds too: left to the queue's visibility timeout
  // (six times the function's), each would hold its FIFO group for that long on every receive.
  const retry = [...malformed, ...result.waiting, ...result.failures.keys()];
  if (retry.length > 0) {
    const handles = records.filter((r) => retry.includes(r.messageId)).map((r) => r.receiptHandle);
    const unchanged = await deps.queue.retryLater(handles, deps.retrySeconds);
    if (unchanged > 0) log.warn('retry delay not set; the queue visibility timeout applies', { unchanged });
  }
  return { batchItemFailures: retry.map((itemIdentifier) => ({ itemIdentifier })) };
}
