/**
 * The `pg` TLS options of each `STEWARD_POSTGRES_SSL` mode. Apart from the PostgreSQL adapter, which
 * loads `pg`: the rotation function reads its mode at cold start and loads `pg` only on first use.
 */
import type { PostgresTlsMode } from '../core/runtime-settings.ts';
import type { PostgresDatabaseUsersOptions } from './postgres-database-users.ts';

/**
 * @example
 * postgresTls('require'); // { rejectUnauthorized: false }: encrypted, certificate unverified
 */
export function postgresTls(mode: PostgresTlsMode): PostgresDatabaseUsersOptions['ssl'] {
  switch (mode) {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return { rejectUnauthorized: true };
  }
}
