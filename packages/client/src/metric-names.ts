/**
 * `@config-steward/client/metric-names`: the names of the metrics the client writes, declared once for
 * the client and for whoever reads them back (the flag-expiry job reads the flag usage series with
 * GetMetricData). Constants only, so importing them loads nothing else of the client.
 */

/** The metric namespace of the client's EMF lines. */
export const METRIC_NAMESPACE = 'ConfigSteward/Client';

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
