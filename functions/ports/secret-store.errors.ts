/**
 * Errors of the `SecretStore` port, translated from Secrets Manager's exceptions. AWS's messages name
 * secrets and versions, never values; rotation still scrubs every message of known secret values.
 * The base is StewardError, not AdapterError: `steward invoke` reports a failed rotation as the
 * handler's own failure, as it did when these were rotation errors.
 */
import { StewardError } from '../core/errors.ts';

type ErrorOptions = { cause?: unknown };

/** Secrets Manager refused or failed a call. */
export class SecretStoreError extends StewardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretStoreError';
  }
}

/** The secret, the version or its value does not exist. */
export class SecretNotFoundError extends SecretStoreError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretNotFoundError';
  }
}

/** A version id already holds a different value: versions are immutable. */
export class SecretVersionConflictError extends SecretStoreError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretVersionConflictError';
  }
}

/** The request is invalid for the secret's current state (a label held elsewhere, a deleted secret). */
export class InvalidSecretRequestError extends SecretStoreError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidSecretRequestError';
  }
}

/** The function's role may not do this; a deployment problem, not a transient one. */
export class SecretAccessDeniedError extends SecretStoreError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretAccessDeniedError';
  }
}

/** Still throttled after the SDK's retries. */
export class SecretStoreThrottledError extends SecretStoreError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretStoreThrottledError';
  }
}
