import { Metrics } from '@aws-lambda-powertools/metrics';
import { PowertoolsMetricsSink } from '../../functions/adapters/powertools-metrics-sink.ts';
import { METRICS_NAMESPACE } from '../../functions/core/names.ts';
import type { MetricPoint, MetricUnit } from '../../functions/ports/metrics.ts';
import { powertoolsLines } from '../support/powertools-output.ts';
import { RecordingMetrics } from '../support/recording-metrics.ts';
import { describeMetricsSinkContract } from './metrics-sink.contract.ts';

describeMetricsSinkContract('RecordingMetrics', async (act) => {
  const recording = new RecordingMetrics();
  act(recording);
  return recording.points;
});

/** Powertools adds the function's `service` to every line; it is no dimension a point was given. */
const FUNCTION_DIMENSION = 'service';

interface EmfLine {
  readonly _aws: {
    readonly CloudWatchMetrics: readonly {
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string; readonly Unit: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

/** The points an EMF line carries, as CloudWatch would extract them. */
function pointsOf(line: EmfLine): MetricPoint[] {
  return line._aws.CloudWatchMetrics.flatMap(({ Dimensions, Metrics: metrics }) => {
    const names = (Dimensions[0] ?? []).filter((dimension) => dimension !== FUNCTION_DIMENSION);
    const dimensions = Object.fromEntries(names.map((dimension) => [dimension, String(line[dimension])]));
    return metrics.map(({ Name, Unit }) => ({
      name: Name,
      value: line[Name] as number,
      unit: Unit as MetricUnit,
      ...(names.length > 0 ? { dimensions } : {}),
    }));
  });
}

describeMetricsSinkContract('PowertoolsMetricsSink', async (act) => {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'config-steward-test' });
  const lines = await powertoolsLines(() => {
    act(new PowertoolsMetricsSink(metrics));
    // What the logMetrics middleware does at the end of an invocation.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  });
  return lines.filter((line) => '_aws' in line).flatMap((line) => pointsOf(line as unknown as EmfLine));
});
