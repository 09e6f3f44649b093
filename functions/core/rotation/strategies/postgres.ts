/**
 * PostgreSQL strategies. Both keep the secret's JSON (engine, host, port, dbname, username,
 * password, masterarn) and change only the user and password.
 *
 * - `postgres-alternating-users`: two users take turns, `<user>` and `<user>_clone`. Each rotation
 *   sets a new password on the user that is NOT in AWSCURRENT, so the credentials clients hold keep
 *   working until the rotation after next: no window at all. The clone is created on first use with
 *   the same role memberships as the original, so grant privileges to a group role the original is a
 *   member of, not to the user itself (objects the user owns are not shared with the clone).
 * - `postgres-single-user`: one user changes its own password. Between setSecret and finishSecret
 *   (normally well under a second; as long as Secrets Manager's retries when a later step fails)
 *   clients holding AWSCURRENT fail to log in, and pooled connections survive. Use it where a second
 *   user is impossible and clients retry a failed login after re-reading the secret.
 */
import type { RandomSecretSpec } from '../../model.ts';
import type { DatabaseUsers } from '../../../ports/database-users.ts';
import { DatabaseLoginError } from '../../../ports/database-users.errors.ts';
import { RotationError, RotationTestFailedError, SecretShapeError } from '../errors.ts';
import {
  credentialsOf,
  type PostgresSecret,
  parseMasterCredentials,
  parsePostgresSecret,
} from '../postgres-secret.ts';
import { randomString } from '../random-string.ts';
import type { SecretRotationStrategy, StrategyContext } from './strategy.ts';

export const CLONE_SUFFIX = '_clone';
/** PostgreSQL truncates identifiers at 63 bytes; the clone's name must survive whole. */
const MAX_IDENTIFIER_BYTES = 63;
const DEFAULT_PASSWORD: RandomSecretSpec = { length: 32, alphabet: 'alphanumeric', field: 'password' };

/** `<user>` ↔ `<user>_clone`. */
export function alternateUser(username: string): string {
  if (username.endsWith(CLONE_SUFFIX)) return username.slice(0, -CLONE_SUFFIX.length);
  const clone = `${username}${CLONE_SUFFIX}`;
  if (Buffer.byteLength(clone, 'utf8') > MAX_IDENTIFIER_BYTES) {
    throw new SecretShapeError(`user "${username}" is too long to get a ${CLONE_SUFFIX} twin`);
  }
  return clone;
}

function newPassword(context: StrategyContext): string {
  const spec = context.declared.definition.random ?? DEFAULT_PASSWORD;
  return randomString(spec.length, spec.alphabet);
}

async function masterCredentials(pending: PostgresSecret, context: StrategyContext) {
  if (!pending.masterarn) {
    throw new SecretShapeError(
      'the AWSPENDING version has no masterarn; this strategy needs master credentials',
    );
  }
  return parseMasterCredentials(await context.readSecret(pending.masterarn), pending);
}

async function testLogIn(db: DatabaseUsers, pendingValue: string): Promise<void> {
  const pending = parsePostgresSecret(pendingValue, 'the AWSPENDING version');
  if (!(await db.canLogIn(credentialsOf(pending)))) {
    throw new RotationTestFailedError(
      `PostgreSQL rejected the AWSPENDING credentials of user "${pending.username}"`,
    );
  }
}

/**
 * @example
 * const strategy = postgresAlternatingUsers(new PostgresDatabaseUsers());
 */
export function postgresAlternatingUsers(db: DatabaseUsers): SecretRotationStrategy {
  return {
    name: 'postgres-alternating-users',
    secretFields: () => ['password'],

    nextValue(currentValue, context) {
      const current = parsePostgresSecret(currentValue, 'the AWSCURRENT version');
      return JSON.stringify({
        ...current,
        username: alternateUser(current.username),
        password: newPassword(context),
      });
    },

    async setSecret(pendingValue, context) {
      const pending = parsePostgresSecret(pendingValue, 'the AWSPENDING version');
      const current = parsePostgresSecret(await context.currentValue(), 'the AWSCURRENT version');
      if (pending.username === current.username) {
        // Changing the password clients are using right now is exactly what this strategy avoids.
        throw new RotationError(
          `the AWSPENDING user "${pending.username}" is the AWSCURRENT user; refusing to change a password in use`,
        );
      }
      const admin = await masterCredentials(pending, context);
      if (pending.username.endsWith(CLONE_SUFFIX)) {
        await db.ensureClone(admin, alternateUser(pending.username), pending.username);
      }
      // Setting the same password again is harmless, so a re-run after a crash simply repeats it.
      await db.setPassword(admin, pending.username, pending.password);
      context.logger.info('password set on the inactive user', { user: pending.username });
    },

    testSecret: (pendingValue) => testLogIn(db, pendingValue),
  };
}

/**
 * @example
 * const strategy = postgresSingleUser(new PostgresDatabaseUsers());
 */
export function postgresSingleUser(db: DatabaseUsers): SecretRotationStrategy {
  return {
    name: 'postgres-single-user',
    secretFields: () => ['password'],

    nextValue(currentValue, context) {
      const current = parsePostgresSecret(currentValue, 'the AWSCURRENT version');
      return JSON.stringify({ ...current, password: newPassword(context) });
    },

    async setSecret(pendingValue, context) {
      const pending = parsePostgresSecret(pendingValue, 'the AWSPENDING version');
      if (await db.canLogIn(credentialsOf(pending))) {
        context.logger.info('pending password already set', { user: pending.username });
        return;
      }
      const current = parsePostgresSecret(await context.currentValue(), 'the AWSCURRENT version');
      if (current.username !== pending.username) {
        throw new SecretShapeError('the AWSPENDING and AWSCURRENT versions name different users');
      }
      try {
        await db.changeOwnPassword(credentialsOf(current), pending.password);
      } catch (error) {
        // The current password no longer works (changed by hand, say): fall back to the master user.
        if (!(error instanceof DatabaseLoginError) || !pending.masterarn) throw error;
        context.logger.warn('current credentials rejected; using the master credentials', {
          user: pending.username,
        });
        await db.setPassword(await masterCredentials(pending, context), pending.username, pending.password);
      }
      context.logger.info('password changed', { user: pending.username });
    },

    testSecret: (pendingValue) => testLogIn(db, pendingValue),
  };
}
