/**
 * The metrics port over Powertools Metrics, which writes CloudWatch embedded-metric-format lines.
 */
import { type Metrics, MetricUnit as PowertoolsUnit } from '@aws-lambda-powertools/metrics';
import type { MetricPoint, MetricsSink, MetricUnit } from '../ports/metrics.ts';

const UNITS: Record<MetricUnit, (typeof PowertoolsUnit)[keyof typeof PowertoolsUnit]> = {
  Count: PowertoolsUnit.Count,
  Milliseconds: PowertoolsUnit.Milliseconds,
  None: PowertoolsUnit.NoUnit,
};

/**
 * Totals join the invocation's metrics (flushed by the `logMetrics` middleware); a point with its own
 * dimensions is written as a single metric at once, so it does not give its dimensions to the others.
 *
 * @example
 * const metrics = new Metrics();
 * const sink = new PowertoolsMetricsSink(metrics);
 * sink.record({ name: 'FlagCount', unit: 'Count', value: 3, dimensions: { Service: 'orders' } });
 */
export class PowertoolsMetricsSink implements MetricsSink {
  readonly #metrics: Metrics;

  constructor(metrics: Metrics) {
    this.#metrics = metrics;
  }

  record({ name, value, unit, dimensions }: MetricPoint): void {
    const entries = Object.entries(dimensions ?? {});
    if (entries.length === 0) {
      this.#metrics.addMetric(name, UNITS[unit], value);
      return;
    }
    const single = this.#metrics.singleMetric();
    for (const [dimension, dimensionValue] of entries) single.addDimension(dimension, dimensionValue);
    single.addMetric(name, UNITS[unit], value);
  }
}
