/** Domain errors. Messages never carry a parameter or secret value: they name things, not contents. */
export class StewardError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StewardError';
  }
}

/** A settings or config file is malformed; the message names the file, the field and the problem. */
export class ConfigurationError extends StewardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

/** An incoming event or invocation does not have the shape the platform depends on. */
export class MalformedEventError extends StewardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MalformedEventError';
  }
}
