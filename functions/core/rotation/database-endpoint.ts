/**
 * The database a PostgreSQL secret belongs to, as `config/` declares it: checked by `steward check`,
 * resolved with its defaults by the stack (it becomes the secret's generated value), and the network
 * path the rotation function needs to reach it.
 */
import { ConfigurationError } from '../errors.ts';
import type { PostgresEndpoint, SecretDefinition } from '../model.ts';
import type { DeclaredSecret } from './naming.ts';
import { CLONE_SUFFIX } from './strategies/postgres.ts';

export const DEFAULT_POSTGRES_PORT = 5432;
/** PostgreSQL truncates identifiers longer than this many bytes (NAMEDATALEN - 1). */
const MAX_IDENTIFIER_BYTES = 63;
const HOST_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

/** An endpoint with its defaults applied: exactly the fields the secret's value carries. */
export interface ResolvedPostgresEndpoint {
  readonly host: string;
  readonly port: number;
  readonly dbname: string;
  readonly username: string;
}

export function isPostgresStrategy(definition: SecretDefinition): boolean {
  return definition.rotation.strategy !== 'random';
}

/** The example shape, quoted in messages so the fix can be copied. */
const ENDPOINT_SHAPE = '{ host, port?, dbname?, username? }';

function isHostName(host: string): boolean {
  if (host.length > 253) return false;
  return host.split('.').every((label) => HOST_LABEL.test(label));
}

/**
 * How the rotation function connects: `verifiedTls` (the stack's `verify-full`, always what the
 * stack deploys) checks the server's certificate against `host`.
 */
export interface EndpointCheckOptions {
  /** @default true */
  readonly verifiedTls?: boolean;
}

/** Why a host is not usable as `host`, naming what was probably meant. */
function hostProblem(host: unknown, verifiedTls: boolean): string | undefined {
  if (typeof host !== 'string' || host.trim() === '') return 'host is missing';
  if (host.includes('://')) return `host "${host}" is a URL; give the DNS name alone`;
  if (/:\d+$/.test(host)) return `host "${host}" carries a port; put it in the port field`;
  // The rotation verifies the server's certificate against the host (verify-full), and RDS and Aurora
  // certificates name DNS names only: an address would fail the first rotation's TLS handshake.
  if (verifiedTls && IPV4.test(host)) {
    return `host "${host}" is an IP address; give the RDS instance or Aurora writer endpoint's DNS name (TLS is verified against it)`;
  }
  if (!isHostName(host)) return `host "${host}" is not a DNS name`;
  return undefined;
}

function identifierProblem(
  field: 'dbname' | 'username',
  value: unknown,
  maxBytes: number,
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) return `${field} must be a non-empty string`;
  if (Buffer.byteLength(value, 'utf8') > maxBytes) {
    return `${field} "${value}" is longer than ${maxBytes} bytes`;
  }
  return undefined;
}

function endpointProblems(
  endpoint: PostgresEndpoint,
  definition: SecretDefinition,
  options: EndpointCheckOptions,
): string[] {
  const alternating = definition.rotation.strategy === 'postgres-alternating-users';
  const port = endpoint.port;
  return [
    hostProblem(endpoint.host, options.verifiedTls ?? true),
    port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)
      ? `port ${String(port)} is not an integer from 1 to 65535`
      : undefined,
    identifierProblem('dbname', endpoint.dbname, MAX_IDENTIFIER_BYTES),
    // The alternating strategy's second user is `<username>_clone`, which must fit whole too.
    identifierProblem(
      'username',
      endpoint.username,
      alternating ? MAX_IDENTIFIER_BYTES - CLONE_SUFFIX.length : MAX_IDENTIFIER_BYTES,
    ),
  ].filter((problem): problem is string => problem !== undefined);
}

/**
 * Everything wrong with a secret's `database`, one message per problem, for `steward check` and the
 * synth. `environments` are the settings' environments; the secret is held by those its own
 * `environments` name, or all of them.
 *
 * @example
 * databaseProblems(orders.secrets.db, ['staging', 'production']);
 * // ['database is missing: PostgreSQL rotation needs { host, port?, dbname?, username? } for staging, production']
 */
