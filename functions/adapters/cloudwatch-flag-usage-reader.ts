/**
 * {@link FlagUsageReader} over CloudWatch GetMetricData: one `Sum` query per series of the client's
 * `FlagEvaluations` metric (`@config-steward/client`'s namespace and dimensions) with a one-day
 * period, at most 500 queries a call (GetMetricData's limit), every page of each call (NextToken).
 * Throttling is retried with backoff; every failure becomes a port error.
 */
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { FLAG_EVALUATIONS_METRIC, METRIC_NAMESPACE } from '@config-steward/client/metric-names';
import type { DailyEvaluations, DayRange, FlagUsageReader, UsageSeries } from '../ports/flag-usage.ts';
import {
  FlagUsageAccessDeniedError,
  FlagUsageReadError,
  FlagUsageThrottledError,
} from '../ports/flag-usage.errors.ts';
import { ThrottlingRetry, type ThrottlingRetryOptions } from './throttling-retry.ts';

export interface CloudWatchFlagUsageReaderOptions extends ThrottlingRetryOptions {
  /** Queries per GetMetricData call; CloudWatch takes at most 500. @default 500 */
  readonly queriesPerCall?: number;
}

const OPERATION = 'GetMetricData';
/** GetMetricData's limit of queries in one call. */
export const MAX_QUERIES_PER_CALL = 500;
const DAY_SECONDS = 86_400;
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/**
 * @example
 * const reader = new CloudWatchFlagUsageReader(new CloudWatchClient({}));
 * const [orders] = await reader.dailyEvaluations([{ service: 'orders' }], { from: '2026-10-24', to: '2026-11-23' });
 */
export class CloudWatchFlagUsageReader implements FlagUsageReader {
  private readonly queriesPerCall: number;
  private readonly retry: ThrottlingRetry;

  constructor(
    private readonly client: CloudWatchClient,
    options: CloudWatchFlagUsageReaderOptions = {},
  ) {
    this.queriesPerCall = Math.min(
      MAX_QUERIES_PER_CALL,
      Math.max(1, options.queriesPerCall ?? MAX_QUERIES_PER_CALL),
    );
    this.retry = new ThrottlingRetry(THROTTLING, options);
  }

  async dailyEvaluations(series: readonly UsageSeries[], range: DayRange): Promise<DailyEvaluations[][]> {
    const answers: DailyEvaluations[][] = [];
    for (let start = 0; start < series.length; start += this.queriesPerCall) {
      answers.push(...(await this.batch(series.slice(start, start + this.queriesPerCall), range)));
    }
    return answers;
  }

  /** One GetMetricData call of at most 500 queries, every page of it; answers in the order asked. */
  private async batch(series: readonly UsageSeries[], range: DayRange): Promise<DailyEvaluations[][]> {
    const queries = series.map((one, index) => query(one, index));
    const perDay = series.map(() => new Map<string, number>());
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await this.call(() =>
        this.client.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: new Date(`${range.from}T00:00:00Z`),
            EndTime: new Date(`${range.to}T00:00:00Z`),
            ScanBy: 'TimestampAscending',
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      for (const result of page.MetricDataResults ?? []) addResult(result, perDay);
      nextToken = page.NextToken;
    } while (nextToken);
    return perDay.map((days) =>
      [...days].sort(([a], [b]) => a.localeCompare(b)).map(([day, evaluations]) => ({ day, evaluations })),
    );
  }

  /** One request: send, retry throttling with backoff, translate errors. */
  private call(send: () => Promise<GetMetricDataCommandOutput>): Promise<GetMetricDataCommandOutput> {
    return this.retry.send(send, translate);
  }
}

function query(series: UsageSeries, index: number): MetricDataQuery {
  const dimensions = [
    { Name: 'service', Value: series.service },
    ...(series.flag !== undefined ? [{ Name: 'flag', Value: series.flag }] : []),
    ...(series.variant !== undefined ? [{ Name: 'variant', Value: series.variant }] : []),
  ];
  return {
    // Ids must start with a lower-case letter; the index finds the series again.
    Id: `q${index}`,
    MetricStat: {
      Metric: { Namespace: METRIC_NAMESPACE, MetricName: FLAG_EVALUATIONS_METRIC, Dimensions: dimensions },
      Period: DAY_SECONDS,
      Stat: 'Sum',
    },
    ReturnData: true,
  };
}

type MetricDataResult = NonNullable<GetMetricDataCommandOutput['MetricDataResults']>[number];

/** Add one page's datapoints of one query to its series; a query CloudWatch could not answer is an error. */
function addResult(result: MetricDataResult, perDay: Map<string, number>[]): void {
  const index = Number(result.Id?.slice(1));
  const days = perDay[index];
  if (days === undefined) {
    throw new FlagUsageReadError(`${OPERATION}: answered a query it was not asked (${result.Id})`, OPERATION);
  }
  if (result.StatusCode === 'Forbidden') throw new FlagUsageAccessDeniedError(OPERATION);
  if (result.StatusCode === 'InternalError') {
    throw new FlagUsageReadError(`${OPERATION}: CloudWatch could not answer query ${result.Id}`, OPERATION);
  }
  const timestamps = result.Timestamps ?? [];
  const values = result.Values ?? [];
  timestamps.forEach((timestamp, i) => {
    const day = new Date(timestamp).toISOString().slice(0, 10);
    days.set(day, (days.get(day) ?? 0) + (values[i] ?? 0));
  });
}

function translate(cause: unknown, name: string): Error {
  if (ACCESS_DENIED.has(name)) return new FlagUsageAccessDeniedError(OPERATION, { cause });
  if (THROTTLING.has(name)) return new FlagUsageThrottledError(OPERATION, { cause });
  return new FlagUsageReadError(
    `${OPERATION}: ${name || 'error'} reading the flag usage metrics`,
    OPERATION,
    {
      cause,
    },
  );
}
