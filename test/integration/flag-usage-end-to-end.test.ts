import { describe, expect, it } from 'vitest';
import { CloudWatchFlagUsageReader } from '../../functions/adapters/cloudwatch-flag-usage-reader.ts';
import { runFlagExpiryJob } from '../../functions/core/flags/expiry-job.ts';
import type { FlagDefinition } from '../../functions/core/model.ts';
import { createFlagEvaluator } from '../../packages/client/src/flag-evaluator.ts';
import { FlagUsageRecorder } from '../../packages/client/src/flag-usage.ts';
import { InMemoryFlagSource } from '../support/flag-source-double.ts';
import { RecordingMetrics } from '../support/recording-metrics.ts';
import { FixedClock, InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';
import { SimulatedCloudWatchMetrics } from '../support/simulated-cloudwatch-metrics.ts';

const DAY_MS = 86_400_000;

const release = (environment: FlagDefinition['environments'][string]): FlagDefinition => ({
  description: 'a flag',
  owner: 'team-orders',
  type: 'release',
  created: '2026-10-20',
  expires: '2027-01-31',
  environments: { production: environment },
});

describe('Flag usage end to end: client lines → CloudWatch → GetMetricData → the nightly classification', () => {
  it('finds the flag served one way and the flag nothing evaluates, from 60 days of a consumer counting', async () => {
    // Prepare: a consumer of orders evaluates two of its three flags every day at noon, and writes
    // its counts as the client does; CloudWatch extracts the lines by the dimension sets they declare.
    const cloudWatch = new SimulatedCloudWatchMetrics(50);
    const consumerFlags = createFlagEvaluator({
      'new-checkout': { enabled: true },
      'old-banner': { enabled: false },
      'split-test': { enabled: true, rolloutPercent: 50 },
    });
    const recorder = new FlagUsageRecorder();
    recorder.track('orders', consumerFlags, (line) => cloudWatch.ingest(line));
    for (
      let noon = Date.parse('2026-09-24T12:00:00Z');
      noon < Date.parse('2026-11-23T00:00:00Z');
      noon += DAY_MS
    ) {
      for (const customer of ['c-1', 'c-2', 'c-3', 'c-4', 'c-5', 'c-6']) {
        consumerFlags.isEnabled('new-checkout', { targetingKey: customer });
        consumerFlags.isEnabled('split-test', { targetingKey: customer });
      }
      await recorder.flush(noon);
    }
    const source = new InMemoryFlagSource();
    source.host('orders', {
      'new-checkout': release({ enabled: true }),
      'old-banner': release({ enabled: false }),
      'split-test': release({ enabled: true, rolloutPercent: 50 }),
    });
    const tracker = new InMemoryTicketTracker();
    const publisher = new RecordingEventPublisher();

    // Act
    const report = await runFlagExpiryJob(
      {
        source,
        tracker,
        publisher,
        clock: new FixedClock(new Date('2026-11-23T02:00:00Z')),
        metrics: new RecordingMetrics(),
        usage: new CloudWatchFlagUsageReader(cloudWatch.client()),
      },
      {
        targets: [{ service: 'orders', applicationId: 'app0rd1', flagsProfileId: 'fl0rd1' }],
        warnWithinDays: 14,
        usageWindowDays: 30,
      },
    );

    // Assess
    expect(report.findings.map((f) => `${f.flag}:${f.assessment.findings.map((x) => x.reason)}`)).toEqual([
      'new-checkout:always-same',
      'old-banner:never-evaluated',
    ]);
    expect(report.findings[0]?.usage).toEqual({
      classification: 'always-same',
      windowDays: 30,
      evaluations: 180,
      variantsSeen: ['on'],
      daysEvaluated: 30,
      telemetrySince: '2026-09-24',
    });
    // 60 days of the service total, new-checkout's `on` and split-test's `on` and `off`: 240 daily
    // datapoints, read in pages of 50.
    expect(cloudWatch.requests.map((request) => request.NextToken)).toEqual([
      undefined,
      '50',
      '100',
      '150',
      '200',
    ]);
  });
});
