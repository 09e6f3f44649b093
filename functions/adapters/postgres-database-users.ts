/**
 * DatabaseUsers on PostgreSQL with `pg`. Identifiers are always quoted with `escapeIdentifier` and
 * every value that PostgreSQL accepts as a bind parameter travels as one. Nothing here logs, and no
 * error carries SQL.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseCredentials, DatabaseUsers } from '../ports/database-users.ts';
import {
  DatabaseError,
  DatabaseLoginError,
  DatabaseUnavailableError,
} from '../ports/database-users.errors.ts';
import { copyRoleAttributes, copyRoleSettings } from './postgres-role-copy.ts';

const { Client, escapeIdentifier, escapeLiteral } = pg;

export interface PostgresDatabaseUsersOptions {
  /** TLS for every connection; RDS needs its CA (NODE_EXTRA_CA_CERTS) for verification. @default undefined (no TLS) */
  readonly ssl?: pg.ClientConfig['ssl'];
  /** @default 5000 */
  readonly connectionTimeoutMillis?: number;
  /** @default 10000 */
  readonly statementTimeoutMillis?: number;
}

/** SQLSTATEs of a rejected login: invalid_password, invalid_authorization_specification. */
const LOGIN_REJECTED = new Set(['28P01', '28000']);
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);
const SCRAM_ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL would store for a password (RFC 5802/7677, PostgreSQL's
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` format). Sending the verifier instead
 * of the password keeps the password itself out of the statement the server sees, and so out of
 * `log_statement`, `pg_stat_statements` and `pg_stat_activity`.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  // PostgreSQL SASLprep-normalises the password; for printable ASCII that is the identity. Refuse the
  // rest rather than store a verifier that might not match what the client sends.
  if (!/^[\x20-\x7e]+$/.test(password)) {
    throw new DatabaseError('passwords must be printable ASCII to be set as a SCRAM verifier');
  }
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** `ALTER ROLE ... PASSWORD` is a utility statement: PostgreSQL does not accept a bind parameter there. */
function passwordClause(password: string): string {
  // The only way in is a literal; escapeLiteral quotes it, and it is a verifier, not the password.
  return `PASSWORD ${escapeLiteral(scramVerifier(password))}`;
}

export class PostgresDatabaseUsers implements DatabaseUsers {
  constructor(private readonly options: PostgresDatabaseUsersOptions = {}) {}

  async canLogIn(credentials: DatabaseCredentials): Promise<boolean> {
    try {
      await this.withClient(credentials, (client) => client.query('SELECT 1'));
      return true;
    } catch (error) {
      if (error instanceof DatabaseLoginError) return false;
      throw error;
    }
  }

  async ensureClone(admin: DatabaseCredentials, original: string, clone: string): Promise<void> {
    await this.withClient(admin, async (client) => {
      await client.query('BEGIN');
      try {
        const roles = await client.query<{ rolname: string }>(
          'SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])',
          [[original, clone]],
        );
        const existing = new Set(roles.rows.map((row) => row.rolname));
        if (!existing.has(original)) throw new DatabaseError(`role "${original}" does not exist`);
        if (!existing.has(clone))
          await client.query(`CREATE ROLE ${escapeIdentifier(clone)} WITH LOGIN INHERIT`);
        const memberships = await client.query<{ role: string; admin: boolean; member: string }>(
          `SELECT g.rolname AS role, m.admin_option AS admin, u.rolname AS member
             FROM pg_auth_members m
             JOIN pg_roles g ON g.oid = m.roleid
             JOIN pg_roles u ON u.oid = m.member
            WHERE u.rolname = ANY($1::text[])`,
          [[original, clone]],
        );
        const cloneHas = new Set(
          memberships.rows.filter((r) => r.member === clone).map((r) => `${r.role}/${r.admin}`),
        );
        for (const membership of memberships.rows.filter((r) => r.member === original)) {
          if (cloneHas.has(`${membership.role}/${membership.admin}`)) continue;
          await client.query(
            `GRANT ${escapeIdentifier(membership.role)} TO ${escapeIdentifier(clone)}${membership.admin ? ' WITH ADMIN OPTION' : ''}`,
          );
        }
        await copyRoleAttributes(client, original, clone);
        await copyRoleSettings(client, original, clone);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async setPassword(admin: DatabaseCredentials, role: string, password: string): Promise<void> {
    await this.withClient(admin, (client) =>
      client.query(`ALTER ROLE ${escapeIdentifier(role)} WITH ${passwordClause(password)}`),
    );
  }

  async changeOwnPassword(credentials: DatabaseCredentials, newPassword: string): Promise<void> {
    await this.withClient(credentials, (client) =>
      client.query(`ALTER ROLE CURRENT_USER WITH ${passwordClause(newPassword)}`),
    );
  }

  private async withClient<T>(
    credentials: DatabaseCredentials,
    work: (client: pg.Client) => Promise<T>,
  ): Promise<T> {
    const client = new Client({
      host: credentials.host,
      port: credentials.port,
      database: credentials.dbname,
      user: credentials.username,
      password: credentials.password,
      ssl: this.options.ssl,
      connectionTimeoutMillis: this.options.connectionTimeoutMillis ?? 5000,
      statement_timeout: this.options.statementTimeoutMillis ?? 10_000,
      application_name: 'config-steward-rotation',
    });
    // A connection lost between queries is reported as an 'error' event; unheard, it would crash the process.
    client.on('error', () => undefined);
    try {
      await client.connect();
      return await work(client);
    } catch (error) {
      throw translate(error, credentials);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** pg errors to domain errors, naming user, database and server, never credentials or SQL. */
function translate(error: unknown, credentials: DatabaseCredentials): Error {
  if (error instanceof DatabaseError) return error;
  const where = `database "${credentials.dbname}" on ${credentials.host}:${credentials.port}`;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && LOGIN_REJECTED.has(code)) {
    return new DatabaseLoginError(
      `PostgreSQL rejected the login of user "${credentials.username}" to ${where}`,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (
    (typeof code === 'string' && UNREACHABLE.has(code)) ||
    /timeout|terminated unexpectedly/i.test(message)
  ) {
    return new DatabaseUnavailableError(
      `PostgreSQL is unreachable: ${where} (${typeof code === 'string' ? code : 'timeout'})`,
    );
  }
  return new DatabaseError(
    `PostgreSQL failed for user "${credentials.username}" on ${where}: ${typeof code === 'string' ? `${code} ` : ''}${message}`,
  );
}
