/**
 * Errors of the `DatabaseUsers` port. Messages name roles and servers, never a password. The base is
 * StewardError, not AdapterError, for the same reason as the secret store's.
 */
import { StewardError } from '../core/errors.ts';

type ErrorOptions = { cause?: unknown };

/** The database refused or failed an operation. */
export class DatabaseError extends StewardError {
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
