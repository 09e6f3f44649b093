/**
 * The delivery deferral, loaded on first use: AppConfig is rarely busy for longer than one invocation
 * waits, so the Scheduler client stays out of the validator's cold start (a lazy chunk).
 */
import type { DeliveryDeferral } from '../ports/delivery-deferral.ts';

/**
 * @example
 * const deferral = lazyDeliveryDeferral({ roleArn: process.env.STEWARD_DEFERRAL_ROLE_ARN });
 */
export function lazyDeliveryDeferral(options: { roleArn: string; deadLetterArn?: string }): DeliveryDeferral {
  let loaded: Promise<DeliveryDeferral> | undefined;
  return {
    defer: async (change) => {
      loaded ??= import('../adapters/scheduler-delivery-deferral.ts').then(
        ({ schedulerDeliveryDeferral }) => schedulerDeliveryDeferral(options),
        (error: unknown) => {
          loaded = undefined; // not remembered: the next deferral tries again
          throw error;
        },
      );
      return (await loaded).defer(change);
    },
  };
}
