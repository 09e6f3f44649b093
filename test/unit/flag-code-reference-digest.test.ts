import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import {
  codeReferenceDigestSchema,
  codeReferenceLines,
  encodeCodeReferenceDigest,
} from '../../functions/core/flags/code-reference-digest.ts';
import type { FlagReference } from '../../functions/core/flags/code-references.ts';
import { ConfigurationError } from '../../functions/core/errors.ts';
import { runFlagExpiryJob } from '../../functions/core/flags/expiry-job.ts';
import type { FlagDefinition } from '../../functions/core/model.ts';
import { functionEnvironment, parseFunctionEnvironment } from '../../functions/core/runtime-settings.ts';
import { InMemoryFlagSource } from '../support/flag-source-double.ts';
import { RecordingMetrics } from '../support/recording-metrics.ts';
import { FixedClock, InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';
import { HANDLER_ENV } from '../support/validate-change-harness.ts';

const at = (flag: string, file: string, line: number): FlagReference => ({
  flag,
  file,
  line,
  column: 1,
  call: 'isEnabled',
});

/** `count` references to each flag, one per line of its own file. */
function referenced(flags: readonly string[], count: number) {
  return {
    referenced: flags.map((flag) => ({
      service: 'orders',
      flag,
      references: Array.from({ length: count }, (_, i) => at(flag, `services/orders/src/${flag}.ts`, i + 1)),
    })),
  };
}

const decode = (json: string) => z.parse(codeReferenceDigestSchema(), JSON.parse(json));

describe('Function: encodeCodeReferenceDigest', () => {
  it('carries every location as file:line when they fit, one entry per key across services', () => {
    // Prepare
    const report = {
      referenced: [
        { service: 'orders', flag: 'shared-key', references: [at('shared-key', 'src/a.ts', 3)] },
        {
          service: 'payments',
          flag: 'shared-key',
          references: [at('shared-key', 'src/a.ts', 3), at('shared-key', 'src/b.ts', 9)],
        },
      ],
    };

    // Act
    const digest = decode(encodeCodeReferenceDigest(report, ['src']));

    // Assess
    expect(digest).toEqual({
      sources: ['src'],
      complete: true,
      flags: { 'shared-key': { count: 2, at: ['src/a.ts:3', 'src/b.ts:9'] } },
    });
  });

  it('stays within the byte budget by keeping the counts and the first locations of each flag', () => {
    // Prepare: 10 flags × 40 references is far above 2 KB
    const report = referenced(
      Array.from({ length: 10 }, (_, i) => `flag-${i}`),
      40,
    );

    // Act
    const json = encodeCodeReferenceDigest(report, ['services'], 2048);

    // Assess
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(2048);
    const digest = decode(json);
    expect(digest.complete).toBe(true);
    expect(Object.keys(digest.flags)).toHaveLength(10);
    for (const entry of Object.values(digest.flags)) {
      expect(entry.count).toBe(40);
      expect(entry.at.length).toBeGreaterThan(0);
      expect(entry.at.length).toBeLessThan(40);
      expect(entry.at[0]).toMatch(/^services\/orders\/src\/flag-\d\.ts:1$/);
    }
  });

  it('drops flags and says the digest is incomplete only when the counts alone do not fit', () => {
    // Prepare
    const report = referenced(
      Array.from({ length: 200 }, (_, i) => `a-rather-long-flag-name-${String(i).padStart(3, '0')}`),
      1,
    );

    // Act
    const json = encodeCodeReferenceDigest(report, ['services'], 1024);

    // Assess
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(1024);
    const digest = decode(json);
    expect(digest.complete).toBe(false);
    expect(Object.keys(digest.flags).length).toBeGreaterThan(0);
    expect(Object.keys(digest.flags).length).toBeLessThan(200);
  });

  it('refuses a budget that cannot hold even an empty digest', () => {
    // Act
    const act = () => encodeCodeReferenceDigest(referenced(['x'], 1), ['src'], 10);

    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(/cannot fit 10 bytes/);
  });
});

describe('Function: parseFunctionEnvironment with STEWARD_FLAG_CODE_REFERENCES', () => {
  const environment = functionEnvironment('STEWARD_FLAG_CODE_REFERENCES');

  it('reads the digest synth wrote, and nothing when the variable is absent', () => {
    // Prepare
    const json = encodeCodeReferenceDigest(referenced(['new-checkout'], 2), ['src']);

    // Act
    const set = parseFunctionEnvironment(environment, { ...HANDLER_ENV, STEWARD_FLAG_CODE_REFERENCES: json });
    const unset = parseFunctionEnvironment(environment, HANDLER_ENV);

    // Assess
    expect(set.STEWARD_FLAG_CODE_REFERENCES?.flags['new-checkout']?.count).toBe(2);
    expect(unset.STEWARD_FLAG_CODE_REFERENCES).toBeUndefined();
  });

  it.each([['not json'], ['{"sources":["src"],"flags":{}}']])('refuses %s, naming the variable', (value) => {
    // Act
    const act = () =>
      parseFunctionEnvironment(environment, { ...HANDLER_ENV, STEWARD_FLAG_CODE_REFERENCES: value });

    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(/STEWARD_FLAG_CODE_REFERENCES/);
  });
});

describe('Function: codeReferenceLines', () => {
  it('lists the locations, and how many more there are when the digest was cut', () => {
    // Prepare
    const digest = {
      sources: ['src'],
      complete: true,
      flags: { 'new-checkout': { count: 5, at: ['src/a.ts:3', 'src/b.ts:9'] } },
    };

    // Act
    const lines = codeReferenceLines(digest, 'new-checkout');

    // Assess
    expect(lines).toEqual([
      '**Code references** (5 in `src` at the last deploy; remove them before the flag):',
      '- `src/a.ts:3`',
      '- `src/b.ts:9`',
      '- … and 3 more: run `steward flags refs` for the full list',
    ]);
  });

  it('says none were found in a complete digest, not carried in an incomplete one, nothing without one', () => {
    // Prepare
    const complete = { sources: ['src'], complete: true, flags: {} };

    // Act + Assess
    expect(codeReferenceLines(complete, 'old-banner').join('\n')).toMatch(/none found in `src`/);
    expect(codeReferenceLines({ ...complete, complete: false }, 'old-banner').join('\n')).toMatch(
      /not carried for this flag/,
    );
    expect(codeReferenceLines(undefined, 'old-banner')).toEqual([]);
  });
});

describe('Function: runFlagExpiryJob with code references', () => {
  const flag = (overrides: Partial<FlagDefinition>): FlagDefinition => ({
    description: 'a flag',
    owner: 'team-orders',
    type: 'release',
    created: '2026-10-01',
    expires: '2026-11-20',
    environments: { production: { enabled: true } },
    ...overrides,
  });

  it("lists the remaining references as file:line in each flag's ticket", async () => {
    // Prepare
    const source = new InMemoryFlagSource();
    source.host('orders', { 'new-checkout': flag({}), 'old-banner': flag({}) });
    const tracker = new InMemoryTicketTracker();
    const codeReferences = decode(
      encodeCodeReferenceDigest(
        {
          referenced: [
            {
              service: 'orders',
              flag: 'new-checkout',
              references: [at('new-checkout', 'functions/handlers/orders-api.ts', 35)],
            },
          ],
        },
        ['functions/handlers'],
      ),
    );

    // Act
    await runFlagExpiryJob(
      {
        source,
        tracker,
        publisher: new RecordingEventPublisher(),
        clock: new FixedClock(new Date('2026-11-23T02:00:00Z')),
        metrics: new RecordingMetrics(),
      },
      {
        targets: [{ service: 'orders', applicationId: 'app0rd1', flagsProfileId: 'fl0rd1' }],
        warnWithinDays: 14,
        codeReferences,
      },
    );

    // Assess
    const body = (key: string) =>
      tracker.tickets.find((t) => t.request.dedupKey.endsWith(`:${key}`))?.request.body;
    expect(body('new-checkout')).toContain(
      '**Code references** (1 in `functions/handlers` at the last deploy; remove them before the flag):\n' +
        '- `functions/handlers/orders-api.ts:35`',
    );
    expect(body('old-banner')).toContain('**Code references**: none found in `functions/handlers`');
  });
});
