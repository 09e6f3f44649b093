/**
 * The database operations PostgreSQL rotation needs, as a port so the rotation core stays pure. Its
 * errors are in `database-users.errors.ts`.
 */

export interface DatabaseCredentials {
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
  readonly username: string;
  readonly password: string;
}

export interface DatabaseUsers {
  /**
   * Log in and run `SELECT 1`. False when the server rejects the credentials; throws
   * DatabaseUnavailableError or DatabaseError for anything else.
   */
  canLogIn(credentials: DatabaseCredentials): Promise<boolean>;
  /**
   * Through an administrator's connection, create `clone` as a LOGIN role when it does not exist and
   * give it every role membership `original` has (missing ones are granted on every call).
   */
  ensureClone(admin: DatabaseCredentials, original: string, clone: string): Promise<void>;
  /** Through an administrator's connection, set a role's password. */
  setPassword(admin: DatabaseCredentials, role: string, password: string): Promise<void>;
  /** Log in as a role and change its own password. */
  changeOwnPassword(credentials: DatabaseCredentials, newPassword: string): Promise<void>;
}
