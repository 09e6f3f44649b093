/**
 * Errors of the `FlagSource` port; messages name the service, the profile and the operation, never a
 * flag's value.
 */
import { AdapterError } from './adapter-error.ts';
import type { FlagProfileRef } from './flag-source.ts';

/** Reading a flag profile failed; the message names the service, profile and operation. */
export class FlagSourceError extends AdapterError {
  constructor(
    message: string,
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FlagSourceError';
  }
}

/** The application or profile does not exist (deleted, or the ids in STEWARD_APPCONFIG are stale). */
export class FlagProfileNotFoundError extends FlagSourceError {
  constructor(ref: FlagProfileRef, operation: string, options?: { cause?: unknown }) {
    super(
      `${operation}: flags profile ${ref.flagsProfileId} of ${ref.service} (application ${ref.applicationId}) not found`,
      operation,
      options,
    );
    this.name = 'FlagProfileNotFoundError';
  }
}

/** IAM refused the call. */
export class FlagSourceAccessDeniedError extends FlagSourceError {
  constructor(ref: FlagProfileRef, operation: string, options?: { cause?: unknown }) {
    super(`${operation}: access denied to the flags profile of ${ref.service}`, operation, options);
    this.name = 'FlagSourceAccessDeniedError';
  }
}

/** Still throttled after every retry. */
export class FlagSourceThrottledError extends FlagSourceError {
  constructor(ref: FlagProfileRef, operation: string, options?: { cause?: unknown }) {
    super(`${operation}: throttled on the flags profile of ${ref.service} after retries`, operation, options);
    this.name = 'FlagSourceThrottledError';
  }
}