export function databaseProblems(
  definition: SecretDefinition,
  environments: readonly string[],
  options: EndpointCheckOptions = {},
): string[] {
  const database = definition.database;
  if (!isPostgresStrategy(definition)) {
    return database === undefined
      ? []
      : [`database applies only to PostgreSQL strategies, not ${definition.rotation.strategy}`];
  }
  const holders = environments.filter(
    (env) => !definition.environments || definition.environments.includes(env),
  );
  if (database === undefined) {
    return [
      `database is missing: ${definition.rotation.strategy} needs ${ENDPOINT_SHAPE} for ${holders.join(', ')} ` +
        '(the rotation function connects to it, and it goes into the generated secret)',
    ];
  }
  const problems: string[] = [];
  const missing = holders.filter((env) => database[env] === undefined);
  if (missing.length > 0) problems.push(`database has no endpoint for ${missing.join(', ')}`);
  for (const [env, endpoint] of Object.entries(database)) {
    if (!holders.includes(env)) {
      problems.push(`database names environment "${env}", which does not hold this secret`);
      continue;
    }
    for (const problem of endpointProblems(endpoint, definition, options))
      problems.push(`database.${env}: ${problem}`);
  }
  return problems;
}

/**
 * The endpoint of one declared PostgreSQL secret with its defaults (port 5432, the service name as
 * database and user). Throws ConfigurationError naming the secret when `config/` gives none, or a
 * broken one, so a secret without a host is never generated.
 *
 * @example
 * const { host, port, dbname, username } = resolveDatabaseEndpoint(declared);
 */
export function resolveDatabaseEndpoint(
  declared: DeclaredSecret,
  options: EndpointCheckOptions = {},
): ResolvedPostgresEndpoint {
  const { definition } = declared;
  const endpoint = definition.database?.[declared.environment];
  const problems = endpoint
    ? endpointProblems(endpoint, definition, options)
    : [`no database endpoint for ${declared.environment}`];
  if (!endpoint || problems.length > 0) {
    throw new ConfigurationError(
      `secret ${declared.name}: ${problems.join('; ')}; the endpoint is secrets.${declared.secret}.database.` +
        `${declared.environment} of config/services/${declared.service}.ts, as ${ENDPOINT_SHAPE}`,
    );
  }
  return {
    host: endpoint.host,
    port: endpoint.port ?? DEFAULT_POSTGRES_PORT,
    dbname: endpoint.dbname ?? declared.service,
    username: endpoint.username ?? declared.service,
  };
}

/**
 * Why the rotation function could not reach the PostgreSQL databases: a PostgreSQL secret and no
 * `vpc` in the settings (outside a VPC a Lambda function reaches only public endpoints, and RDS
 * databases are private). Undefined when there is no PostgreSQL secret or a VPC is given.
 *
 * @example
 * const problem = postgresNetworkProblem(declaredSecrets(organisation, root, environments), settings.vpc);
 * if (problem) throw new ConfigurationError(problem);
 */
export function postgresNetworkProblem(
  declared: readonly DeclaredSecret[],
  vpc: object | undefined,
): string | undefined {
  if (vpc !== undefined) return undefined;
  const postgres = declared.filter((secret) => isPostgresStrategy(secret.definition)).map((s) => s.name);
  if (postgres.length === 0) return undefined;
  return (
    `the rotate-secret function must reach the PostgreSQL database of ${postgres.join(', ')}, and the settings ` +
    '(config/settings.json) have no "vpc". Add "vpc": { "vpcId": "vpc-...", "subnetIds": ["subnet-...", ...], ' +
    '"securityGroupIds": ["sg-..."], "availabilityZones": ["<region>a", ...] }: private subnets that route to ' +
    'the databases (one per availability zone, in the order of availabilityZones) and a security group ' +
    'allowing outbound 5432 to the databases and 443 to Secrets Manager, EventBridge and Systems Manager ' +
    '(interface endpoints or a NAT)'
  );
}
