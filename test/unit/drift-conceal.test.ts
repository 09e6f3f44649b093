import { describe, expect, it } from 'vitest';
import { concealValues } from '../../functions/core/drift/conceal.ts';
import type { DetectedFinding } from '../../functions/core/drift/findings.ts';
import type { ValueFingerprinter } from '../../functions/ports/value-fingerprinter.ts';
import { LocalHmacFingerprinter } from '../support/local-hmac-fingerprinter.ts';

const base = { environment: 'staging', detail: 'differs' } as const;

describe('Function: concealValues', () => {
  it('fingerprints only concealed values, each distinct value once, and leaves plain findings alone', async () => {
    // Prepare
    const fingerprinter = new LocalHmacFingerprinter();
    const detected: DetectedFinding[] = [
      { ...base, kind: 'value-drift', parameter: '/a', expected: '3', actual: '7', values: 'plain' },
      { ...base, kind: 'plaintext-secret', parameter: '/b', actual: 'Tr0ub4dor&3', values: 'conceal' },
      { ...base, kind: 'invalid', parameter: '/c', actual: 'Tr0ub4dor&3', values: 'conceal' },
      {
        ...base,
        kind: 'value-drift',
        parameter: '/d',
        expected: 'x-1',
        actual: 'Tr0ub4dor&3',
        values: 'conceal',
      },
      { ...base, kind: 'unmanaged', parameter: '/e' },
    ];

    // Act
    const findings = await concealValues(detected, fingerprinter);

    // Assess
    const secret = await new LocalHmacFingerprinter().fingerprint('Tr0ub4dor&3');
    expect(fingerprinter.calls).toBe(2);
    expect(findings[0]).toEqual(detected[0]);
    expect(findings[1]).toMatchObject({ actual: secret, values: 'fingerprint' });
    expect(findings[2]).toMatchObject({ actual: secret, values: 'fingerprint' });
    expect(findings[3]).toMatchObject({
      expected: await new LocalHmacFingerprinter().fingerprint('x-1'),
      actual: secret,
      values: 'fingerprint',
    });
    expect(findings[1]).not.toHaveProperty('expected');
    expect(findings[4]).toEqual(detected[4]);
    expect(JSON.stringify(findings)).not.toContain('Tr0ub4dor&3');
  });

  it('makes no call when no finding conceals a value', async () => {
    // Prepare
    const fingerprinter = new LocalHmacFingerprinter();

    // Act
    await concealValues(
      [{ ...base, kind: 'missing', parameter: '/a', expected: '3', values: 'plain' }],
      fingerprinter,
    );

    // Assess
    expect(fingerprinter.calls).toBe(0);
  });

  it('keeps at most the given number of requests in flight', async () => {
    // Prepare
    let inFlight = 0;
    let most = 0;
    const slow: ValueFingerprinter = {
      async fingerprint(value) {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight -= 1;
        return `hmac-sha256:${Buffer.from(value.padEnd(32, '-').slice(0, 32)).toString('hex')}`;
      },
    };
    const detected: DetectedFinding[] = Array.from({ length: 40 }, (_, i) => ({
      ...base,
      kind: 'invalid' as const,
      parameter: `/p${i}`,
      actual: `value-${i}`,
      values: 'conceal' as const,
    }));

    // Act
    const findings = await concealValues(detected, slow, 3);

    // Assess
    expect(most).toBe(3);
    expect(findings.every((f) => f.values === 'fingerprint' && f.actual?.startsWith('hmac-sha256:'))).toBe(
      true,
    );
  });

  it('fails the run when a fingerprint cannot be made, rather than publish the value', async () => {
    // Prepare
    const broken: ValueFingerprinter = {
      fingerprint: async () => {
        throw new Error('key disabled');
      },
    };

    // Act
    const result = concealValues(
      [{ ...base, kind: 'invalid', parameter: '/a', actual: 'secret', values: 'conceal' }],
      broken,
    );

    // Assess
    await expect(result).rejects.toThrow('key disabled');
  });
});
