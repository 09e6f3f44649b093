/**
 * PostgreSQL users whose adapter, and `pg` with it, is evaluated on first use rather than at cold
 * start: a `random` rotation never touches a database, and a PostgreSQL one pays for `pg` once.
 */
import { onceUntilFailure } from '../adapters/once-until-failure.ts';
import type { PostgresDatabaseUsersOptions } from '../adapters/postgres-database-users.ts';
import type { DatabaseUsers } from '../ports/database-users.ts';

/**
 * @example
 * const databaseUsers = lazyPostgresDatabaseUsers({ ssl: { rejectUnauthorized: true } });
 */
export function lazyPostgresDatabaseUsers(options: PostgresDatabaseUsersOptions): DatabaseUsers {
  const users = onceUntilFailure(async (): Promise<DatabaseUsers> => {
    const { PostgresDatabaseUsers } = await import('../adapters/postgres-database-users.ts');
    return new PostgresDatabaseUsers(options);
  });
  return {
    canLogIn: async (credentials) => (await users()).canLogIn(credentials),
    ensureClone: async (admin, original, clone) => (await users()).ensureClone(admin, original, clone),
    setPassword: async (admin, role, password) => (await users()).setPassword(admin, role, password),
    changeOwnPassword: async (credentials, newPassword) =>
      (await users()).changeOwnPassword(credentials, newPassword),
  };
}
