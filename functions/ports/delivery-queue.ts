import type { DeliveryRequest } from '../core/delivery/requests.ts';

/**
 * Where deliver and restore requests go: the FIFO delivery queue (one message group per service and
 * environment). Resolves once every request is stored; a request not stored makes it throw.
 */
export interface DeliveryQueue {
  send(requests: readonly DeliveryRequest[]): Promise<void>;
}

/** Sends received records back to the queue for a later try (SQS ChangeMessageVisibility). */
export interface RetryLater {
  /** Resolves to how many records kept the queue's own visibility timeout (their delay was not set). */
  retryLater(receiptHandles: readonly string[], seconds: number): Promise<number>;
}
