import { describe, expect, it } from 'vitest';
import { checkFlagDefinition } from '../../functions/core/flags/metadata.ts';
import {
  assessFlag,
  daysBetween,
  FLAG_LIFETIME_DAYS,
  type FlagMetadata,
  percentile,
  utcDay,
} from '../../functions/core/flags/policy.ts';
import type { FlagDefinition } from '../../functions/core/model.ts';

const today = '2026-11-23';
const options = { today, warnWithinDays: 14 };
const flag = (overrides: Partial<FlagMetadata> = {}): FlagMetadata => ({
  key: 'new-checkout',
  owner: 'team-orders',
  type: 'release',
  created: '2026-11-01',
  expires: '2027-01-31',
  ...overrides,
});
const reasons = (metadata: FlagMetadata, opts = options) =>
  assessFlag(metadata, opts).findings.map((f) => f.reason);

describe('Function: assessFlag', () => {
  it('finds nothing wrong with a young, owned flag that expires later', () => {
    // Act
    const assessment = assessFlag(flag(), options);

    // Assess
    expect(assessment).toEqual({ key: 'new-checkout', ageDays: 22, daysToExpiry: 69, findings: [] });
  });

  it.each([
    ['yesterday', '2026-11-22', ['expired']],
    ['today (the expires day is the day the flag should be gone)', '2026-11-23', ['expired']],
    ['tomorrow', '2026-11-24', ['expiring-soon']],
    ['on the last day of the warning window', '2026-12-07', ['expiring-soon']],
    ['the day after the warning window', '2026-12-08', []],
  ])('judges a flag that expires %s', (_, expires, expected) => {
    // Act
    const found = reasons(flag({ expires }));

    // Assess
    expect(found).toEqual(expected);
  });

  it('says how long ago a flag expired and that one expires today', () => {
    // Act
    const past = assessFlag(flag({ expires: '2026-11-20' }), options).findings[0];
    const now = assessFlag(flag({ expires: today }), options).findings[0];

    // Assess
    expect(past?.message).toBe('expired 3 days ago (2026-11-20)');
    expect(now?.message).toBe('expires today (2026-11-23)');
  });

  it('warns of nothing with a zero-day window, but still reports the expired', () => {
    // Act
    const tomorrow = reasons(flag({ expires: '2026-11-24' }), { today, warnWithinDays: 0 });
    const todayExpired = reasons(flag({ expires: today }), { today, warnWithinDays: 0 });

    // Assess
    expect(tomorrow).toEqual([]);
    expect(todayExpired).toEqual(['expired']);
  });

  it.each([
    ['release', 40],
    ['experiment', 40],
    ['operational', 7],
  ] as const)('reports a %s flag older than %i days, not one exactly that old', (type, lifetime) => {
    // Prepare
    const createdDaysAgo = (days: number) =>
      utcDay(new Date(Date.parse(`${today}T00:00:00Z`) - days * 86_400_000));

    // Act
    const atLimit = reasons(flag({ type, created: createdDaysAgo(lifetime), expires: '2027-06-30' }));
    const overLimit = assessFlag(
      flag({ type, created: createdDaysAgo(lifetime + 1), expires: '2027-06-30' }),
      options,
    );

    // Assess
    expect(FLAG_LIFETIME_DAYS[type]).toBe(lifetime);
    expect(atLimit).toEqual([]);
    expect(overLimit.findings.map((f) => f.reason)).toEqual(['over-lifetime']);
    expect(overLimit.findings[0]?.message).toBe(
      `${lifetime + 1} days old, over the ${lifetime}-day lifetime of a ${type} flag`,
    );
  });

  it.each(['kill-switch', 'permission'] as const)('never retires a %s flag for its age', (type) => {
    // Act
    const found = reasons({ key: 'old', owner: 'team-orders', type, created: '2019-01-01' });

    // Assess
    expect(FLAG_LIFETIME_DAYS[type]).toBeUndefined();
    expect(found).toEqual([]);
  });

  it('still reports a kill switch that was given an expires day once it passes', () => {
    // Act
    const found = reasons({
      key: 'kill',
      owner: 'team-orders',
      type: 'kill-switch',
      created: '2026-01-01',
      expires: '2026-11-01',
    });

    // Assess
    expect(found).toEqual(['expired']);
  });

  it.each([undefined, '', '   '])('reports a flag without an owner (%j)', (owner) => {
    // Act
    const found = reasons(flag({ owner }));

    // Assess
    expect(found).toEqual(['no-owner']);
  });

  it.each([
    [{ type: undefined }, 'no type'],
    [{ type: 'rollout' }, 'unknown type "rollout"'],
    [{ created: undefined }, 'no created day'],
    [{ created: '2026-02-30' }, 'created is not a YYYY-MM-DD day'],
    [{ created: '23/11/2026' }, 'created is not a YYYY-MM-DD day'],
    [{ expires: '2026-13-01' }, 'expires is not a YYYY-MM-DD day'],
    [{ expires: undefined }, 'a release flag needs an expires day'],
  ])('reports broken metadata %j', (overrides, message) => {
    // Act
    const findings = assessFlag(flag(overrides), options).findings;

    // Assess
    expect(findings).toEqual([{ reason: 'invalid-metadata', message }]);
  });

  it('leaves age and expiry undefined when the dates are missing', () => {
    // Act
    const assessment = assessFlag({ key: 'bare' }, options);

    // Assess
    expect(assessment.ageDays).toBeUndefined();
    expect(assessment.daysToExpiry).toBeUndefined();
    expect(assessment.findings.map((f) => f.reason)).toEqual(['no-owner', 'invalid-metadata']);
  });

  it('orders several findings most pressing first', () => {
    // Act
    const found = reasons({ key: 'mess', type: 'operational', created: '2026-01-01', expires: '2026-02-01' });

    // Assess
    expect(found).toEqual(['expired', 'over-lifetime', 'no-owner']);
  });

  it('judges by UTC calendar day: late evening in New York is already tomorrow', () => {
    // Prepare: 2026-11-22 23:30 in New York is 2026-11-23 04:30 UTC
    const instant = new Date('2026-11-22T23:30:00-05:00');

    // Act
    const day = utcDay(instant);

    // Assess
    expect(day).toBe('2026-11-23');
    expect(reasons(flag({ expires: '2026-11-23' }), { today: day, warnWithinDays: 14 })).toEqual(['expired']);
  });

  it('judges by UTC calendar day: just after midnight in Sydney is still yesterday', () => {
    // Prepare: 2026-11-24 00:30 in Sydney (UTC+11) is 2026-11-23 13:30 UTC
    const instant = new Date('2026-11-24T00:30:00+11:00');

    // Act
    const day = utcDay(instant);

    // Assess
    expect(day).toBe('2026-11-23');
    expect(reasons(flag({ expires: '2026-11-24' }), { today: day, warnWithinDays: 14 })).toEqual([
      'expiring-soon',
    ]);
  });
});

