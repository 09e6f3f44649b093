/**
 * The flag usage counters as CloudWatch embedded-metric-format lines: one line per service, flag,
 * variant and reason evaluated since the last write. Loaded on the first write, with `telemetry.ts`.
 */
import {
  type CompiledFlag,
  type FlagEvaluator,
  type FlagReason,
  REASONS,
  variantReason,
} from './flag-evaluator.js';
import { FLAG_EVALUATIONS_METRIC, FLAG_USAGE_DIMENSION_SETS, METRIC_NAMESPACE } from './metric-names.js';

/** A flags snapshot whose evaluations are counted, for one service. */
export interface TrackedSnapshot {
  readonly service: string;
  readonly evaluator: FlagEvaluator;
  /** Where its lines go; undefined: stdout. */
  readonly sink: ((line: string) => void) | undefined;
  /** Replaced by a newer snapshot: written once more, then forgotten. */
  retired: boolean;
}

/** One counted series: the dimensions of its EMF line and the evaluations since the last write. */
export interface FlagUsageCount {
  readonly service: string;
  readonly flag: string;
  readonly variant: string;
  readonly reason: string;
  readonly evaluations: number;
}

/**
 * One EMF line counting a flag's evaluations for one variant and reason.
 *
 * @example
 * flagUsageMetricLine({ service: 'orders', flag: 'new-checkout', variant: 'on', reason: 'SPLIT', evaluations: 42 }, Date.now());
 */
export function flagUsageMetricLine(count: FlagUsageCount, timestamp: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: FLAG_USAGE_DIMENSION_SETS,
          Metrics: [{ Name: FLAG_EVALUATIONS_METRIC, Unit: 'Count' }],
        },
      ],
    },
    service: count.service,
    flag: count.flag,
    variant: count.variant,
    reason: count.reason,
    [FLAG_EVALUATIONS_METRIC]: count.evaluations,
  });
}

/**
 * Write the counts of these snapshots (summed per series and sink; `defaultSink` for a snapshot
 * without one), zero them, and return the lines written. A failing sink loses its own lines only.
 */
export function writeUsageLines(
  tracked: readonly TrackedSnapshot[],
  now: number,
  defaultSink: (line: string) => void,
): number {
  const bySink = new Map<(line: string) => void, Map<string, FlagUsageCount>>();
  for (const entry of tracked) {
    const sink = entry.sink ?? defaultSink;
    let counts = bySink.get(sink);
    if (counts === undefined) bySink.set(sink, (counts = new Map()));
    for (const flag of entry.evaluator.compiledFlags()) collect(entry.service, flag, counts);
  }
  let written = 0;
  for (const [sink, counts] of bySink) {
    for (const count of counts.values()) {
      try {
        sink(flagUsageMetricLine(count, now));
        written++;
      } catch {
        // Metrics must never break the flags they describe.
      }
    }
  }
  return written;
}

/**
 * What one outcome slot of {@link CompiledFlag.evaluations} stands for: the variant served and the
 * reason. A simple flag's outcomes are its decisions (`on` or `off`); a rule-based flag's are its
 * variants, each with the one reason it is served for.
 *
 * @example
 * outcomeOf(flag, 2); // { variant: 'on', reason: 'STATIC' } for a simple flag
 */
export function outcomeOf(flag: CompiledFlag, outcome: number): { variant: string; reason: FlagReason } {
  const variants = flag.variants;
  if (variants === null) {
    const reason = REASONS[outcome]!;
    return { variant: ON_REASONS.has(reason) ? 'on' : 'off', reason };
  }
  return { variant: variants[outcome]!.name, reason: variantReason(variants, outcome) };
}

const ON_REASONS: ReadonlySet<FlagReason> = new Set(['STATIC', 'TARGETING_MATCH', 'SPLIT']);

/** Add a flag's non-zero counters to `counts` (summed per series) and zero them. */
function collect(service: string, flag: CompiledFlag, counts: Map<string, FlagUsageCount>): void {
  const evaluations = flag.evaluations;
  for (let index = 0; index < evaluations.length; index++) {
    const evaluated = evaluations[index]!;
    if (evaluated === 0) continue;
    evaluations[index] = 0;
    const { variant, reason } = outcomeOf(flag, index);
    const key = `${service}\u0000${flag.name}\u0000${variant}\u0000${reason}`;
    const before = counts.get(key)?.evaluations ?? 0;
    counts.set(key, { service, flag: flag.name, variant, reason, evaluations: before + evaluated });
  }
}
