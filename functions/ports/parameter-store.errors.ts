/**
 * Errors of the `ParameterStore` port. Adapters translate every failure into one of these;
 * messages name a parameter and an operation, never a value.
 */
import { AdapterError } from './adapter-error.ts';

/** A Parameter Store call failed for a reason not covered by a narrower class. */
export class ParameterStoreError extends AdapterError {
  constructor(
    message: string,
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ParameterStoreError';
  }
}

/** The parameter does not exist (raised only where the port does not define absence as a result). */
export class ParameterNotFoundError extends ParameterStoreError {
  constructor(
    readonly parameterName: string,
    operation: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation}: parameter ${parameterName} not found`, operation, options);
    this.name = 'ParameterNotFoundError';
  }
}

/** The version asked for (e.g. to label) is not among the kept versions. */
export class ParameterVersionNotFoundError extends ParameterStoreError {
  constructor(
    readonly parameterName: string,
    readonly version: number,
    operation: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation}: version ${version} of ${parameterName} not found`, operation, options);
    this.name = 'ParameterVersionNotFoundError';
  }
}

/** IAM or a KMS key policy refused the call. */
export class ParameterAccessDeniedError extends ParameterStoreError {
  constructor(subject: string, operation: string, options?: { cause?: unknown }) {
    super(`${operation}: access denied to ${subject}`, operation, options);
    this.name = 'ParameterAccessDeniedError';
  }
}

/** A SecureString could not be decrypted: its KMS key is invalid, disabled or gone. */
export class ParameterDecryptionError extends ParameterStoreError {
  constructor(subject: string, operation: string, options?: { cause?: unknown }) {
    super(`${operation}: cannot decrypt ${subject} with its KMS key`, operation, options);
    this.name = 'ParameterDecryptionError';
  }
}

/** Parameter Store refused a write: a limit, a pattern, a tier or a type it does not accept. */
export class ParameterRejectedError extends ParameterStoreError {
  constructor(
    subject: string,
    operation: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${operation}: ${subject} refused (${reason})`, operation, options);
    this.name = 'ParameterRejectedError';
  }
}

/** Still throttled after every retry: the caller may try again later. */
export class ParameterStoreThrottledError extends ParameterStoreError {
  constructor(subject: string, operation: string, options?: { cause?: unknown }) {
    super(`${operation}: throttled on ${subject} after retries`, operation, options);
    this.name = 'ParameterStoreThrottledError';
  }
}
