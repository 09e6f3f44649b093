/**
 * The names of the flag usage metrics, shared by the client that writes them and the flag-expiry job
 * that reads them back (namespace: `METRIC_NAMESPACE` of `telemetry.ts`).
 */
/**
 * Evaluations counted per service, flag, variant and reason, the series
 * the flag-expiry job reads back with GetMetricData. Every line also feeds two roll-ups: per
 * `service, flag, variant` (what the job reads, so it needs no reason names) and per `service` (when
 * the service's telemetry started). Values are names from the flags document and a fixed set of
 * reasons: never a targeting key, a context attribute or a flag's value.
 */
export const FLAG_EVALUATIONS_METRIC = 'FlagEvaluations';
export const FLAG_USAGE_DIMENSIONS = ['service', 'flag', 'variant', 'reason'] as const;
export const FLAG_USAGE_DIMENSION_SETS: readonly (readonly string[])[] = [
  FLAG_USAGE_DIMENSIONS,
  ['service', 'flag', 'variant'],
  ['service'],
];
