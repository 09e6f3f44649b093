/**
 * Errors of the `FlagUsageReader` port; messages name the operation and the metric, never a count.
 */
import { AdapterError } from './adapter-error.ts';

/** Reading the usage metrics failed. */
export class FlagUsageReadError extends AdapterError {
  constructor(
    message: string,
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FlagUsageReadError';
  }
}

/** IAM refused the call (the job's role lacks `cloudwatch:GetMetricData`). */
export class FlagUsageAccessDeniedError extends FlagUsageReadError {
  constructor(operation: string, options?: { cause?: unknown }) {
    super(`${operation}: access denied to the flag usage metrics`, operation, options);
    this.name = 'FlagUsageAccessDeniedError';
  }
}

/** Still throttled after every retry. */
export class FlagUsageThrottledError extends FlagUsageReadError {
  constructor(operation: string, options?: { cause?: unknown }) {
    super(`${operation}: throttled reading the flag usage metrics after retries`, operation, options);
    this.name = 'FlagUsageThrottledError';
  }
}
