import { describe, expect, it } from 'vitest';
import type { DecodedFlag } from '../../functions/core/flags/appconfig-format.ts';
import {
  classifyFlagUsage,
  flagVariants,
  readFlagUsage,
  usageFinding,
  usageSummary,
  usageWindow,
} from '../../functions/core/flags/usage.ts';
import type { DailyEvaluations } from '../../functions/ports/flag-usage.ts';
import { InMemoryFlagUsage } from '../support/in-memory-flag-usage.ts';

const TODAY = '2026-11-23';
const WINDOW = usageWindow(TODAY, 30); // 2026-10-24 .. 2026-11-22

/** Daily points on the given days (`YYYY-MM-DD`), `evaluations` each. */
const on = (days: readonly string[], evaluations = 10): DailyEvaluations[] =>
  days.map((day) => ({ day, evaluations }));
/** Every day from `from` to `to` inclusive, skipping every `gap`-th (a series with holes). */
function daysFrom(from: string, to: string, gap = 0): string[] {
  const days: string[] = [];
  for (
    let t = Date.parse(`${from}T00:00:00Z`), i = 1;
    t <= Date.parse(`${to}T00:00:00Z`);
    t += 86_400_000, i++
  ) {
    if (gap === 0 || i % gap !== 0) days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}
const variants = (entries: Record<string, DailyEvaluations[]>) => new Map(Object.entries(entries));
const serviceSince = (day: string) => on(daysFrom(day, '2026-11-22', 5)); // weekly-ish holes

const flag = (overrides: Partial<DecodedFlag> = {}): DecodedFlag => ({
  key: 'new-checkout',
  owner: 'team-orders',
  type: 'release',
  created: '2026-09-01',
  expires: '2027-01-31',
  value: { enabled: true },
  ...overrides,
});

describe('Function: usageWindow', () => {
  it('judges the N full UTC days before today and looks for telemetry over twice as long', () => {
    expect(WINDOW).toEqual({
      windowDays: 30,
      window: { from: '2026-10-24', to: '2026-11-23' },
      lookback: { from: '2026-09-24', to: '2026-11-23' },
    });
  });
});

describe('Function: classifyFlagUsage', () => {
  it('calls a flag that served one variant over the whole window always-same, despite days without evaluations', () => {
    // Act
    const usage = classifyFlagUsage({
      variants: variants({ on: on(daysFrom('2026-10-24', '2026-11-22', 3)), off: [] }),
      serviceTotal: serviceSince('2026-09-24'),
      window: WINDOW,
    });

    // Assess
    expect(usage).toEqual({
      classification: 'always-same',
      windowDays: 30,
      evaluations: 200,
      variantsSeen: ['on'],
      daysEvaluated: 20,
      telemetrySince: '2026-09-24',
    });
  });

  it('calls a flag with no evaluation in a covered window never-evaluated', () => {
    // Act
    const usage = classifyFlagUsage({
      variants: variants({ on: [], off: [] }),
      serviceTotal: serviceSince('2026-10-01'),
      window: WINDOW,
    });

    // Assess
    expect(usage.classification).toBe('never-evaluated');
    expect(usage).toMatchObject({ evaluations: 0, variantsSeen: [], daysEvaluated: 0 });
  });

  it('says no-data, never never-evaluated, while the service has reported for fewer than N days', () => {
    // Act
    const usage = classifyFlagUsage({
      variants: variants({ on: [], off: [] }),
      serviceTotal: serviceSince('2026-11-10'),
      window: WINDOW,
    });

    // Assess
    expect(usage.classification).toBe('no-data');
    expect(usage.telemetrySince).toBe('2026-11-10');
  });

  it('says no-data when the service has no series at all (telemetry not deployed, or opted out)', () => {
    // Act
    const usage = classifyFlagUsage({
      variants: variants({ on: [], off: [] }),
      serviceTotal: [],
      window: WINDOW,
    });

    // Assess
    expect(usage.classification).toBe('no-data');
    expect(usage.telemetrySince).toBeUndefined();
  });

  it('says no-data, not never-evaluated, when the service reported before the window but evaluated no flag inside it', () => {
    // Prepare: every consumer stopped reporting on 2026-10-15 (opted out, or removed): nothing shows
    // the telemetry was live in the window, so its silence proves nothing about this flag
    const serviceTotal = on(daysFrom('2026-09-24', '2026-10-15'));

    // Act
    const usage = classifyFlagUsage({
      variants: variants({ on: [], off: [] }),
      serviceTotal,
      window: WINDOW,
    });

    // Assess
    expect(usage.classification).toBe('no-data');
    expect(usage.telemetrySince).toBe('2026-09-24');
    expect(usageSummary(usage)).toContain('an evaluation of some flag of the service inside them');
  });

  it('counts telemetry as covering the window when the service reported before it, though idle on its first day', () => {
    // Prepare: the service's total has a hole on 2026-10-24, the window's first day
    const serviceTotal = [...on(['2026-10-02', '2026-10-20']), ...on(daysFrom('2026-10-25', '2026-11-22'))];

    // Act
    const usage = classifyFlagUsage({
      variants: variants({ on: [], off: [] }),
      serviceTotal,
      window: WINDOW,
    });

    // Assess
    expect(usage).toMatchObject({ classification: 'never-evaluated', telemetrySince: '2026-10-02' });
  });

  it('says no-data, not always-same, for one variant served while the telemetry is younger than N days', () => {
    // Act
    const usage = classifyFlagUsage({
      variants: variants({ on: on(daysFrom('2026-11-15', '2026-11-22')), off: [] }),
      serviceTotal: on(daysFrom('2026-11-15', '2026-11-22')),
      window: WINDOW,
    });

    // Assess
    expect(usage).toMatchObject({ classification: 'no-data', evaluations: 80, variantsSeen: ['on'] });
  });

  it('says no-data for a flag created inside the window, however long the service has reported', () => {
    // Act
    const usage = classifyFlagUsage({
      created: '2026-11-16',
      variants: variants({ on: [], off: [] }),
      serviceTotal: serviceSince('2026-09-24'),
      window: WINDOW,
    });

    // Assess
    expect(usage.classification).toBe('no-data');
  });

  it('calls a flag serving two variants active, whatever the coverage, most evaluated variant first', () => {
    // Act
    const covered = classifyFlagUsage({
      variants: variants({ on: on(['2026-11-01'], 3), off: on(['2026-11-02', '2026-11-03'], 40) }),
      serviceTotal: serviceSince('2026-09-24'),
      window: WINDOW,
    });
    const young = classifyFlagUsage({
      variants: variants({ on: on(['2026-11-21'], 3), off: on(['2026-11-22'], 4) }),
      serviceTotal: on(['2026-11-21', '2026-11-22']),
      window: WINDOW,
    });

    // Assess
    expect(covered).toMatchObject({
      classification: 'active',
      evaluations: 83,
      variantsSeen: ['off', 'on'],
      daysEvaluated: 3,
    });
    expect(young.classification).toBe('active');
  });

  it('judges by the window only: a second variant served before it does not make the flag active', () => {
    // Act
    const usage = classifyFlagUsage({
      variants: variants({
        on: on(daysFrom('2026-10-24', '2026-11-22', 7)),
        off: on(['2026-10-10', '2026-10-23']),
      }),
      serviceTotal: serviceSince('2026-09-24'),
      window: WINDOW,
    });

    // Assess
    expect(usage).toMatchObject({ classification: 'always-same', variantsSeen: ['on'] });
  });
});

describe('Function: readFlagUsage', () => {
  it("reads every service's series in one call over the lookback and classifies each flag", async () => {
    // Prepare
    const reader = new InMemoryFlagUsage();
    for (const day of daysFrom('2026-09-24', '2026-11-22', 4))
      reader.record('orders', 'new-checkout', 'on', day, 5);
    reader
      .record('orders', 'theme', 'pro', '2026-11-02', 1)
      .record('orders', 'theme', 'classic', '2026-11-03', 9);
    const theme = flag({
      key: 'theme',
      value: {
        enabled: true,
        variants: [
          { name: 'pro', rule: '(eq $tier "pro")', value: 'midnight' },
          { name: 'classic', value: 'daylight' },
        ],
      },
    });

    // Act
    const usage = await readFlagUsage(
      reader,
      [
        { service: 'orders', flags: [flag(), flag({ key: 'old-banner' }), theme] },
        { service: 'payments', flags: [flag({ key: 'max-installments' })] },
      ],
      WINDOW,
    );

    // Assess
    expect(reader.calls).toHaveLength(1);
    expect(reader.calls[0]?.range).toEqual(WINDOW.lookback);
    expect(reader.calls[0]?.series).toContainEqual({ service: 'orders', flag: 'theme', variant: 'pro' });
    expect(reader.calls[0]?.series).toHaveLength(2 + 2 + 2 + 4 + 2);
    const classes = (service: string) =>
      Object.fromEntries([...(usage.get(service) ?? [])].map(([key, u]) => [key, u.classification]));
    expect(classes('orders')).toEqual({
      'new-checkout': 'always-same',
      'old-banner': 'never-evaluated',
      theme: 'active',
    });
    expect(classes('payments')).toEqual({ 'max-installments': 'no-data' });
  });

  it('asks for on, off and every rule-based variant of a flag', () => {
    // Act
    const names = flagVariants(
      flag({
        value: {
          enabled: true,
          variants: [
            { name: 'on', rule: '(eq $a 1)', value: true },
            { name: 'rest', value: false },
          ],
        },
      }),
    );

    // Assess
    expect(names).toEqual(['on', 'off', 'rest']);
  });
});

describe('Function: usageFinding', () => {
  const usage = (classification: 'always-same' | 'never-evaluated' | 'active' | 'no-data') => ({
    classification,
    windowDays: 30,
    evaluations: classification === 'never-evaluated' ? 0 : 12_345,
    variantsSeen: classification === 'never-evaluated' ? [] : ['on'],
    daysEvaluated: 28,
    telemetrySince: '2026-09-01',
  });

  it('reports never-evaluated for every type and always-same for flags that are meant to go', () => {
    expect(usageFinding(flag({ type: 'kill-switch' }), usage('never-evaluated'))).toEqual({
      reason: 'never-evaluated',
      message: 'not evaluated once in the last 30 days (telemetry since 2026-09-01)',
    });
    expect(usageFinding(flag({ type: 'release' }), usage('always-same'))).toEqual({
      reason: 'always-same',
      message: 'served only `on` for the last 30 days (12,345 evaluations on 28 of them)',
    });
    expect(usageFinding(flag({ type: 'kill-switch' }), usage('always-same'))).toBeUndefined();
    expect(usageFinding(flag({ type: 'permission' }), usage('always-same'))).toBeUndefined();
    expect(usageFinding(flag(), usage('active'))).toBeUndefined();
    expect(usageFinding(flag(), usage('no-data'))).toBeUndefined();
  });

  it('summarises the class and its figures in one ticket line', () => {
    expect(usageSummary(usage('always-same'))).toBe(
      '**Usage** (last 30 days): always-same, 12,345 evaluations on 28 days, variants served: `on`; telemetry since 2026-09-01',
    );
    expect(
      usageSummary({ ...usage('no-data'), telemetrySince: undefined, evaluations: 0, variantsSeen: [] }),
    ).toContain('no-data (too little telemetry to judge');
  });
});
