/** Secret names (`<root>/<environment>/<service>/<secret>`) and the declarations they point to. */
import type { Organisation, SecretDefinition } from '../model.ts';
import { UnknownSecretError } from './errors.ts';

export interface DeclaredSecret {
  readonly name: string;
  readonly environment: string;
  readonly service: string;
  readonly secret: string;
  readonly definition: SecretDefinition;
}

/**
 * The secret's name from an ARN or a name. Secrets Manager appends `-` and six random characters to
 * the name in the ARN, which are dropped here.
 *
 * @example
 * secretNameFromId('arn:aws:secretsmanager:eu-west-1:123456789012:secret:config/production/orders/db-AbCdEf');
 * // 'config/production/orders/db'
 */
export function secretNameFromId(secretId: string): string {
  const arn = /^arn:[^:]+:secretsmanager:[^:]*:[^:]*:secret:(.+)$/.exec(secretId);
  if (!arn) return secretId;
  return (arn[1] as string).replace(/-[A-Za-z0-9]{6}$/, '');
}

/** The Secrets Manager name of a declared secret. */
export function secretName(root: string, environment: string, service: string, secret: string): string {
  return `${root}/${environment}/${service}/${secret}`;
}

/** True for a secret ARN (`arn:<partition>:secretsmanager:...`). */
export function isSecretArn(id: string): boolean {
  return /^arn:[^:]+:secretsmanager:/.test(id);
}

/**
 * The name (or ARN) of the master secret a PostgreSQL secret declares: relative to the service
 * (`db-master` → `<root>/<env>/<service>/db-master`) unless it contains a slash, is one RDS manages
 * (`rds!db-...`, `rds!cluster-...`) or is an ARN. It becomes the secret's `masterarn`.
 */
export function masterSecretName(declared: DeclaredSecret, root: string): string | undefined {
  const master = declared.definition.masterSecret;
  if (!master) return undefined;
  const absolute = master.includes('/') || master.startsWith('rds!') || isSecretArn(master);
  return absolute ? master : secretName(root, declared.environment, declared.service, master);
}

/** Every secret the organisation declares, for every environment that holds it. */
export function declaredSecrets(
  organisation: Organisation,
  root: string,
  environments: readonly string[],
): DeclaredSecret[] {
  return organisation.services.flatMap((service) =>
    Object.entries(service.secrets ?? {}).flatMap(([secret, definition]) =>
      environments
        .filter((environment) => !definition.environments || definition.environments.includes(environment))
        .map((environment) => ({
          name: secretName(root, environment, service.name, secret),
          environment,
          service: service.name,
          secret,
          definition,
        })),
    ),
  );
}

/**
 * The declaration of a secret by its name; throws UnknownSecretError naming what did not match.
 *
 * @example
 * const { definition } = findDeclaredSecret(organisation, 'config', ['production'], 'config/production/orders/db');
 */
export function findDeclaredSecret(
  organisation: Organisation,
  root: string,
  environments: readonly string[],
  name: string,
): DeclaredSecret {
  const found = declaredSecrets(organisation, root, environments).find((declared) => declared.name === name);
  if (!found) {
    throw new UnknownSecretError(
      `secret "${name}" is not declared in config/ (expected ${root}/<environment>/<service>/<secret> with a known environment)`,
    );
  }
  return found;
}
