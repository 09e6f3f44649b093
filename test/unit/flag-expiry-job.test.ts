import { beforeEach, describe, expect, it } from 'vitest';
import {
  FlagExpiryJobError,
  flagTicketKey,
  runFlagExpiryJob,
} from '../../functions/core/flags/expiry-job.ts';
import type { FlagDefinition } from '../../functions/core/model.ts';
import type { FlagProfileRef } from '../../functions/ports/flag-source.ts';
import { InMemoryFlagSource } from '../support/flag-source-double.ts';
import { RecordingMetrics } from '../support/recording-metrics.ts';
import { FixedClock, InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';

const targets: FlagProfileRef[] = [
  { service: 'orders', applicationId: 'app0rd1', flagsProfileId: 'fl0rd1' },
  { service: 'payments', applicationId: 'appay01', flagsProfileId: 'flpay01' },
];

const flag = (overrides: Partial<FlagDefinition> = {}): FlagDefinition => ({
  description: 'a flag',
  owner: 'team-orders',
  type: 'release',
  created: '2026-11-01',
  expires: '2027-01-31',
  environments: { production: { enabled: true } },
  ...overrides,
});

describe('Function: runFlagExpiryJob', () => {
  let source: InMemoryFlagSource;
  let tracker: InMemoryTicketTracker;
  let publisher: RecordingEventPublisher;
  let metrics: RecordingMetrics;
  let clock: FixedClock;
  const run = () =>
    runFlagExpiryJob({ source, tracker, publisher, clock, metrics }, { targets, warnWithinDays: 14 });

  beforeEach(() => {
    source = new InMemoryFlagSource();
    tracker = new InMemoryTicketTracker();
    publisher = new RecordingEventPublisher();
    metrics = new RecordingMetrics();
    clock = new FixedClock(new Date('2026-11-23T02:00:00Z'));
    source.host('orders', {
      'new-checkout': flag(),
      'old-banner': flag({ expires: '2026-11-20' }),
      'soon-gone': flag({ created: '2026-11-20', expires: '2026-11-30' }),
    });
    source.host('payments', {
      'max-installments': flag({
        owner: 'team-payments',
        type: 'operational',
        created: '2026-11-01',
        expires: '2026-12-31',
      }),
      'beta-dashboard': flag({ owner: '', type: 'permission', created: '2026-09-01', expires: undefined }),
    });
  });

  it('files one ticket per flag that needs attention, with its reasons', async () => {
    // Act
    const report = await run();

    // Assess
    expect(report.today).toBe('2026-11-23');
    expect(
      report.findings.map((f) => `${f.service}/${f.flag}:${f.assessment.findings.map((x) => x.reason)}`),
    ).toEqual([
      'orders/old-banner:expired',
      'orders/soon-gone:expiring-soon',
      'payments/beta-dashboard:no-owner',
      'payments/max-installments:over-lifetime',
    ]);
    expect(tracker.tickets.map((t) => t.request.dedupKey)).toEqual([
      'flag-expired:orders:old-banner',
      'flag-expired:orders:soon-gone',
      'flag-expired:payments:beta-dashboard',
      'flag-expired:payments:max-installments',
    ]);
    const expired = tracker.tickets[0]?.request;
    expect(expired).toMatchObject({
      title: 'Feature flag orders/old-banner: expired',
      severity: 'medium',
      category: 'flags',
      data: {
        service: 'orders',
        flag: 'old-banner',
        reason: 'expired',
        owner: 'team-orders',
        expires: '2026-11-20',
      },
    });
    expect(expired?.body).toContain('expired 3 days ago (2026-11-20)');
    expect(tracker.tickets[1]?.request.severity).toBe('low');
    expect(report.ticketsCreated).toBe(4);
  });

  it('does not file a second ticket for the same flag on the next night', async () => {
    // Prepare
    await run();
    clock.advance(86_400_000);

    // Act
    const second = await run();

    // Assess
    expect(tracker.tickets).toHaveLength(4);
    expect(second.ticketsCreated).toBe(0);
    expect(second.findings.every((f) => f.ticket?.created === false)).toBe(true);
    expect(second.findings.find((f) => f.flag === 'old-banner')?.ticket?.ref).toEqual(
      tracker.tickets[0]?.ref,
    );
  });

  it('keeps the heads-up ticket when the flag goes from expiring soon to expired', async () => {
    // Prepare
    await run();
    clock.advance(8 * 86_400_000);

    // Act
    const later = await run();

    // Assess
    const soonGone = later.findings.find((f) => f.flag === 'soon-gone');
    expect(soonGone?.assessment.findings.map((f) => f.reason)).toEqual(['expired']);
    expect(soonGone?.ticket).toEqual({ ref: tracker.tickets[1]?.ref, created: false });
  });

  it('closes the tickets of flags that were removed or fixed', async () => {
    // Prepare
    await run();
    source.host('orders', {
      'new-checkout': flag(),
      'soon-gone': flag({ created: '2026-11-20', expires: '2026-11-30' }),
    });
    source.host('payments', {
      'max-installments': flag({ type: 'operational', created: '2026-11-01', expires: '2026-12-31' }),
      'beta-dashboard': flag({
        owner: 'team-payments',
        type: 'permission',
        created: '2026-09-01',
        expires: undefined,
      }),
    });

    // Act
    const report = await run();

    // Assess
    const closed = tracker.tickets.filter((t) => !t.open);
    expect(closed.map((t) => t.request.dedupKey)).toEqual([
      'flag-expired:orders:old-banner',
      'flag-expired:payments:beta-dashboard',
    ]);
    expect(closed[0]?.comments[0]).toBe('Closed by the flag-expiry job on 2026-11-23: the flag was removed.');
    expect(closed[1]?.comments[0]).toBe(
      'Closed by the flag-expiry job on 2026-11-23: the flag meets the policy again.',
    );
    expect(report.resolvedTickets).toHaveLength(2);
  });

  it('publishes a Feature Flag Expired event per flag with its lead reason and ticket', async () => {
    // Act
    await run();

    // Assess
    const events = publisher.ofType('Feature Flag Expired');
    expect(events).toHaveLength(4);
    expect(events[0]?.detail).toEqual({
      service: 'orders',
      application: 'app0rd1',
      flag: 'old-banner',
      owner: 'team-orders',
      type: 'release',
      expires: '2026-11-20',
      reason: 'expired',
      ticket: { tracker: 'opscenter', id: 'oi-1' },
    });
    expect(
      events.find((e) => (e.detail as { flag: string }).flag === 'beta-dashboard')?.detail,
    ).not.toHaveProperty('owner');
  });

  it('records flags per service and flag age p50 and p95', async () => {
    // Act
    await run();

    // Assess: orders ages 22, 22, 3; payments 22, 83
    expect(metrics.value('FlagCount', 'orders')).toBe(3);
    expect(metrics.value('FlagCount', 'payments')).toBe(2);
    expect(metrics.value('FlagFindings', 'orders')).toBe(1);
    expect(metrics.value('FlagAgeP50Days', 'orders')).toBe(22);
    expect(metrics.value('FlagAgeP95Days', 'payments')).toBe(83);
    expect(metrics.value('FlagAgeP50Days')).toBe(22);
    expect(metrics.value('FlagAgeP95Days')).toBe(83);
  });

  it('reports a hand-edited document with missing metadata instead of skipping it', async () => {
    // Prepare
    source.hostRaw('orders', {
      version: '1',
      flags: { legacy: { name: 'legacy' } },
      values: { legacy: { enabled: true } },
    });

    // Act
    const report = await run();

    // Assess
    const legacy = report.findings.find((f) => f.flag === 'legacy');
    expect(legacy?.assessment.findings.map((f) => f.reason)).toEqual(['no-owner', 'invalid-metadata']);
    expect(
      publisher.events.find((e) => (e.detail as { flag: string }).flag === 'legacy')?.detail,
    ).toMatchObject({
      type: 'unknown',
      reason: 'no-owner',
    });
  });

  it('counts a service without any hosted version as zero flags', async () => {
    // Prepare
    source = new InMemoryFlagSource();

    // Act
    const report = await run();

    // Assess
    expect(report.services).toEqual([
      { service: 'orders', flags: 0 },
      { service: 'payments', flags: 0 },
    ]);
    expect(metrics.value('FlagCount', 'orders')).toBe(0);
    expect(tracker.tickets).toHaveLength(0);
  });

  it('processes the other services when one cannot be read, then fails so the run is retried', async () => {
    // Prepare
    source.failFor.add('orders');

    // Act
    const act = run();

    // Assess
    await expect(act).rejects.toBeInstanceOf(FlagExpiryJobError);
    await expect(act).rejects.toThrow('orders (Error: cannot read orders)');
    expect(tracker.tickets.map((t) => t.request.dedupKey)).toEqual([
      'flag-expired:payments:beta-dashboard',
      'flag-expired:payments:max-installments',
    ]);
  });

  it('never copies a flag value into a ticket, event or error', async () => {
    // Prepare
    const secret = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
    source.host('orders', {
      'promo-token': flag({
        valueKind: 'string',
        defaultValue: secret,
        expires: '2026-11-01',
        environments: { production: { enabled: true, value: secret } },
      }),
    });

    // Act
    await run();

    // Assess
    const captured = JSON.stringify([tracker.tickets, publisher.events, metrics.points]);
    expect(captured).toContain('promo-token');
    expect(captured).not.toContain(secret);
  });

  it('builds dedup keys from the application and flag names', () => {
    // Act & Assess
    expect(flagTicketKey('orders', 'new-checkout')).toBe('flag-expired:orders:new-checkout');
  });
});
