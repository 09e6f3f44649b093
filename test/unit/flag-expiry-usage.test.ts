import { beforeEach, describe, expect, it } from 'vitest';
import { stewardEvent } from '../../functions/core/events.ts';
import { FlagExpiryJobError, runFlagExpiryJob } from '../../functions/core/flags/expiry-job.ts';
import type { FlagDefinition } from '../../functions/core/model.ts';
import type { FlagProfileRef } from '../../functions/ports/flag-source.ts';
import { FlagUsageAccessDeniedError } from '../../functions/ports/flag-usage.errors.ts';
import { InMemoryFlagSource } from '../support/flag-source-double.ts';
import { InMemoryFlagUsage } from '../support/in-memory-flag-usage.ts';
import { RecordingMetrics } from '../support/recording-metrics.ts';
import { FixedClock, InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';

const targets: FlagProfileRef[] = [
  { service: 'orders', applicationId: 'app0rd1', flagsProfileId: 'fl0rd1' },
  { service: 'payments', applicationId: 'appay01', flagsProfileId: 'flpay01' },
];
const SECRET_VALUE = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';

/** Healthy by the policy on 2026-11-23: owned, typed, 34 days old, expiring in two months. */
const flag = (overrides: Partial<FlagDefinition> = {}): FlagDefinition => ({
  description: 'a flag',
  owner: 'team-orders',
  type: 'release',
  created: '2026-10-20',
  expires: '2027-01-31',
  environments: { production: { enabled: true } },
  ...overrides,
});

/** Every day from `from` to `to` inclusive. */
function days(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

describe('Function: runFlagExpiryJob with flag usage', () => {
  let source: InMemoryFlagSource;
  let usage: InMemoryFlagUsage;
  let tracker: InMemoryTicketTracker;
  let publisher: RecordingEventPublisher;
  let clock: FixedClock;
  const run = () =>
    runFlagExpiryJob(
      { source, tracker, publisher, clock, metrics: new RecordingMetrics(), usage },
      { targets, warnWithinDays: 14, usageWindowDays: 30 },
    );
  const ticketOf = (flagKey: string) =>
    tracker.tickets.find((t) => t.request.dedupKey.endsWith(`:${flagKey}`));
  const eventOf = (flagKey: string) =>
    publisher.events.find((e) => (e.detail as { flag: string }).flag === flagKey)?.detail;

  beforeEach(() => {
    source = new InMemoryFlagSource();
    usage = new InMemoryFlagUsage();
    tracker = new InMemoryTicketTracker();
    publisher = new RecordingEventPublisher();
    clock = new FixedClock(new Date('2026-11-23T02:00:00Z'));
    source.host('orders', {
      'new-checkout': flag({
        environments: { production: { enabled: true, value: SECRET_VALUE } },
        valueKind: 'string',
        defaultValue: 'x',
      }),
      'old-banner': flag(),
      'disable-recommendations': flag({ type: 'kill-switch', expires: undefined }),
      'split-test': flag({ type: 'experiment' }),
    });
    source.host('payments', { 'max-installments': flag({ owner: 'team-payments', expires: '2026-11-20' }) });
    // orders has reported every day since 2026-09-20; payments only since 2026-11-15.
    for (const day of days('2026-09-20', '2026-11-22')) {
      usage.record('orders', 'new-checkout', 'on', day, 40);
      usage.record('orders', 'disable-recommendations', 'off', day, 40);
      usage.record('orders', 'split-test', day < '2026-11-10' ? 'on' : 'off', day, 7);
    }
    for (const day of days('2026-11-15', '2026-11-22'))
      usage.record('payments', 'max-installments', 'on', day, 3);
  });

  it('files cleanup tickets for flags always served one way or never evaluated, with the figures', async () => {
    // Act
    const report = await run();

    // Assess
    expect(
      report.findings.map((f) => `${f.service}/${f.flag}:${f.assessment.findings.map((x) => x.reason)}`),
    ).toEqual([
      'orders/new-checkout:always-same',
      'orders/old-banner:never-evaluated',
      'payments/max-installments:expired',
    ]);
    expect(ticketOf('new-checkout')?.request).toMatchObject({
      title: 'Feature flag orders/new-checkout: always-same',
      severity: 'low',
      data: { reason: 'always-same', usage: 'always-same' },
    });
    expect(ticketOf('new-checkout')?.request.body).toContain(
      '- **always-same**: served only `on` for the last 30 days (1,200 evaluations on 30 of them)',
    );
    expect(ticketOf('new-checkout')?.request.body).toContain(
      '**Usage** (last 30 days): always-same, 1,200 evaluations on 30 days, variants served: `on`; telemetry since 2026-09-24',
    );
    expect(ticketOf('new-checkout')?.request.body).toContain('keeping what `on` serves');
    expect(ticketOf('old-banner')?.request).toMatchObject({
      severity: 'medium',
      data: { usage: 'never-evaluated' },
    });
    expect(ticketOf('old-banner')?.request.body).toContain(
      'not evaluated once in the last 30 days (telemetry since 2026-09-24)',
    );
  });

  it('leaves alone a kill switch serving one side, a flag serving two variants, and one without enough telemetry', async () => {
    // Act
    const report = await run();

    // Assess
    const judged = new Map(report.findings.map((f) => [f.flag, f]));
    expect(judged.has('disable-recommendations')).toBe(false);
    expect(judged.has('split-test')).toBe(false);
    // An expired flag whose service reported for 8 days only: its usage says no-data, never never-evaluated.
    expect(judged.get('max-installments')?.usage).toMatchObject({
      classification: 'no-data',
      telemetrySince: '2026-11-15',
      evaluations: 24,
    });
    expect(ticketOf('max-installments')?.request.body).toContain('**Usage** (last 30 days): no-data');
  });

  it('puts the classification and its figures in the Feature Flag Expired event, which the catalog accepts', async () => {
    // Act
    await run();

    // Assess
    expect(eventOf('new-checkout')).toEqual({
      service: 'orders',
      application: 'app0rd1',
      flag: 'new-checkout',
      owner: 'team-orders',
      type: 'release',
      expires: '2027-01-31',
      reason: 'always-same',
      usage: {
        classification: 'always-same',
        windowDays: 30,
        evaluations: 1200,
        variantsSeen: ['on'],
        daysEvaluated: 30,
        telemetrySince: '2026-09-24',
      },
      ticket: { tracker: 'opscenter', id: 'oi-1' },
    });
    expect(() => stewardEvent('Feature Flag Expired', eventOf('old-banner') as never)).not.toThrow();
    expect(eventOf('max-installments')).toMatchObject({
      reason: 'expired',
      usage: { classification: 'no-data' },
    });
  });

  it('never copies a served value into a ticket or event: variants travel by name', async () => {
    // Act
    await run();

    // Assess
    const captured = JSON.stringify([tracker.tickets, publisher.events]);
    expect(captured).toContain('new-checkout');
    expect(captured).not.toContain(SECRET_VALUE);
  });

  it('reads the usage of every service in one batched call over the lookback', async () => {
    // Act
    await run();

    // Assess
    expect(usage.calls).toHaveLength(1);
    expect(usage.calls[0]?.range).toEqual({ from: '2026-09-24', to: '2026-11-23' });
    expect(usage.calls[0]?.series).toContainEqual({ service: 'payments' });
    expect(usage.calls[0]?.series).toContainEqual({ service: 'orders', flag: 'split-test', variant: 'off' });
  });

  it('closes a usage ticket once the flag serves two variants again', async () => {
    // Prepare
    await run();
    usage.record('orders', 'new-checkout', 'off', '2026-11-23', 5);
    clock.advance(86_400_000);

    // Act
    const report = await run();

    // Assess
    expect(ticketOf('new-checkout')?.open).toBe(false);
    expect(ticketOf('new-checkout')?.comments).toEqual([
      'Closed by the flag-expiry job on 2026-11-24: the flag meets the policy again.',
    ]);
    expect(report.findings.find((f) => f.flag === 'new-checkout')).toBeUndefined();
  });

  it('says so when it closes a ticket of a flag whose usage can no longer be judged, rather than calling it healthy', async () => {
    // Prepare: old-banner is never evaluated while orders reports; then every consumer of orders
    // stops reporting (telemetry switched off), so nothing can be said about its usage any more
    await run();
    const filed = ticketOf('old-banner')?.open;
    usage = new InMemoryFlagUsage();
    for (const day of days('2026-09-20', '2026-10-15')) usage.record('orders', 'new-checkout', 'on', day, 40);
    clock.advance(86_400_000);

    // Act
    const report = await run();

    // Assess
    expect(filed).toBe(true);
    expect(report.findings.find((f) => f.flag === 'old-banner')).toBeUndefined();
    expect(ticketOf('old-banner')?.comments).toEqual([
      'Closed by the flag-expiry job on 2026-11-24: the flag meets the policy by its metadata; ' +
        'its usage cannot be judged now (no-data: too little telemetry of orders in the last 30 days).',
    ]);
  });

  it('judges by metadata alone when the metrics cannot be read, keeps usage tickets open, then fails to be retried', async () => {
    // Prepare
    await run();
    usage.failWith = new FlagUsageAccessDeniedError('GetMetricData');
    source.host('orders', { 'new-checkout': flag(), 'split-test': flag({ type: 'experiment' }) });

    // Act
    const act = run();

    // Assess
    await expect(act).rejects.toBeInstanceOf(FlagExpiryJobError);
    await expect(act).rejects.toThrow(
      'flag usage metrics (FlagUsageAccessDeniedError: GetMetricData: access denied',
    );
    expect(ticketOf('new-checkout')?.open).toBe(true); // present: its ticket may rest on the metrics
    expect(ticketOf('old-banner')?.open).toBe(false); // removed: closed whatever the metrics say
    expect(ticketOf('max-installments')?.open).toBe(true); // expired: filed by the policy alone
    const secondNight = publisher.events.slice(3);
    expect(secondNight.map((e) => (e.detail as { flag: string; usage?: unknown }).usage)).toEqual([
      undefined,
    ]);
  });

  it('judges by metadata alone without a usage reader, as before', async () => {
    // Act
    const report = await runFlagExpiryJob(
      { source, tracker, publisher, clock, metrics: new RecordingMetrics() },
      { targets, warnWithinDays: 14 },
    );

    // Assess
    expect(report.findings.map((f) => f.flag)).toEqual(['max-installments']);
    expect(report.findings[0]?.usage).toBeUndefined();
    expect(eventOf('max-installments')).not.toHaveProperty('usage');
  });
});
