/**
 * A keyed fingerprint of a value that must not travel (a SecureString, a secret, a credential-like or
 * `sensitive` plain value): equal values give equal fingerprints, so two events or tickets can be
 * compared, but without the key nobody can test a guess against one. See `core/fingerprint.ts` for
 * the format.
 */

export interface ValueFingerprinter {
  /** `hmac-sha256:<64 hex>`; rejects with a `ValueFingerprintError` when the key cannot be used. */
  fingerprint(value: string): Promise<string>;
}
