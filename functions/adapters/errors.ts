/**
 * Errors the adapters raise, translated from SDK exceptions and HTTP statuses so the core and the
 * handlers never see an AWS or tracker-specific type. Messages name things (a parameter, an operation,
 * an HTTP status), never a value.
 */
import { StewardError } from '../core/errors.ts';

/** Anything an adapter could not do. */
export class AdapterError extends StewardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AdapterError';
  }
}

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

/** Still throttled after every retry: the caller may try again later. */
export class ParameterStoreThrottledError extends ParameterStoreError {
  constructor(subject: string, operation: string, options?: { cause?: unknown }) {
    super(`${operation}: throttled on ${subject} after retries`, operation, options);
    this.name = 'ParameterStoreThrottledError';
  }
}

/** A ticket tracker call failed. */
export class TicketTrackerError extends AdapterError {
  constructor(
    message: string,
    readonly tracker: 'opscenter' | 'github' | 'jira',
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TicketTrackerError';
  }
}

/** 401 / bad credentials: the token in Secrets Manager is wrong or expired. Not retried. */
export class TrackerAuthenticationError extends TicketTrackerError {
  constructor(tracker: 'github' | 'jira', status: number, options?: { cause?: unknown }) {
    super(
      `${tracker}: authentication failed (HTTP ${status}); check the token secret`,
      tracker,
      status,
      options,
    );
    this.name = 'TrackerAuthenticationError';
  }
}

/** The tracker's rate limit was hit and the reset lies further ahead than the adapter waits. */
export class TrackerRateLimitedError extends TicketTrackerError {
  constructor(
    tracker: 'opscenter' | 'github' | 'jira',
    status: number,
    /** When the limit resets, if the tracker said. */
    readonly retryAt?: Date,
    options?: { cause?: unknown },
  ) {
    super(
      `${tracker}: rate limited (HTTP ${status})${retryAt ? ` until ${retryAt.toISOString()}` : ''}`,
      tracker,
      status,
      options,
    );
    this.name = 'TrackerRateLimitedError';
  }
}

/** 404: the repository, project or ticket does not exist, or the token cannot see it. */
export class TrackerNotFoundError extends TicketTrackerError {
  constructor(
    tracker: 'opscenter' | 'github' | 'jira',
    what: string,
    status = 404,
    options?: { cause?: unknown },
  ) {
    super(`${tracker}: ${what} not found (HTTP ${status})`, tracker, status, options);
    this.name = 'TrackerNotFoundError';
  }
}

/** 5xx still failing after the bounded retry. */
export class TrackerUnavailableError extends TicketTrackerError {
  constructor(tracker: 'opscenter' | 'github' | 'jira', status: number, options?: { cause?: unknown }) {
    super(`${tracker}: service unavailable (HTTP ${status}) after retries`, tracker, status, options);
    this.name = 'TrackerUnavailableError';
  }
}
