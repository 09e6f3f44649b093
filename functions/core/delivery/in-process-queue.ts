/**
 * A `DeliveryQueue` that runs the consumer at once, in the sender's process: for a validator with no
 * queue (local runs). A busy environment cannot wait here, so a request that would wait is an error
 * naming the environment: run the change again once it is free.
 */
import type { DeliveryQueue } from '../../ports/delivery-queue.ts';
import { StewardError } from '../errors.ts';
import {
  type DeliveryBatchResult,
  type ProcessDeliveryDependencies,
  processDeliveryRequests,
} from './process-requests.ts';
import type { DeliveryRequest } from './requests.ts';

/**
 * @example
 * const queue = new InProcessDeliveryQueue(deps);
 * await validateChanges(changes, { ...deps, requests: queue });
 */
export class InProcessDeliveryQueue implements DeliveryQueue {
  /** What each `send` did, for the caller to report. */
  readonly results: DeliveryBatchResult[] = [];

  private readonly deps: ProcessDeliveryDependencies;

  constructor(deps: ProcessDeliveryDependencies) {
    // A restore's follow-up deliveries come back here.
    this.deps = { ...deps, requests: deps.requests ?? this };
  }

  async send(requests: readonly DeliveryRequest[]): Promise<void> {
    const queuedAt = this.deps.clock.now();
    const result = await processDeliveryRequests(
      requests.map((request, index) => ({ recordId: String(index), request, queuedAt, receiveCount: 1 })),
      this.deps,
    );
    this.results.push(result);
    const [failure] = result.failures.values();
    if (failure) throw failure;
    if (result.waiting.length > 0) {
      const busy = result.reports
        .filter((r) => r.status === 'wait')
        .map((r) => `${r.environment}/${r.service}${'profile' in r ? ` (${r.profile})` : ''}`);
      throw new StewardError(`AppConfig is busy for ${busy.join(', ')}: nothing delivered there yet`);
    }
  }
}
