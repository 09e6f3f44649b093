/**
 * What makes a PostgreSQL clone user behave like the original, beyond its memberships: the role
 * attributes an application may rely on (INHERIT, CREATEDB, CREATEROLE, CONNECTION LIMIT, and
 * REPLICATION / BYPASSRLS, which only a superuser can give: with an RDS-style CREATEROLE master the
 * step then fails loudly, as a clone without BYPASSRLS would silently see fewer rows) and the
 * role-level settings (`ALTER ROLE ... [IN DATABASE ...] SET search_path = ...`). Run inside
 * ensureClone's transaction, on every rotation, so a later change to the original reaches the clone.
 */
import pg from 'pg';
import { DatabaseError } from '../ports/database-users.errors.ts';

const { escapeIdentifier, escapeLiteral } = pg;

interface RoleAttributes {
  readonly rolname: string;
  readonly rolinherit: boolean;
  readonly rolcreaterole: boolean;
  readonly rolcreatedb: boolean;
  readonly rolconnlimit: number;
  readonly rolreplication: boolean;
  readonly rolbypassrls: boolean;
}

const FLAGS = [
  ['rolinherit', 'INHERIT'],
  ['rolcreaterole', 'CREATEROLE'],
  ['rolcreatedb', 'CREATEDB'],
  ['rolreplication', 'REPLICATION'],
  ['rolbypassrls', 'BYPASSRLS'],
] as const;

/**
 * Give `clone` the original's attributes; a no-op when they already match.
 *
 * @example
 * await copyRoleAttributes(client, 'orders', 'orders_clone'); // inside ensureClone's transaction
 */
export async function copyRoleAttributes(client: pg.Client, original: string, clone: string): Promise<void> {
  const { rows } = await client.query<RoleAttributes>(
    `SELECT rolname, rolinherit, rolcreaterole, rolcreatedb, rolconnlimit, rolreplication, rolbypassrls
       FROM pg_roles WHERE rolname = ANY($1::text[])`,
    [[original, clone]],
  );
  const from = rows.find((r) => r.rolname === original);
  const to = rows.find((r) => r.rolname === clone);
  if (!from || !to) throw new DatabaseError(`role "${from ? clone : original}" does not exist`);
  const clauses = FLAGS.filter(([column]) => from[column] !== to[column]).map(
    ([column, keyword]) => `${from[column] ? '' : 'NO'}${keyword}`,
  );
  if (from.rolconnlimit !== to.rolconnlimit) clauses.push(`CONNECTION LIMIT ${Number(from.rolconnlimit)}`);
  if (clauses.length > 0)
    await client.query(`ALTER ROLE ${escapeIdentifier(clone)} WITH ${clauses.join(' ')}`);
}

/**
 * Settings whose stored text is a list of identifiers PostgreSQL quoted itself (GUC_LIST_QUOTE): they
 * are re-issued as that list. As one quoted literal, `"$user", app` would become a single schema name.
 */
const QUOTED_LISTS = new Set([
  'search_path',
  'temp_tablespaces',
  'session_preload_libraries',
  'local_preload_libraries',
]);
/** Such a list as PostgreSQL prints it: quoted or plain identifiers, separated by commas. */
const IDENTIFIER_LIST = /^(?:"(?:[^"]|"")*"|[A-Za-z0-9_$]+)(?:,\s*(?:"(?:[^"]|"")*"|[A-Za-z0-9_$]+))*$/;
const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)*$/;

interface RoleSettings {
  readonly rolname: string;
  /** Null for settings that apply in every database. */
  readonly database: string | null;
  readonly config: string[];
}

/**
 * Make `clone`'s role-level settings, per database, exactly the original's.
 *
 * @example
 * await copyRoleSettings(client, 'orders', 'orders_clone'); // inside ensureClone's transaction
 */
export async function copyRoleSettings(client: pg.Client, original: string, clone: string): Promise<void> {
  const { rows } = await client.query<RoleSettings>(
    `SELECT r.rolname, d.datname AS database, s.setconfig AS config
       FROM pg_db_role_setting s
       JOIN pg_roles r ON r.oid = s.setrole
       LEFT JOIN pg_database d ON d.oid = s.setdatabase
      WHERE r.rolname = ANY($1::text[])`,
    [[original, clone]],
  );
  const of = (role: string) => rows.filter((r) => r.rolname === role);
  if (fingerprint(of(original)) === fingerprint(of(clone))) return;
  for (const scope of of(clone)) {
    await client.query(`ALTER ROLE ${escapeIdentifier(clone)}${inDatabase(scope.database)} RESET ALL`);
  }
  for (const scope of of(original)) {
    for (const entry of scope.config) {
      await client.query(
        `ALTER ROLE ${escapeIdentifier(clone)}${inDatabase(scope.database)} SET ${settingAssignment(entry)}`,
      );
    }
  }
}

function fingerprint(scopes: readonly RoleSettings[]): string {
  return JSON.stringify(
    scopes
      .map((s) => [s.database ?? '', [...s.config].sort()])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
}

function inDatabase(database: string | null): string {
  return database === null ? '' : ` IN DATABASE ${escapeIdentifier(database)}`;
}

/** `name = value` from a stored `name=value`, quoted so that nothing in it is read as SQL. */
function settingAssignment(entry: string): string {
  const equals = entry.indexOf('=');
  const name = entry.slice(0, equals);
  const value = entry.slice(equals + 1);
  if (equals <= 0 || !SETTING_NAME.test(name)) {
    throw new DatabaseError(`cannot copy the role setting "${name}": not a setting name`);
  }
  const quotedName = name.split('.').map(escapeIdentifier).join('.');
  if (!QUOTED_LISTS.has(name.toLowerCase())) return `${quotedName} = ${escapeLiteral(value)}`;
  // An empty list is stored as "" (a zero-length identifier, which SQL refuses): it is written ''.
  if (value === '""') return `${quotedName} = ''`;
  if (!IDENTIFIER_LIST.test(value)) {
    throw new DatabaseError(`cannot copy the role setting "${name}": its value is not a list of identifiers`);
  }
  return `${quotedName} = ${value}`;
}
