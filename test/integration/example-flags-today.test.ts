/**
 * The example organisation passes its own flag policy TODAY, by the real clock: `steward check`
 * (lifetimes, no `created` in the future) and `steward flags` (nothing expired or over its lifetime).
 * This is the one test that reads the calendar, on purpose: the example's flags carry fixed days
 * (scripts/renew-example-flags.ts says why), so it fails CI loudly the day one of them goes stale,
 * and says how to renew them. Every other test passes a fixed day.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { main } from '../../functions/cli/main.ts';
import {
  assessFlag,
  daysBetween,
  plannedLifetimeProblem,
  utcDay,
} from '../../functions/core/flags/policy.ts';
import type { FlagDefinition } from '../../functions/core/model.ts';
import { type DatedFlag, renewedDates, renewInSource } from '../../scripts/renew-example-flags.ts';
import { recordingIo } from '../support/command-io.ts';

const RENEW = 'the example flags are stale: run `npm run example:renew-flags` and commit config/';

const exampleFlags = organisation.services.flatMap((service) =>
  Object.entries(service.flags ?? {}).map(([key, definition]) => ({
    service: service.name,
    key,
    definition,
  })),
);

describe('The example organisation on the day the suite runs', () => {
  it('passes steward check and needs no flag cleanup today (UTC, real clock)', async () => {
    // Prepare
    const checked = recordingIo();
    const flagged = recordingIo();

    // Act
    const checkCode = await main(['check'], checked.io);
    const flagsCode = await main(['flags', '--expired'], flagged.io);

    // Assess
    expect(checkCode, `${RENEW}\n${[...checked.out, ...checked.err].join('\n')}`).toBe(0);
    expect(flagsCode, `${RENEW}\n${[...flagged.out, ...flagged.err].join('\n')}`).toBe(0);
    expect(flagged.out.at(-1)).toContain(`as of ${utcDay(new Date())}`);
  });
});

describe('Script: renew-example-flags', () => {
  const day = (from: string, days: number) =>
    utcDay(new Date(Date.parse(`${from}T00:00:00Z`) + days * 86_400_000));

  it.each(exampleFlags.filter(({ definition }) => renewedDates({ key: 'x', ...definition }, '2027-06-01')))(
    'renews $service:$key so that check accepts it and it needs no cleanup for as long as it planned',
    ({ key, definition }) => {
      // Prepare
      const flag: DatedFlag = { key, ...definition };
      const planned = Math.min(daysBetween(definition.created, definition.expires!), 40);

      // Act
      const renewed = renewedDates(flag, '2027-06-01')!;

      // Assess
      expect(renewed.created).toBe('2027-06-01');
      expect(plannedLifetimeProblem({ ...definition, ...renewed })).toBeUndefined();
      for (const today of [renewed.created, day(renewed.expires, -1)]) {
        const reasons = assessFlag(
          { key, owner: definition.owner, type: definition.type, ...renewed },
          { today, warnWithinDays: 14 },
        ).findings.map((finding) => finding.reason);
        expect(reasons.filter((reason) => reason !== 'expiring-soon')).toEqual([]);
      }
      expect(daysBetween(renewed.created, renewed.expires)).toBeLessThanOrEqual(planned);
    },
  );

  it('leaves kill switches and permission flags alone: they have no lifetime to roll', () => {
    // Prepare
    const timeless: FlagDefinition['type'][] = ['kill-switch', 'permission'];

    // Act
    const renewed = timeless.map((type) =>
      renewedDates({ key: 'f', type, created: '2020-01-01', expires: '2020-02-01' }, '2027-06-01'),
    );

    // Assess
    expect(renewed).toEqual([undefined, undefined]);
  });

  it('rewrites exactly the two days of the named flag, even when another flag shares them', () => {
    // Prepare
    const text = readFileSync('config/services/orders.ts', 'utf8');
    const flags = Object.entries(organisation.services.find((s) => s.name === 'orders')?.flags ?? {});
    const [key, definition] = flags.find(([, d]) => d.expires !== undefined)!;
    const renewed = { created: '2031-03-03', expires: '2031-04-04' };

    // Act
    const rewritten = renewInSource(text, { key, ...definition }, renewed);

    // Assess
    const changed = rewritten.split('\n').filter((line, i) => line !== text.split('\n')[i]);
    expect(changed.map((line) => line.trim())).toEqual([`created: '2031-03-03',`, `expires: '2031-04-04',`]);
    expect(rewritten.indexOf('2031-03-03')).toBeGreaterThan(rewritten.indexOf(`'${key}'`));
    expect(() =>
      renewInSource(text, { key: 'no-such-flag', type: 'release', created: '2026-01-01' }, renewed),
    ).toThrow('flag "no-such-flag" not found');
  });
});
