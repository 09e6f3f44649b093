/** Errors of the consumer client. Messages name keys, flags and endpoints, never configuration values. */

export class StewardClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StewardClientError';
  }
}

/** The client is missing a setting it needs (an environment variable or an option). */
export class ClientConfigurationError extends StewardClientError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ClientConfigurationError';
  }
}

/** Why a read from the AppConfig extension failed; also the `reason` of a degraded report. */
export type ExtensionFailureReason =
  'timeout' | 'unavailable' | 'not-found' | 'server-error' | 'invalid-document';

/** The AppConfig extension could not serve the document (slow, down, 404 or 5xx). */
export class ExtensionUnavailableError extends StewardClientError {
  readonly reason: ExtensionFailureReason;
  readonly status: number | undefined;

  constructor(
    message: string,
    reason: ExtensionFailureReason,
    status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExtensionUnavailableError';
    this.reason = reason;
    this.status = status;
  }
}

/**
 * The extension served a document that does not match the service's schema. `keys` lists the
 * offending keys; the message names them and the kind of problem, never the values.
 */
export class InvalidConfigDocumentError extends StewardClientError {
  readonly reason = 'invalid-document' as const;
  readonly keys: readonly string[];

  constructor(message: string, keys: readonly string[], options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidConfigDocumentError';
    this.keys = keys;
  }
}
