import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchFlagUsageReader } from '../../functions/adapters/cloudwatch-flag-usage-reader.ts';
import {
  FlagUsageAccessDeniedError,
  FlagUsageReadError,
  FlagUsageThrottledError,
} from '../../functions/ports/flag-usage.errors.ts';

const cloudwatch = mockClient(CloudWatchClient);
const range = { from: '2026-10-24', to: '2026-11-23' };
const serviceError = (name: string) =>
  new CloudWatchServiceException({ name, message: `${name} happened`, $fault: 'client', $metadata: {} });
const noSleep = async () => {};

describe('Class: CloudWatchFlagUsageReader', () => {
  beforeEach(() => {
    cloudwatch.reset();
  });

  it('asks GetMetricData for the daily Sum of FlagEvaluations per series, by the dimensions the client writes', async () => {
    // Prepare
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        {
          Id: 'q0',
          StatusCode: 'Complete',
          Timestamps: [new Date('2026-11-20T00:00:00Z'), new Date('2026-11-21T00:00:00Z')],
          Values: [12, 3],
        },
        { Id: 'q1', StatusCode: 'Complete', Timestamps: [], Values: [] },
      ],
    });
    const reader = new CloudWatchFlagUsageReader(new CloudWatchClient({}));

    // Act
    const answers = await reader.dailyEvaluations(
      [{ service: 'orders' }, { service: 'orders', flag: 'new-checkout', variant: 'on' }],
      range,
    );

    // Assess
    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 1);
    expect(cloudwatch).toHaveReceivedCommandWith(GetMetricDataCommand, {
      StartTime: new Date('2026-10-24T00:00:00Z'),
      EndTime: new Date('2026-11-23T00:00:00Z'),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        {
          Id: 'q0',
          MetricStat: {
            Metric: {
              Namespace: 'ConfigSteward/Client',
              MetricName: 'FlagEvaluations',
              Dimensions: [{ Name: 'service', Value: 'orders' }],
            },
            Period: 86_400,
            Stat: 'Sum',
          },
          ReturnData: true,
        },
        {
          Id: 'q1',
          MetricStat: {
            Metric: {
              Namespace: 'ConfigSteward/Client',
              MetricName: 'FlagEvaluations',
              Dimensions: [
                { Name: 'service', Value: 'orders' },
                { Name: 'flag', Value: 'new-checkout' },
                { Name: 'variant', Value: 'on' },
              ],
            },
            Period: 86_400,
            Stat: 'Sum',
          },
          ReturnData: true,
        },
      ],
    });
    expect(answers).toEqual([
      [
        { day: '2026-11-20', evaluations: 12 },
        { day: '2026-11-21', evaluations: 3 },
      ],
      [],
    ]);
  });

  it('splits 501 series into a call of 500 queries and a call of 1', async () => {
    // Prepare
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const reader = new CloudWatchFlagUsageReader(new CloudWatchClient({}));
    const series = Array.from({ length: 501 }, (_, i) => ({
      service: 'orders',
      flag: `f${i}`,
      variant: 'on',
    }));

    // Act
    const answers = await reader.dailyEvaluations(series, range);

    // Assess
    const calls = cloudwatch.commandCalls(GetMetricDataCommand);
    expect(calls.map((call) => call.args[0].input.MetricDataQueries?.length)).toEqual([500, 1]);
    expect(calls[1]?.args[0].input.MetricDataQueries?.[0]?.MetricStat?.Metric?.Dimensions).toContainEqual({
      Name: 'flag',
      Value: 'f500',
    });
    expect(answers).toHaveLength(501);
  });

  it('follows NextToken and joins the pages of each query', async () => {
    // Prepare
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          {
            Id: 'q0',
            StatusCode: 'PartialData',
            Timestamps: [new Date('2026-11-20T00:00:00Z')],
            Values: [1],
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'q0', StatusCode: 'Complete', Timestamps: [new Date('2026-11-22T00:00:00Z')], Values: [2] },
        ],
      });
    const reader = new CloudWatchFlagUsageReader(new CloudWatchClient({}));

    // Act
    const [answer] = await reader.dailyEvaluations([{ service: 'orders' }], range);

    // Assess
    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 2);
    expect(cloudwatch).toHaveReceivedNthCommandWith(GetMetricDataCommand, 2, { NextToken: 'page-2' });
    expect(cloudwatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input.NextToken).toBeUndefined();
    expect(answer).toEqual([
      { day: '2026-11-20', evaluations: 1 },
      { day: '2026-11-22', evaluations: 2 },
    ]);
  });

  it('retries throttling with backoff and then reads', async () => {
    // Prepare
    const delays: number[] = [];
    cloudwatch
      .on(GetMetricDataCommand)
      .rejectsOnce(serviceError('Throttling'))
      .rejectsOnce(serviceError('ThrottlingException'))
      .resolves({ MetricDataResults: [] });
    const reader = new CloudWatchFlagUsageReader(new CloudWatchClient({}), {
      sleep: async (ms) => void delays.push(ms),
    });

    // Act
    const answers = await reader.dailyEvaluations([{ service: 'orders' }], range);

    // Assess
    expect(answers).toEqual([[]]);
    expect(delays).toEqual([200, 400]);
    expect(cloudwatch).toHaveReceivedCommandTimes(GetMetricDataCommand, 3);
  });

  it.each([
    ['Throttling', FlagUsageThrottledError, /throttled/],
    ['AccessDenied', FlagUsageAccessDeniedError, /access denied/],
    ['AccessDeniedException', FlagUsageAccessDeniedError, /access denied/],
    ['InvalidNextToken', FlagUsageReadError, /GetMetricData: InvalidNextToken/],
    ['InternalServiceFault', FlagUsageReadError, /GetMetricData: InternalServiceFault/],
  ])('translates %s into %O', async (name, ErrorClass, message) => {
    // Prepare
    cloudwatch.on(GetMetricDataCommand).rejects(serviceError(name));
    const reader = new CloudWatchFlagUsageReader(new CloudWatchClient({}), {
      maxAttempts: 2,
      sleep: noSleep,
    });

    // Act
    const read = reader.dailyEvaluations([{ service: 'orders' }], range);

    // Assess
    await expect(read).rejects.toBeInstanceOf(ErrorClass);
    await expect(read).rejects.toThrow(message);
  });

  it('refuses an answer CloudWatch marks Forbidden or InternalError for one query', async () => {
    // Prepare
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'q0', StatusCode: 'Forbidden' }] })
      .resolvesOnce({ MetricDataResults: [{ Id: 'q0', StatusCode: 'InternalError' }] });
    const reader = new CloudWatchFlagUsageReader(new CloudWatchClient({}));

    // Act
    const forbidden = reader.dailyEvaluations([{ service: 'orders' }], range);
    await expect(forbidden).rejects.toBeInstanceOf(FlagUsageAccessDeniedError);
    const internal = reader.dailyEvaluations([{ service: 'orders' }], range);

    // Assess
    await expect(internal).rejects.toThrow('GetMetricData: CloudWatch could not answer query q0');
  });
});
