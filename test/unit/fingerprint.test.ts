import { describe, expect, it } from 'vitest';
import {
  FINGERPRINT_PATTERN,
  fingerprintKeyAlias,
  fingerprintKeyId,
  formatFingerprint,
  memoisedFingerprinter,
} from '../../functions/core/fingerprint.ts';
import type { ValueFingerprinter } from '../../functions/ports/value-fingerprinter.ts';
import { LocalHmacFingerprinter } from '../support/local-hmac-fingerprinter.ts';
import { describeValueFingerprinterContract } from '../support/value-fingerprinter-contract.ts';

describeValueFingerprinterContract('LocalHmacFingerprinter', (key) => new LocalHmacFingerprinter(key));

describe('Function: memoisedFingerprinter', () => {
  it('asks its delegate once per distinct value', async () => {
    // Prepare
    const delegate = new LocalHmacFingerprinter();
    const fingerprinter = memoisedFingerprinter(delegate);

    // Act
    const results = await Promise.all(['a', 'b', 'a', 'a', 'b'].map((v) => fingerprinter.fingerprint(v)));

    // Assess
    expect(delegate.calls).toBe(2);
    expect(results[0]).toBe(results[2]);
    expect(results[1]).toBe(results[4]);
  });

  it('does not remember a failure: the next call asks again', async () => {
    // Prepare
    let calls = 0;
    const flaky: ValueFingerprinter = {
      async fingerprint() {
        calls += 1;
        if (calls === 1) throw new Error('throttled');
        return `hmac-sha256:${'0'.repeat(64)}`;
      },
    };
    const fingerprinter = memoisedFingerprinter(flaky);

    // Act
    const first = fingerprinter.fingerprint('v');
    await expect(first).rejects.toThrow('throttled');
    const second = await fingerprinter.fingerprint('v');

    // Assess
    expect(second).toMatch(FINGERPRINT_PATTERN);
    expect(calls).toBe(2);
  });
});

describe('Function: formatFingerprint', () => {
  it('refuses a MAC that is not 32 bytes', () => {
    // Act + Assess
    expect(() => formatFingerprint(new Uint8Array(16))).toThrow('32-byte');
  });
});

describe('Function: fingerprintKeyId', () => {
  it('takes STEWARD_FINGERPRINT_KEY when set, else the alias derived from the bus name', () => {
    // Prepare
    const arn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    // Act + Assess
    expect(fingerprintKeyId({ STEWARD_FINGERPRINT_KEY: arn }, 'config-steward')).toBe(arn);
    expect(fingerprintKeyId({}, 'config-steward')).toBe('alias/config-steward/value-fingerprints');
    expect(fingerprintKeyId({ STEWARD_FINGERPRINT_KEY: ' ' }, 'acme.config')).toBe(
      'alias/acme-config/value-fingerprints',
    );
  });

  it('derives an alias KMS accepts from any event bus name', () => {
    // Act
    const alias = fingerprintKeyAlias('acme.platform_config-bus');

    // Assess: KMS alias names allow letters, digits, /, _ and - after "alias/"
    expect(alias).toMatch(/^alias\/[A-Za-z0-9/_-]+$/);
  });
});
