import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDesiredState } from '../../functions/core/check.ts';
import {
  assessFlag,
  daysBetween,
  FLAG_LIFETIME_DAYS,
  futureCreatedProblem,
  plannedLifetimeProblem,
  utcDay,
} from '../../functions/core/flags/policy.ts';
import { defineService, type FlagDefinition, type FlagType } from '../../functions/core/model.ts';
import { fixtureSettings } from '../support/fixture-organisation.ts';

const DAY_MS = 86_400_000;
const plusDays = (day: string, days: number) =>
  utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS));

const flag = (type: FlagType, created: string, expires?: string): FlagDefinition => ({
  description: 'a flag under test',
  owner: 'team-fixture',
  type,
  created,
  ...(expires === undefined ? {} : { expires }),
  environments: { staging: { enabled: true } },
});

describe('Function: plannedLifetimeProblem', () => {
  it.each([
    ['release', 40],
    ['experiment', 40],
    ['operational', 7],
  ] as const)('accepts a %s flag planned for exactly %i days, refuses one day more', (type, lifetime) => {
    // Act
    const atLimit = plannedLifetimeProblem(flag(type, '2026-11-18', plusDays('2026-11-18', lifetime)));
    const overLimit = plannedLifetimeProblem(flag(type, '2026-11-18', plusDays('2026-11-18', lifetime + 1)));

    // Assess
    expect(FLAG_LIFETIME_DAYS[type]).toBe(lifetime);
    expect(atLimit).toBeUndefined();
    expect(overLimit).toContain(`expires ${lifetime + 1} days after created`);
    expect(overLimit).toContain(`over the ${lifetime}-day lifetime`);
    expect(overLimit).toContain(`expire it on ${plusDays('2026-11-18', lifetime)} at the latest`);
  });

  it('says what the example operational flag of the issue got wrong, and by when to expire it', () => {
    // Act
    const problem = plannedLifetimeProblem(flag('operational', '2026-11-18', '2026-12-31'));

    // Assess
    expect(problem).toBe(
      'expires 43 days after created (2026-11-18 to 2026-12-31), over the 7-day lifetime of an ' +
        'operational flag: expire it on 2026-11-25 at the latest',
    );
  });

  it.each(['kill-switch', 'permission'] as const)(
    'never limits a %s flag, even with a far expires',
    (type) => {
      // Act & Assess
      expect(plannedLifetimeProblem(flag(type, '2019-01-01', '2099-12-31'))).toBeUndefined();
    },
  );

  it('leaves missing or malformed days to the metadata rules instead of guessing', () => {
    // Act & Assess
    expect(plannedLifetimeProblem(flag('release', '2026-11-18'))).toBeUndefined();
    expect(plannedLifetimeProblem(flag('release', '2026-11-31', '2099-01-01'))).toBeUndefined();
    expect(plannedLifetimeProblem(flag('release', '2026-11-18', 'soon'))).toBeUndefined();
  });

  it('guarantees that a flag it accepts is never over its lifetime before its expires day', () => {
    // A flag `steward check` accepts must not turn up in `steward flags` as over-lifetime while
    // its own expires day is still ahead: expired is the only way it leaves the clean state.
    const day = fc.integer({ min: 0, max: 3_000 }).map((offset) => plusDays('2025-01-01', offset));
    fc.assert(
      fc.property(
        fc.constantFrom<FlagType>('release', 'experiment', 'operational'),
        day,
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 0, max: 200 }),
        (type, created, plannedDays, todayOffset) => {
          const expires = plusDays(created, plannedDays);
          const today = plusDays(created, todayOffset);
          if (plannedLifetimeProblem(flag(type, created, expires)) !== undefined) return;
          if (daysBetween(today, expires) <= 0) return;
          const reasons = assessFlag(
            { key: 'f', owner: 'team-fixture', type, created, expires },
            { today, warnWithinDays: 14 },
          ).findings.map((finding) => finding.reason);
          expect(reasons).not.toContain('over-lifetime');
        },
      ),
    );
  });
});

describe('Function: checkDesiredState (flag lifetimes)', () => {
  const settings = fixtureSettings();
  const serviceWith = (flags: Record<string, FlagDefinition>) =>
    defineService({ name: 'catalog', keys: {}, values: {}, flags });

  it('reports a flag planned past its type lifetime, naming the service and flag', () => {
    // Act
    const findings = checkDesiredState(
      { services: [serviceWith({ 'bulk-import': flag('operational', '2026-11-18', '2026-12-31') })] },
      settings,
    );

    // Assess
    expect(findings).toEqual([
      {
        rule: 'flag',
        subject: 'catalog:bulk-import',
        message: expect.stringContaining('over the 7-day lifetime of an operational flag') as unknown,
      },
    ]);
  });

  it('accepts flags within their lifetimes, whatever day it is', () => {
    // Act
    const findings = checkDesiredState(
      {
        services: [
          serviceWith({
            'new-search': flag('release', '2020-01-01', '2020-02-10'),
            'hot-fix': flag('operational', '2020-01-01', '2020-01-08'),
            'kill-search': flag('kill-switch', '2020-01-01'),
          }),
        ],
      },
      settings,
    );

    // Assess
    expect(findings).toEqual([]);
  });
});

describe('Function: futureCreatedProblem', () => {
  it.each(['release', 'experiment', 'operational', 'kill-switch', 'permission'] as const)(
    'accepts a %s flag created today or before, refuses one created tomorrow',
    (type) => {
      // Act
      const today = futureCreatedProblem(flag(type, '2026-11-30', '2026-12-05'), '2026-11-30');
      const before = futureCreatedProblem(flag(type, '2026-11-02', '2026-12-05'), '2026-11-30');
      const tomorrow = futureCreatedProblem(flag(type, '2026-12-01', '2026-12-05'), '2026-11-30');

      // Assess
      expect(today).toBeUndefined();
      expect(before).toBeUndefined();
      expect(tomorrow).toBe(
        'created 2026-12-01 is after today (2026-11-30, UTC): the lifetime counts from created, the day ' +
          'the flag entered git',
      );
    },
  );
});

describe('Function: checkDesiredState (created in the future)', () => {
  const settings = fixtureSettings();
  const service = defineService({
    name: 'catalog',
    keys: {},
    values: {},
    flags: { 'new-search': flag('release', '2026-12-24', '2027-01-31') },
  });

  it('refuses a created day after today when told the day, naming the service and flag', () => {
    // Act
    const findings = checkDesiredState({ services: [service] }, settings, { today: '2026-11-30' });

    // Assess
    expect(findings).toEqual([
      {
        rule: 'flag',
        subject: 'catalog:new-search',
        message: expect.stringContaining('created 2026-12-24 is after today (2026-11-30, UTC)') as unknown,
      },
    ]);
  });

  it('accepts the same flag from its created day on, and without a day to judge by', () => {
    // Act & Assess
    expect(checkDesiredState({ services: [service] }, settings, { today: '2026-12-24' })).toEqual([]);
    expect(checkDesiredState({ services: [service] }, settings)).toEqual([]);
  });
});
