/**
 * Errors of the `TicketTracker` port, translated from SDK exceptions and HTTP statuses so the core and
 * the handlers never see an AWS- or tracker-specific type. Messages name a tracker, an operation and an
 * HTTP status, never a value.
 */
import { AdapterError } from './adapter-error.ts';

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
