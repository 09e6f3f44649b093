/**
 * The contract every `MetricsSink` meets, run against the recording double and
 * `PowertoolsMetricsSink`, whose CloudWatch embedded-metric-format output is read back into points.
 * The dashboards and alarms read these points: a point's dimensions are its own, a total has none,
 * and a unit arrives as recorded.
 */
import { describe, expect, it } from 'vitest';
import type { MetricPoint, MetricsSink } from '../../functions/ports/metrics.ts';

/**
 * Runs `act` against a fresh sink as one invocation and answers the points as they were published,
 * each with its dimensions (none for a total), in any order.
 */
export type PublishedPoints = (act: (sink: MetricsSink) => void) => Promise<readonly MetricPoint[]>;

const byName = (a: MetricPoint, b: MetricPoint) =>
  a.name.localeCompare(b.name) || JSON.stringify(a.dimensions).localeCompare(JSON.stringify(b.dimensions));

export function describeMetricsSinkContract(name: string, publish: PublishedPoints): void {
  describe(`Contract: MetricsSink (${name})`, () => {
    it('publishes a point with its dimensions, its value and its unit', async () => {
      // Act
      const points = await publish((sink) =>
        sink.record({ name: 'FlagCount', unit: 'Count', value: 3, dimensions: { Service: 'orders' } }),
      );

      // Assess
      expect(points).toEqual([
        { name: 'FlagCount', unit: 'Count', value: 3, dimensions: { Service: 'orders' } },
      ]);
    });

    it('keeps points of the same name with different dimensions apart', async () => {
      // Act
      const points = await publish((sink) => {
        sink.record({ name: 'FlagCount', unit: 'Count', value: 3, dimensions: { Service: 'orders' } });
        sink.record({ name: 'FlagCount', unit: 'Count', value: 5, dimensions: { Service: 'payments' } });
      });

      // Assess
      expect([...points].sort(byName)).toEqual([
        { name: 'FlagCount', unit: 'Count', value: 3, dimensions: { Service: 'orders' } },
        { name: 'FlagCount', unit: 'Count', value: 5, dimensions: { Service: 'payments' } },
      ]);
    });

    it('publishes totals without dimensions, not even those of other points of the invocation', async () => {
      // Act
      const points = await publish((sink) => {
        sink.record({ name: 'Findings', unit: 'Count', value: 2, dimensions: { Kind: 'value-drift' } });
        sink.record({ name: 'DurationMs', unit: 'Milliseconds', value: 3120 });
        sink.record({ name: 'FlagAgeP50Days', unit: 'None', value: 22 });
      });

      // Assess
      expect([...points].sort(byName)).toEqual([
        { name: 'DurationMs', unit: 'Milliseconds', value: 3120 },
        { name: 'Findings', unit: 'Count', value: 2, dimensions: { Kind: 'value-drift' } },
        { name: 'FlagAgeP50Days', unit: 'None', value: 22 },
      ]);
    });

    it('publishes a point with several dimensions as one point carrying all of them', async () => {
      // Act
      const points = await publish((sink) =>
        sink.record({
          name: 'DeliveryLatencyMs',
          unit: 'Milliseconds',
          value: 840,
          dimensions: { Service: 'orders', Environment: 'production' },
        }),
      );

      // Assess
      expect(points).toEqual([
        {
          name: 'DeliveryLatencyMs',
          unit: 'Milliseconds',
          value: 840,
          dimensions: { Service: 'orders', Environment: 'production' },
        },
      ]);
    });
  });
}
