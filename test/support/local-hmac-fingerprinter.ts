/** The `ValueFingerprinter` port as a local HMAC under a test key: same format as KMS `GenerateMac`. */
import { createHmac } from 'node:crypto';
import { fingerprintMessage, formatFingerprint } from '../../functions/core/fingerprint.ts';
import type { ValueFingerprinter } from '../../functions/ports/value-fingerprinter.ts';

export const TEST_FINGERPRINT_KEY = 'config-steward test fingerprint key';

export class LocalHmacFingerprinter implements ValueFingerprinter {
  /** How many values were fingerprinted (what KMS would have billed). */
  calls = 0;

  constructor(private readonly key: string | Uint8Array = TEST_FINGERPRINT_KEY) {}

  async fingerprint(value: string): Promise<string> {
    this.calls += 1;
    return formatFingerprint(createHmac('sha256', this.key).update(fingerprintMessage(value)).digest());
  }
}
