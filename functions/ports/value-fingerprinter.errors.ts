/** Errors of the `ValueFingerprinter` port; messages name the key and the cause, never the value. */
import { StewardError } from '../core/errors.ts';

/** A fingerprint could not be made; the message names the key and the cause, never the value. */
export class ValueFingerprintError extends StewardError {
  constructor(
    message: string,
    readonly keyId: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ValueFingerprintError';
  }
}

/** The key is missing, disabled, pending deletion, not an HMAC key, or this role may not use it. */
export class FingerprintKeyUnusableError extends ValueFingerprintError {
  constructor(keyId: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot fingerprint with key ${keyId}: ${reason}`, keyId, options);
    this.name = 'FingerprintKeyUnusableError';
  }
}

/** Still throttled after the client's retries: the invocation fails and is retried later. */
export class FingerprintThrottledError extends ValueFingerprintError {
  constructor(keyId: string, options?: { cause?: unknown }) {
    super(`fingerprinting with key ${keyId} was throttled after retries`, keyId, options);
    this.name = 'FingerprintThrottledError';
  }
}
