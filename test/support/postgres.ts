/**
 * The local PostgreSQL the rotation tests run against, from the libpq variables CI exports
 * (PGHOST, PGPORT, PGUSER, PGPASSWORD). Unreachable: the suite FAILS when STEWARD_REQUIRE_POSTGRES=1
 * (CI), and skips with a message otherwise.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseCredentials } from '../../functions/ports/database-users.ts';

const { Client, escapeIdentifier, escapeLiteral } = pg;

export interface TestPostgres {
  /** The superuser the tests set fixtures up with. */
  readonly superuser: DatabaseCredentials;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    sql: string,
    params?: unknown[],
    database?: string,
  ): Promise<pg.QueryResult<R>>;
}

export function superuserFromEnv(env: Record<string, string | undefined> = process.env): DatabaseCredentials {
  return {
    host: env.PGHOST ?? '127.0.0.1',
    port: Number(env.PGPORT ?? 5432),
    dbname: env.PGDATABASE ?? 'postgres',
    username: env.PGUSER ?? 'postgres',
    password: env.PGPASSWORD ?? 'postgres',
  };
}

async function withClient<T>(
  credentials: DatabaseCredentials,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new Client({
    host: credentials.host,
    port: credentials.port,
    database: credentials.dbname,
    user: credentials.username,
    password: credentials.password,
    connectionTimeoutMillis: 3000,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Connect to the test server, or explain why not.
 *
 * @example
 * const postgres = await requirePostgres();
 * describe.skipIf(!postgres)('Class: PostgresDatabaseUsers', () => { ... });
 */
export async function requirePostgres(
  env: Record<string, string | undefined> = process.env,
): Promise<TestPostgres | undefined> {
  const superuser = superuserFromEnv(env);
  try {
    await withClient(superuser, (client) => client.query('SELECT 1'));
  } catch (error) {
    const reason = `PostgreSQL at ${superuser.host}:${superuser.port} as ${superuser.username} is unreachable (${(error as Error).message})`;
    if (env.STEWARD_REQUIRE_POSTGRES === '1') {
      throw new Error(
        `${reason}; STEWARD_REQUIRE_POSTGRES=1, so the rotation tests fail instead of skipping`,
        { cause: error },
      );
    }
    console.warn(
      `${reason}: skipping the PostgreSQL rotation tests (set STEWARD_REQUIRE_POSTGRES=1 to fail instead)`,
    );
    return undefined;
  }
  return {
    superuser,
    query: (sql, params, database) =>
      withClient({ ...superuser, dbname: database ?? superuser.dbname }, (client) =>
        client.query(sql, params),
      ),
  };
}

export interface RotationFixture {
  readonly database: string;
  /** A non-superuser with CREATEROLE, as an RDS master user is. */
  readonly master: DatabaseCredentials;
  /** The application user, member of `group`, which holds the table privileges. */
  readonly app: DatabaseCredentials;
  readonly group: string;
  readonly table: string;
}

/** The longest role a fixture creates is `<prefix>_app_clone`; PostgreSQL cuts identifiers at 63 bytes. */
const MAX_PREFIX_LENGTH = 63 - '_app_clone'.length;

/**
 * A fixture prefix of this run: `name`, the process id and a random part, so two test runs sharing
 * one PostgreSQL server (roles and databases are server-wide) never create, use or drop each other's.
 *
 * @example
 * const PREFIX = runScopedPrefix('steward_pg_adapter'); // 'steward_pg_adapter_1kq3_9f2c4e'
 */
export function runScopedPrefix(name: string): string {
  const prefix = `${name}_${process.pid.toString(36)}_${randomBytes(3).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix) || prefix.length > MAX_PREFIX_LENGTH) {
    throw new Error(
      `fixture prefix "${prefix}" must be a lowercase identifier of at most ${MAX_PREFIX_LENGTH} bytes`,
    );
  }
  return prefix;
}

/**
 * Fresh roles and a database named from `prefix` (from {@link runScopedPrefix}), dropped first in case
 * an earlier attempt of this run left them half made.
 */
export async function createRotationFixture(
  postgres: TestPostgres,
  prefix: string,
): Promise<RotationFixture> {
  const database = `${prefix}_db`;
  const master = `${prefix}_master`;
  const app = `${prefix}_app`;
  const group = `${prefix}_readers`;
  await dropRotationFixture(postgres, prefix);
  const masterPassword = `master-${prefix}-Pw1`;
  const appPassword = `app-${prefix}-Pw1`;
  await postgres.query(
    `CREATE ROLE ${escapeIdentifier(master)} WITH LOGIN CREATEROLE PASSWORD ${escapeLiteral(masterPassword)}`,
  );
  await postgres.query(`CREATE ROLE ${escapeIdentifier(group)} NOLOGIN`);
  await postgres.query(
    `CREATE ROLE ${escapeIdentifier(app)} WITH LOGIN PASSWORD ${escapeLiteral(appPassword)}`,
  );
  await postgres.query(`GRANT ${escapeIdentifier(group)} TO ${escapeIdentifier(app)}`);
  // PostgreSQL 16+ wants the granting role to hold ADMIN on the group; 15 accepts CREATEROLE alone.
  await postgres.query(`GRANT ${escapeIdentifier(group)} TO ${escapeIdentifier(master)} WITH ADMIN OPTION`);
  await postgres.query(`CREATE DATABASE ${escapeIdentifier(database)}`);
  await postgres.query('CREATE TABLE orders (id int PRIMARY KEY, total numeric)', [], database);
  await postgres.query('INSERT INTO orders VALUES (1, 42)', [], database);
  await postgres.query(`GRANT SELECT ON orders TO ${escapeIdentifier(group)}`, [], database);
  const endpoint = { host: postgres.superuser.host, port: postgres.superuser.port, dbname: database };
  return {
    database,
    master: { ...endpoint, username: master, password: masterPassword },
    app: { ...endpoint, username: app, password: appPassword },
    group,
    table: 'orders',
  };
}

export async function dropRotationFixture(postgres: TestPostgres, prefix: string): Promise<void> {
  const database = `${prefix}_db`;
  await postgres.query(`DROP DATABASE IF EXISTS ${escapeIdentifier(database)} WITH (FORCE)`);
  for (const role of [`${prefix}_app_clone`, `${prefix}_app`, `${prefix}_readers`, `${prefix}_master`]) {
    await postgres.query(`DROP ROLE IF EXISTS ${escapeIdentifier(role)}`);
  }
}

/** Log in and read the fixture table: what a service does with its credentials. */
export async function logInAndRead(credentials: DatabaseCredentials): Promise<number> {
  return withClient(credentials, async (client) => {
    const result = await client.query<{ total: string }>('SELECT total FROM orders WHERE id = 1');
    return Number(result.rows[0]?.total);
  });
}
