/**
 * The one contract every `ValueFingerprinter` meets, run against the local HMAC double
 * (test/unit/fingerprint.test.ts) and the KMS adapter (test/adapters/kms-value-fingerprinter.test.ts).
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FINGERPRINT_PATTERN } from '../../functions/core/fingerprint.ts';
import type { ValueFingerprinter } from '../../functions/ports/value-fingerprinter.ts';

/** The documented format, computed independently of the code under test. */
export function referenceFingerprint(key: string, value: string): string {
  const digest = createHash('sha256').update(value, 'utf8').digest();
  return `hmac-sha256:${createHmac('sha256', key).update(digest).digest('hex')}`;
}

export function describeValueFingerprinterContract(
  name: string,
  make: (key: string) => ValueFingerprinter,
): void {
  describe(`Contract: ValueFingerprinter (${name})`, () => {
    it('gives hmac-sha256:<64 hex> as documented: HMAC-SHA-256 of the SHA-256 digest', async () => {
      // Act
      const fingerprint = await make('key-one').fingerprint('4821');

      // Assess
      expect(fingerprint).toMatch(FINGERPRINT_PATTERN);
      expect(fingerprint).toBe(referenceFingerprint('key-one', '4821'));
    });

    it('gives equal values equal fingerprints and different values different ones', async () => {
      // Prepare
      const fingerprinter = make('key-one');

      // Act
      const [a, b, c] = await Promise.all(
        ['Tr0ub4dor&3', 'Tr0ub4dor&3', 'Tr0ub4dor&4'].map((v) => fingerprinter.fingerprint(v)),
      );

      // Assess
      expect(a).toBe(b);
      expect(c).not.toBe(a);
    });

    it('gives the same value different fingerprints under different keys', async () => {
      // Act
      const one = await make('key-one').fingerprint('4821');
      const two = await make('key-two').fingerprint('4821');

      // Assess
      expect(one).not.toBe(two);
    });

    it('never yields the value or its plain SHA-256', async () => {
      // Prepare
      const value = 'Sup3rS3cret!';
      const plain = createHash('sha256').update(value).digest('hex');

      // Act
      const fingerprint = await make('key-one').fingerprint(value);

      // Assess
      expect(fingerprint).not.toContain(value);
      expect(fingerprint).not.toContain(plain);
    });

    it('fingerprints the empty string and an 8 KB advanced-tier value', async () => {
      // Prepare
      const fingerprinter = make('key-one');
      const large = 'x'.repeat(8192);

      // Act
      const empty = await fingerprinter.fingerprint('');
      const big = await fingerprinter.fingerprint(large);

      // Assess
      expect(empty).toBe(referenceFingerprint('key-one', ''));
      expect(big).toBe(referenceFingerprint('key-one', large));
    });
  });
}
