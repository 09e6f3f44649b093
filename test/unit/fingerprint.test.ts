import { describe, expect, it } from 'vitest';
import {
  fingerprintKeyAlias,
  fingerprintKeyId,
  formatFingerprint,
} from '../../functions/core/fingerprint.ts';
import { LocalHmacFingerprinter } from '../support/local-hmac-fingerprinter.ts';
import { describeValueFingerprinterContract } from '../contracts/value-fingerprinter.contract.ts';

describeValueFingerprinterContract('LocalHmacFingerprinter', (key) => new LocalHmacFingerprinter(key));

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
