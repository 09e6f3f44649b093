/**
 * The Parameter Store read budget of the change pipeline, split at synth time. Lambda instances share
 * no token bucket, so the bound is arithmetic: at most `maxConcurrency` instances of each consumer run
 * at once (the event source mappings' own limit), plus the one reconcile, and each instance's client
 * holds its own rate limit. Σ instances × per-instance rate = the budget, whatever the load.
 */
import type { Settings } from '../settings.ts';

export interface ReadBudget {
  /** The configured budget, requests per second. */
  readonly readsPerSecond: number;
  /** The most Lambda instances that read at once: validate-change, delivery, reconcile. */
  readonly instances: { readonly validation: number; readonly delivery: number; readonly reconcile: number };
  /** Requests per second each instance's client-side limiter allows. */
  readonly perInstance: number;
}

/**
 * @example
 * const { perInstance } = readBudget(settings); // 20 / (2 + 2 + 1) = 4 requests/s per instance
 */
export function readBudget(settings: Pick<Settings, 'pipeline'>): ReadBudget {
  const { readsPerSecond, validation, delivery } = settings.pipeline;
  const instances = {
    validation: validation.maxConcurrency,
    delivery: delivery.maxConcurrency,
    reconcile: 1,
  };
  const total = instances.validation + instances.delivery + instances.reconcile;
  // Rounded down to a thousandth, so the product never exceeds the budget through rounding.
  const perInstance = Math.floor((readsPerSecond / total) * 1000) / 1000;
  return { readsPerSecond, instances, perInstance };
}