describe('Function: daysBetween', () => {
  it('counts whole days across a month, a year and a DST change', () => {
    // Act & Assess
    expect(daysBetween('2026-10-24', '2026-10-26')).toBe(2);
    expect(daysBetween('2026-12-31', '2027-01-01')).toBe(1);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2026-11-23', '2026-11-20')).toBe(-3);
  });
});

describe('Function: percentile', () => {
  it('takes the nearest rank and answers undefined for no values', () => {
    // Act & Assess
    expect(percentile([], 50)).toBeUndefined();
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([4, 1, 3, 2], 50)).toBe(2);
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        95,
      ),
    ).toBe(95);
  });
});

describe('Function: checkFlagDefinition', () => {
  const environments = ['staging', 'production'];
  const definition = (overrides: Partial<FlagDefinition> = {}): FlagDefinition => ({
    description: 'x',
    owner: 'team-orders',
    type: 'release',
    created: '2026-11-01',
    expires: '2027-01-31',
    environments: { staging: { enabled: true } },
    ...overrides,
  });

  it('accepts a sound flag and a kill switch without expiry', () => {
    // Act & Assess
    expect(checkFlagDefinition(definition(), environments)).toEqual([]);
    expect(
      checkFlagDefinition(definition({ type: 'kill-switch', expires: undefined }), environments),
    ).toEqual([]);
  });

  it.each([
    [{ owner: ' ' }, 'has no owner'],
    [{ expires: undefined }, 'a release flag needs an expires date'],
    [{ type: 'operational', expires: undefined } as const, 'a operational flag needs an expires date'],
    [{ created: '2026-11-31' }, 'created must be a YYYY-MM-DD day'],
    [{ expires: '2026-10-01' }, 'expires is before created'],
    [{ environments: { qa: { enabled: true } } }, 'values for unknown environment "qa"'],
    [
      { environments: { staging: { enabled: true, rolloutPercent: 101 } } },
      'staging: rolloutPercent must be 0-100',
    ],
    [
      { type: 'kill-switch', expires: undefined, valueKind: 'string', defaultValue: 'off' } as const,
      'a kill switch is on or off: valueKind must be boolean, not string',
    ],
  ])('reports %j', (overrides, problem) => {
    // Act
    const problems = checkFlagDefinition(definition(overrides as Partial<FlagDefinition>), environments);

    // Assess
    expect(problems).toContain(problem);
  });
});

describe('Function: checkFlagDefinition with its key', () => {
  it('adds what AppConfig would refuse', () => {
    // Prepare
    const definition: FlagDefinition = {
      description: 'x',
      owner: 'team-orders',
      type: 'kill-switch',
      created: '2026-11-01',
      environments: {},
    };

    // Act
    const problems = checkFlagDefinition(definition, ['staging'], 'Kill_All');
    const withoutKey = checkFlagDefinition(definition, ['staging']);

    // Assess
    expect(problems).toEqual([
      'the key must start with a lower-case letter and hold at most 64 letters, digits, "_" or "-"',
    ]);
    expect(withoutKey).toEqual([]);
  });
});
