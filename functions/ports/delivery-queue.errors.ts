/** Errors of the `DeliveryQueue` port; messages name message groups and error codes, never a body. */
import { AdapterError } from './adapter-error.ts';

/** The queue refused the send, or did not store every request: the caller fails and is retried. */
export class DeliveryQueueError extends AdapterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryQueueError';
  }
}
