/**
 * The delivery queue's consumer run in this process, for a validator with no queue to send to
 * (`steward invoke validate-change` without `STEWARD_DELIVERY_QUEUE_URL`). Loaded on first use, so
 * the AppConfig client stays out of the deployed validator's cold start (a lazy chunk).
 */
import { onceUntilFailure } from '../adapters/once-until-failure.ts';
import type { ProcessDeliveryDependencies } from '../core/delivery/process-requests.ts';
import type { DeliveryQueue } from '../ports/delivery-queue.ts';
import type { StackTargetVariables } from './stack-targets.ts';

/**
 * @example
 * const requests = inProcessDeliveryQueue(ports, settings); // its STEWARD_APPCONFIG or targets path
 */
export function inProcessDeliveryQueue(
  ports: Omit<ProcessDeliveryDependencies, 'delivery' | 'targets'>,
  appConfigTargets: StackTargetVariables,
): DeliveryQueue {
  const consumer = onceUntilFailure(async () =>
    (await import('./in-process-delivery-consumer.ts')).inProcessDeliveryConsumer(ports, appConfigTargets),
  );
  return { send: async (requests) => (await consumer()).send(requests) };
}
