import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsMetricsSink } from '../../functions/adapters/powertools-metrics-sink.ts';
import { METRICS_NAMESPACE } from '../../functions/core/names.ts';

interface EmfLine {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

describe('Class: PowertoolsMetricsSink', () => {
  const lines: EmfLine[] = [];

  beforeEach(() => {
    lines.length = 0;
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n')) if (line.includes('"_aws"')) lines.push(JSON.parse(line));
      return true;
    });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  const newMetrics = () => new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'config-steward-test' });

  it('writes a point with dimensions at once, as its own EMF line with those dimensions', () => {
    // Prepare
    const metrics = newMetrics();
    const sink = new PowertoolsMetricsSink(metrics);

    // Act
    sink.record({ name: 'FlagCount', unit: 'Count', value: 3, dimensions: { Service: 'orders' } });

    // Assess
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line?.FlagCount).toBe(3);
    expect(line?.Service).toBe('orders');
    expect(line?._aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
    expect(line?._aws.CloudWatchMetrics[0]?.Dimensions[0]).toContain('Service');
    expect(line?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([{ Name: 'FlagCount', Unit: 'Count' }]);
  });

  it('keeps totals for the invocation flush, without the dimensions of other points', () => {
    // Prepare
    const metrics = newMetrics();
    const sink = new PowertoolsMetricsSink(metrics);

    // Act
    sink.record({ name: 'Findings', unit: 'Count', value: 2, dimensions: { Kind: 'value-drift' } });
    sink.record({ name: 'DurationMs', unit: 'Milliseconds', value: 3120 });
    sink.record({ name: 'FlagAgeP50Days', unit: 'None', value: 22 });
    const beforeFlush = lines.length;
    metrics.publishStoredMetrics();

    // Assess
    expect(beforeFlush).toBe(1);
    const totals = lines.at(-1);
    expect(totals?.DurationMs).toBe(3120);
    expect(totals?.FlagAgeP50Days).toBe(22);
    expect(totals?.Kind).toBeUndefined();
    expect(totals?._aws.CloudWatchMetrics[0]?.Metrics).toEqual([
      { Name: 'DurationMs', Unit: 'Milliseconds' },
      { Name: 'FlagAgeP50Days', Unit: 'None' },
    ]);
  });
});
