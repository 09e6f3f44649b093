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
