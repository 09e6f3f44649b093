/**
 * CloudWatch metrics as far as the flag usage reader needs them: EMF lines are extracted into one
 * series per declared dimension set (as the Logs pipeline does), and GetMetricData answers `Sum`
 * queries in period buckets from StartTime, at most `pageSize` datapoints a page with NextToken, and
 * refuses more than 500 queries a call, as CloudWatch does.
 */
import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';

interface Datapoint {
  readonly timestamp: number;
  readonly value: number;
}

interface EmfLine {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly {
      readonly Namespace: string;
      readonly Dimensions: readonly (readonly string[])[];
      readonly Metrics: readonly { readonly Name: string }[];
    }[];
  };
  readonly [key: string]: unknown;
}

type Dimensions = readonly { readonly Name?: string; readonly Value?: string }[];

function seriesKey(namespace: string, metric: string, dimensions: Dimensions): string {
  const sorted = [...dimensions].map((d) => `${d.Name}=${d.Value}`).sort();
  return `${namespace}|${metric}|${sorted.join(',')}`;
}

export class SimulatedCloudWatchMetrics {
  private readonly series = new Map<string, Datapoint[]>();
  /** Every GetMetricData input received. */
  readonly requests: GetMetricDataCommandInput[] = [];

  constructor(private readonly pageSize = 100_800) {}

  /** Extract an EMF line into one datapoint per metric and declared dimension set. */
  ingest(line: string): void {
    const emf = JSON.parse(line) as EmfLine;
    for (const directive of emf._aws.CloudWatchMetrics) {
      for (const names of directive.Dimensions) {
        const dimensions = names.map((Name) => ({ Name, Value: String(emf[Name]) }));
        for (const { Name } of directive.Metrics) {
          const key = seriesKey(directive.Namespace, Name, dimensions);
          const points = this.series.get(key) ?? [];
          points.push({ timestamp: emf._aws.Timestamp, value: Number(emf[Name]) });
          this.series.set(key, points);
        }
      }
    }
  }

  /** A CloudWatch client whose GetMetricData answers from this store. */
  client(): CloudWatchClient {
    const client = new CloudWatchClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    mockClient(client)
      .on(GetMetricDataCommand)
      .callsFake(async (input: GetMetricDataCommandInput) => this.getMetricData(input));
    return client;
  }

  getMetricData(input: GetMetricDataCommandInput): GetMetricDataCommandOutput {
    this.requests.push(input);
    const queries = input.MetricDataQueries ?? [];
    if (queries.length > 500) {
      throw new CloudWatchServiceException({
        name: 'InvalidParameterValueException',
        $fault: 'client',
        $metadata: {},
        message: 'The collection MetricDataQueries must not have a size greater than 500.',
      });
    }
    const start = input.StartTime!.getTime();
    const end = input.EndTime!.getTime();
    const answers = queries.map((query) => {
      const stat = query.MetricStat!;
      const periodMs = stat.Period! * 1000;
      const points =
        this.series.get(
          seriesKey(stat.Metric!.Namespace!, stat.Metric!.MetricName!, stat.Metric!.Dimensions ?? []),
        ) ?? [];
      const buckets = new Map<number, number>();
      for (const { timestamp, value } of points) {
        if (timestamp < start || timestamp >= end) continue;
        const bucket = start + Math.floor((timestamp - start) / periodMs) * periodMs;
        buckets.set(bucket, (buckets.get(bucket) ?? 0) + value);
      }
      return { id: query.Id!, points: [...buckets].sort(([a], [b]) => a - b) };
    });
    const flat = answers.flatMap(({ id, points }) =>
      points.map(([timestamp, value]) => ({ id, timestamp, value })),
    );
    const offset = Number(input.NextToken ?? 0);
    const page = flat.slice(offset, offset + this.pageSize);
    const more = offset + this.pageSize < flat.length;
    const remaining = new Set(flat.slice(offset + this.pageSize).map((p) => p.id));
    return {
      MetricDataResults: answers.map(({ id }) => {
        const mine = page.filter((p) => p.id === id);
        return {
          Id: id,
          Label: id,
          Timestamps: mine.map((p) => new Date(p.timestamp)),
          Values: mine.map((p) => p.value),
          StatusCode: remaining.has(id) ? 'PartialData' : 'Complete',
        };
      }),
      ...(more ? { NextToken: String(offset + this.pageSize) } : {}),
      $metadata: {},
    };
  }
}
