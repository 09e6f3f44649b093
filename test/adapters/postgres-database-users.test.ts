import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresDatabaseUsers, scramVerifier } from '../../functions/adapters/postgres-database-users.ts';
import type { DatabaseCredentials } from '../../functions/ports/database-users.ts';
import { DatabaseError, DatabaseUnavailableError } from '../../functions/ports/database-users.errors.ts';
import {
  createRotationFixture,
  dropRotationFixture,
  logInAndRead,
  type RotationFixture,
  requirePostgres,
  runScopedPrefix,
} from '../support/postgres.ts';

const PREFIX = runScopedPrefix('steward_pg_adapter');
/** A role name that breaks any SQL built without quoting. */
const ODD_ROLE = `${PREFIX} "odd"; role`;
const postgres = await requirePostgres();

describe.skipIf(!postgres)('Class: PostgresDatabaseUsers', () => {
  const users = new PostgresDatabaseUsers({ connectionTimeoutMillis: 2000 });
  let fixture: RotationFixture;

  beforeAll(async () => {
    if (!postgres) return;
    await postgres.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(`${ODD_ROLE}_clone`)}`);
    await postgres.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(ODD_ROLE)}`);
    fixture = await createRotationFixture(postgres, PREFIX);
  });

  afterAll(async () => {
    if (!postgres) return;
    await postgres.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(`${ODD_ROLE}_clone`)}`);
    await postgres.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(ODD_ROLE)}`);
    await dropRotationFixture(postgres, PREFIX);
  });

  it('logs in and runs a query with valid credentials', async () => {
    // Act & Assess
    expect(await users.canLogIn(fixture.app)).toBe(true);
  });

  it('answers false, without the password in any error, when the server rejects the login', async () => {
    // Act
    const wrongPassword = await users.canLogIn({ ...fixture.app, password: 'definitely-wrong-1' });
    const unknownUser = await users.canLogIn({ ...fixture.app, username: `${PREFIX}_nobody` });

    // Assess
    expect(wrongPassword).toBe(false);
    expect(unknownUser).toBe(false);
  });

  it('reports an unreachable server as DatabaseUnavailableError', async () => {
    // Act
    const attempt = users.canLogIn({ ...fixture.app, port: 1 });

    // Assess
    await expect(attempt).rejects.toThrow(DatabaseUnavailableError);
    await expect(attempt).rejects.not.toThrow(fixture.app.password);
  });

  it('creates the clone with the original role memberships, and repeats harmlessly', async () => {
    // Prepare
    const clone = `${fixture.app.username}_clone`;

    // Act
    await users.ensureClone(fixture.master, fixture.app.username, clone);
    await users.ensureClone(fixture.master, fixture.app.username, clone);
    await users.setPassword(fixture.master, clone, 'Clone-Password-1');

    // Assess
    expect(await logInAndRead({ ...fixture.app, username: clone, password: 'Clone-Password-1' })).toBe(42);
    const memberships = await postgres?.query(
      `SELECT count(*)::int AS n FROM pg_auth_members m JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1`,
      [clone],
    );
    expect(memberships?.rows[0]?.n).toBe(1);
  });

  it('gives the clone the original role attributes and settings, and follows later changes', async () => {
    // Prepare: an original that relies on role-level settings, as applications do (search_path)
    const app = pg.escapeIdentifier(fixture.app.username);
    const clone = `${fixture.app.username}_clone`;
    await postgres?.query(`ALTER ROLE ${app} WITH CREATEDB CONNECTION LIMIT 7`);
    await postgres?.query(`ALTER ROLE ${app} SET search_path = "$user", "odd schema", public`);
    await postgres?.query(`ALTER ROLE ${app} SET statement_timeout = '5s'`);
    await postgres?.query(
      `ALTER ROLE ${app} IN DATABASE ${pg.escapeIdentifier(fixture.database)} SET application_name = 'it''s; DROP ROLE x'`,
    );
    const state = async (role: string) => {
      const attributes = await postgres?.query(
        'SELECT rolcreatedb, rolconnlimit, rolinherit FROM pg_roles WHERE rolname = $1',
        [role],
      );
      const settings = await postgres?.query<{ database: string | null; config: string[] }>(
        `SELECT d.datname AS database, s.setconfig AS config FROM pg_db_role_setting s
           JOIN pg_roles r ON r.oid = s.setrole LEFT JOIN pg_database d ON d.oid = s.setdatabase
          WHERE r.rolname = $1 ORDER BY 1 NULLS FIRST`,
        [role],
      );
      return { attributes: attributes?.rows[0], settings: settings?.rows };
    };

    // Act
    await users.ensureClone(fixture.master, fixture.app.username, clone);

    // Assess: the clone behaves like the original, and its session sees the same search_path
    expect(await state(clone)).toEqual(await state(fixture.app.username));
    expect((await state(clone)).settings?.[0]?.config).toContain('search_path="$user", "odd schema", public');
    await users.setPassword(fixture.master, clone, 'Clone-Password-1');
    const session = new pg.Client({
      ...fixture.app,
      user: clone,
      password: 'Clone-Password-1',
      database: fixture.database,
    });
    await session.connect();
    const shown = await session.query('SHOW search_path');
    await session.end();
    expect(shown.rows[0]?.search_path).toBe('"$user", "odd schema", public');

    // Act: the original changes; the next rotation's ensureClone follows
    await postgres?.query(`ALTER ROLE ${app} WITH NOCREATEDB`);
    await postgres?.query(`ALTER ROLE ${app} RESET statement_timeout`);
    await users.ensureClone(fixture.master, fixture.app.username, clone);

    // Assess
    expect(await state(clone)).toEqual(await state(fixture.app.username));
    expect((await state(clone)).attributes).toMatchObject({ rolcreatedb: false, rolconnlimit: 7 });
  });

  it('copies an empty search_path, which PostgreSQL stores as ""', async () => {
    // Prepare
    const app = pg.escapeIdentifier(fixture.app.username);
    const clone = `${fixture.app.username}_clone`;
    await postgres?.query(`ALTER ROLE ${app} SET search_path = ''`);

    // Act
    await users.ensureClone(fixture.master, fixture.app.username, clone);

    // Assess
    const settings = await postgres?.query<{ config: string[] }>(
      `SELECT s.setconfig AS config FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
        WHERE r.rolname = $1 AND s.setdatabase = 0`,
      [clone],
    );
    expect(settings?.rows[0]?.config).toContain('search_path=""');
    await postgres?.query(`ALTER ROLE ${app} RESET search_path`);
  });

  it('fails the clone with a clear error, changing nothing, when a setting needs a superuser to copy', async () => {
    // Prepare: a superuser set a custom parameter the master (CREATEROLE, as on RDS) may not set
    const app = pg.escapeIdentifier(fixture.app.username);
    const clone = `${fixture.app.username}_clone`;
    await users.ensureClone(fixture.master, fixture.app.username, clone);
    await postgres?.query(`ALTER ROLE ${app} SET "app"."tenant" = 'acme'`);
    await postgres?.query(`ALTER ROLE ${app} WITH CONNECTION LIMIT 9`);

    // Act
    const act = users.ensureClone(fixture.master, fixture.app.username, clone);

    // Assess: named, and the transaction left the clone as it was
    await expect(act).rejects.toThrow('permission denied to set parameter "app.tenant"');
    const limit = await postgres?.query('SELECT rolconnlimit FROM pg_roles WHERE rolname = $1', [clone]);
    expect(limit?.rows[0]?.rolconnlimit).not.toBe(9);
    await postgres?.query(`ALTER ROLE ${app} RESET "app"."tenant"`);
  });

  it('quotes identifiers and password literals, whatever they contain', async () => {
    // Prepare
    await postgres?.query(`CREATE ROLE ${pg.escapeIdentifier(ODD_ROLE)} LOGIN`);
    await postgres?.query(`GRANT ${pg.escapeIdentifier(fixture.group)} TO ${pg.escapeIdentifier(ODD_ROLE)}`);
    const password = `it's a "password"; DROP ROLE x; --`;

    // Act
    await users.ensureClone(fixture.master, ODD_ROLE, `${ODD_ROLE}_clone`);
    await users.setPassword(fixture.master, `${ODD_ROLE}_clone`, password);

    // Assess
    const credentials: DatabaseCredentials = { ...fixture.app, username: `${ODD_ROLE}_clone`, password };
    expect(await logInAndRead(credentials)).toBe(42);
  });

  it('refuses to clone a role that does not exist', async () => {
    // Act & Assess
    await expect(
      users.ensureClone(fixture.master, `${PREFIX}_ghost`, `${PREFIX}_ghost_clone`),
    ).rejects.toThrow(`role "${PREFIX}_ghost" does not exist`);
  });

  it('lets a user change its own password', async () => {
    // Prepare
    const before = { ...fixture.app };

    // Act
    await users.changeOwnPassword(before, 'Own-New-Password-2');

    // Assess
    expect(await users.canLogIn({ ...before, password: 'Own-New-Password-2' })).toBe(true);
    expect(await users.canLogIn(before)).toBe(false);
    await users.setPassword(fixture.master, before.username, before.password);
  });
});

describe('Function: scramVerifier', () => {
  it('matches the RFC 7677 derivation for a known salt', () => {
    // Prepare: the user "user" / password "pencil" example of RFC 7677, salt W22ZaJ0SNY7soEsUEjb6gQ==
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');

    // Act
    const verifier = scramVerifier('pencil', salt);

    // Assess: StoredKey and ServerKey for that salt and 4096 iterations
    expect(verifier).toBe(
      'SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=',
    );
  });

  it('refuses a password that is not printable ASCII', () => {
    // Act & Assess
    expect(() => scramVerifier('pässword')).toThrow(DatabaseError);
  });
});
