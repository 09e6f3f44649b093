/**
 * Errors of secret rotation. Messages name secrets, versions, users and steps, never a value; the
 * rotation still scrubs every message of known secret values before it leaves the function.
 */
import { StewardError } from '../errors.ts';

type ErrorOptions = { cause?: unknown };

export class RotationError extends StewardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RotationError';
  }
}

/** The secret does not have rotation enabled: Secrets Manager's own templates refuse to run. */
export class RotationNotEnabledError extends RotationError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RotationNotEnabledError';
  }
}

/** The ClientRequestToken is not a version of the secret, or not the one labelled AWSPENDING. */
export class RotationTokenError extends RotationError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RotationTokenError';
  }
}

/** The secret is not declared in `config/`, or its declaration cannot drive this strategy. */
export class UnknownSecretError extends RotationError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnknownSecretError';
  }
}

/** A secret value does not have the shape its strategy needs (not JSON, a field missing, ...). */
export class SecretShapeError extends RotationError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SecretShapeError';
  }
}

/** testSecret found the pending value unusable. */
export class RotationTestFailedError extends RotationError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RotationTestFailedError';
  }
}

/**
 * What a failed step throws out of the function: the step, the original error class and its message
 * scrubbed of every known secret value. The original error is deliberately not attached as `cause`,
 * since the Lambda runtime and loggers print causes verbatim.
 */
export class RotationStepFailedError extends RotationError {
  constructor(
    message: string,
    readonly step: string,
    readonly errorClass: string,
  ) {
    super(message);
    this.name = 'RotationStepFailedError';
  }
}

/** Secrets Manager refused or failed a call. */
export class SecretStoreError extends RotationError {
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

/** The database refused or failed an operation. */
export class DatabaseError extends RotationError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseError';
  }
}

/** The server rejected a login (wrong password, unknown or non-login role, pg_hba). */
export class DatabaseLoginError extends DatabaseError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseLoginError';
  }
}

/** The server could not be reached in time. */
export class DatabaseUnavailableError extends DatabaseError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}
