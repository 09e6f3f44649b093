/**
 * The shape of a PostgreSQL secret (the same JSON Amazon RDS and AWS's rotation templates use), and
 * the credentials the `DatabaseUsers` port takes, read from it.
 */
import * as z from 'zod/mini';
import type { DatabaseCredentials } from '../../ports/database-users.ts';
import { SecretShapeError } from './errors.ts';

const nonEmpty = () => z.string().check(z.minLength(1));
const port = () => z.coerce.number().check(z.int(), z.minimum(1), z.maximum(65535));

const postgresSecretSchema = z.looseObject({
  engine: z.string().check(
    z.refine((engine: string) => engine === 'postgres' || engine === 'postgresql', {
      message: 'engine must be postgres',
    }),
  ),
  host: nonEmpty(),
  port: z._default(port(), 5432),
  dbname: z._default(nonEmpty(), 'postgres'),
  username: nonEmpty(),
  password: nonEmpty(),
  /** ARN (or name) of the secret with the master credentials. */
  masterarn: z.optional(nonEmpty()),
});

export type PostgresSecret = z.output<typeof postgresSecretSchema>;

const masterSecretSchema = z.looseObject({
  host: z.optional(nonEmpty()),
  port: z.optional(port()),
  dbname: z.optional(nonEmpty()),
  username: nonEmpty(),
  password: nonEmpty(),
});

/** Parse a secret string as JSON without ever letting the parser's message (which quotes the input) out. */
export function parseSecretJson(raw: string, what: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new SecretShapeError(`${what} is not valid JSON`);
  }
}

/** Issues as `field: problem`, never with the offending value. */
function describeShapeIssues(error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`).join('; ');
}

/**
 * @example
 * const pending = parsePostgresSecret(pendingValue, 'the AWSPENDING version');
 */
export function parsePostgresSecret(raw: string, what: string): PostgresSecret {
  const parsed = postgresSecretSchema.safeParse(parseSecretJson(raw, what));
  if (!parsed.success) {
    throw new SecretShapeError(`${what} is not a PostgreSQL secret (${describeShapeIssues(parsed.error)})`);
  }
  return parsed.data;
}

/** The administrator credentials: the master secret's, with the endpoint of the rotated secret as default. */
export function parseMasterCredentials(raw: string, endpoint: PostgresSecret): DatabaseCredentials {
  const parsed = masterSecretSchema.safeParse(parseSecretJson(raw, 'the master secret'));
  if (!parsed.success) {
    throw new SecretShapeError(`the master secret lacks credentials (${describeShapeIssues(parsed.error)})`);
  }
  return {
    host: parsed.data.host ?? endpoint.host,
    port: parsed.data.port ?? endpoint.port,
    dbname: parsed.data.dbname ?? endpoint.dbname,
    username: parsed.data.username,
    password: parsed.data.password,
  };
}

export function credentialsOf(secret: PostgresSecret): DatabaseCredentials {
  const { host, port, dbname, username, password } = secret;
  return { host, port, dbname, username, password };
}
