/**
 * The delivery deferral, loaded on first use: AppConfig is rarely busy for longer than one invocation
 * waits, so the Scheduler client stays out of the validator's cold start (a lazy chunk).
 */
import { onceUntilFailure } from '../adapters/once-until-failure.ts';
import type { DeliveryDeferral } from '../ports/delivery-deferral.ts';

/**
 * @example
 * const deferral = lazyDeliveryDeferral({ roleArn: process.env.STEWARD_DEFERRAL_ROLE_ARN });
 */
export function lazyDeliveryDeferral(options: { roleArn: string; deadLetterArn?: string }): DeliveryDeferral {
  const deferral = onceUntilFailure(async () => {
    const { schedulerDeliveryDeferral } = await import('../adapters/scheduler-delivery-deferral.ts');
    return schedulerDeliveryDeferral(options);
  });
  return { defer: async (change) => (await deferral()).defer(change) };
}
