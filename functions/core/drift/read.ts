/**
 * Reading what is deployed, cheaply and tolerantly. Per environment: one recursive GetParametersByPath
 * scan WITHOUT decryption, one scan filtered on the `last-known-good` label (versions only), and a
 * decrypting GetParameters only for the SecureString parameters of managed keys, because a secret's
 * value is needed for one thing, checking it against its key's schema, and is hashed right after. One
 * DescribeParameters scan of the root adds who changed what and finds parameters of unknown
 * environments. A path that cannot be read becomes a failure the sweep reports; the others go on.
 */
import { StewardError } from '../errors.ts';
import type { StoredParameter } from '../../ports/parameter-store.ts';
import type { ParameterType } from '../keys.ts';
import { LAST_KNOWN_GOOD } from '../names.ts';
import type { OverrideRecord } from '../override.ts';
import type { SchemaRegistry } from '../registry.ts';
import type { DriftParameterSource, SecretInventory, SecretRotationState } from '../../ports/drift.ts';

/** What the sweep saw of one parameter. */
export interface ObservedParameter {
  readonly name: string;
  readonly environment: string;
  readonly type: ParameterType;
  readonly version: number;
  readonly lastModifiedDate?: Date;
  readonly lastModifiedUser?: string;
  /**
   * The value: plain for `String`; for a managed `SecureString`, decrypted and held only for this run
   * (findings that may not show it carry its keyed fingerprint). Undefined when it could not or need
   * not be read.
   */
  readonly value?: string;
  /** The version carrying `last-known-good`, if any. */
  readonly labelledVersion?: number;
  /** The break-glass override recorded on it, active or expired. */
  readonly override?: OverrideRecord;
}

export interface ReadFailure {
  /** The path (ending in `/`) or scope that could not be read. */
  readonly path: string;
  readonly environment: string;
  readonly service?: string;
  /** Error class and message; adapter messages never carry values. */
  readonly error: string;
}

export interface DriftSnapshot {
  readonly environments: readonly string[];
  readonly parameters: readonly ObservedParameter[];
  readonly failures: readonly ReadFailure[];
  /** Prefixes that were read; a ticket is resolved only when its subject lies under one and under no failure. */
  readonly checkedPaths: readonly string[];
  /** Prefixes under a checked path that this snapshot did not read (a checkpointed run reads them in other steps). */
  readonly excludedPaths?: readonly string[];
  /** Rotation state of the managed secrets; undefined when no inventory was given or it failed. */
  readonly secrets?: readonly SecretRotationState[];
}

/** Nothing at all could be read: the run fails instead of reporting an empty world. */
export class DriftReadError extends StewardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DriftReadError';
  }
}

export interface ReadOptions {
  readonly environments?: readonly string[];
  readonly secrets?: SecretInventory;
}

/**
 * @example
 * const snapshot = await readDeployedState(registry, driftSourceOf(store), { environments: ['staging'] });
 */
export async function readDeployedState(
  registry: SchemaRegistry,
  source: DriftParameterSource,
  options: ReadOptions = {},
): Promise<DriftSnapshot> {
  const environments = options.environments ?? registry.environments;
  const failures: ReadFailure[] = [];
  const checkedPaths: string[] = [];
  const parameters: ObservedParameter[] = [];
  const root = `/${registry.parameterRoot}`;

  const metadata = new Map<string, { lastModifiedUser?: string }>();
  const unknownEnvironmentNames: string[] = [];
  try {
    for (const entry of await source.describe(root)) {
      metadata.set(entry.name, { lastModifiedUser: entry.lastModifiedUser });
      const environment = entry.name.slice(root.length + 1).split('/')[0] ?? '';
      if (!registry.environments.includes(environment)) unknownEnvironmentNames.push(entry.name);
    }
    checkedPaths.push(`describe:${root}/`);
    if (!options.environments) checkedPaths.push(`${root}/`);
  } catch (error) {
    // Not a path failure: values are still read by path; only who-changed-what and unknown environments are lost.
    failures.push({ path: `describe:${root}/`, environment: '*', error: describeError(error) });
  }

  let environmentsRead = 0;
  for (const environment of environments) {
    const read = await readEnvironment(registry, source, environment);
    failures.push(...read.failures);
    checkedPaths.push(...read.checkedPaths);
    if (read.checkedPaths.length > 0) environmentsRead++;
    for (const parameter of read.parameters) {
      parameters.push({ ...parameter, lastModifiedUser: metadata.get(parameter.name)?.lastModifiedUser });
    }
  }
  if (environmentsRead === 0) {
    throw new DriftReadError(
      `no environment could be read: ${failures.map((f) => `${f.path} (${f.error})`).join('; ')}`,
    );
  }
  // Parameters of environments the settings do not know: only DescribeParameters sees them.
  if (!options.environments) {
    for (const name of unknownEnvironmentNames) {
      const entry = metadata.get(name);
      parameters.push({
        name,
        environment: name.slice(root.length + 1).split('/')[0] ?? '',
        type: 'String',
        version: 0,
        lastModifiedUser: entry?.lastModifiedUser,
      });
    }
  }

  const secrets = options.secrets
    ? await readSecrets(registry, options.secrets, environments, failures, checkedPaths)
    : undefined;
  return { environments, parameters, failures, checkedPaths, secrets };
}

/** Rotation state of the managed secrets; a failure (and undefined) when the inventory cannot be read. */
export async function readSecrets(
  registry: SchemaRegistry,
  inventory: SecretInventory,
  environments: readonly string[],
  failures: ReadFailure[],
  checkedPaths: string[],
): Promise<SecretRotationState[] | undefined> {
  const names = managedSecretNames(registry, environments);
  try {
    const secrets = names.length > 0 ? await inventory.describe(names) : [];
    checkedPaths.push(`secretsmanager:${registry.parameterRoot}/`, ...names);
    return secrets;
  } catch (error) {
    failures.push({
      path: `secretsmanager:${registry.parameterRoot}/`,
      environment: '*',
      error: describeError(error),
    });
    return undefined;
  }
}

async function readEnvironment(
  registry: SchemaRegistry,
  source: DriftParameterSource,
  environment: string,
): Promise<{ parameters: ObservedParameter[]; failures: ReadFailure[]; checkedPaths: string[] }> {
  const envPath = `/${registry.parameterRoot}/${environment}`;
  const failures: ReadFailure[] = [];
  const checkedPaths: string[] = [];
  let stored: Awaited<ReturnType<DriftParameterSource['getByPath']>> = [];
  try {
    stored = await source.getByPath(envPath, { decrypt: false });
    checkedPaths.push(`${envPath}/`);
  } catch (envError) {
    // The environment as a whole is unreadable (e.g. IAM scoped per service): try each service alone.
    const serviceFailures: ReadFailure[] = [];
    for (const service of registry.serviceNames({ includeShared: true })) {
      const servicePath = `${envPath}/${service}`;
      try {
        stored.push(...(await source.getByPath(servicePath, { decrypt: false })));
        checkedPaths.push(`${servicePath}/`);
      } catch (error) {
        serviceFailures.push({ path: `${servicePath}/`, environment, service, error: describeError(error) });
      }
    }
    if (checkedPaths.length === 0) {
      return {
        parameters: [],
        failures: [{ path: `${envPath}/`, environment, error: describeError(envError) }],
        checkedPaths,
      };
    }
    failures.push(...serviceFailures);
  }

  let labelled = new Map<string, number>();
  try {
    labelled = await source.labelledVersions(envPath, LAST_KNOWN_GOOD);
  } catch (error) {
    // Without labels, label-mismatch cannot be judged: report it and keep this environment's tickets open.
    failures.push({ path: `${envPath}/`, environment, error: `reading labels: ${describeError(error)}` });
  }

  const overrides = await readOverrides(source, envPath, environment, undefined, failures);
  const decrypted = await decryptManaged(registry, source, stored, envPath, environment, failures);
  const parameters = stored.map((parameter) => ({
    ...observe(parameter, environment, decrypted, labelled),
    ...withOverride(overrides, parameter.name),
  }));
  return { parameters, failures, checkedPaths };
}

/**
 * The overrides recorded under a path, by name. Unreadable, they become a failure: the path's values
 * would otherwise be reported as drift where an override holds them.
 */
export async function readOverrides(
  source: DriftParameterSource,
  path: string,
  environment: string,
  service: string | undefined,
  failures: ReadFailure[],
): Promise<Map<string, OverrideRecord>> {
  try {
    return new Map((await source.overridesUnder(path)).map((record) => [record.parameter, record]));
  } catch (error) {
    failures.push({
      path: `${path}/`,
      environment,
      service,
      error: `reading overrides: ${describeError(error)}`,
    });
    return new Map();
  }
}

/** `{ override }` when one is recorded on the parameter, else nothing (so no undefined field is spread). */
export function withOverride(
  overrides: ReadonlyMap<string, OverrideRecord>,
  name: string,
): { override?: OverrideRecord } {
  const override = overrides.get(name);
  return override ? { override } : {};
}

/**
 * Decrypt only managed SecureString parameters, per service so one unreadable KMS key spoils one
 * service; a service that cannot be decrypted becomes a failure under `envPath`.
 */
export async function decryptManaged(
  registry: SchemaRegistry,
  source: DriftParameterSource,
  stored: readonly StoredParameter[],
  envPath: string,
  environment: string,
  failures: ReadFailure[],
): Promise<Map<string, string>> {
  const decrypted = new Map<string, string>();
  const secureByService = new Map<string, string[]>();
  for (const parameter of stored) {
    const resolution = registry.resolve(parameter.name);
    if (parameter.type !== 'SecureString' || !resolution.ok) continue;
    secureByService.set(resolution.service, [
      ...(secureByService.get(resolution.service) ?? []),
      parameter.name,
    ]);
  }
  for (const [service, names] of secureByService) {
    try {
      for (const parameter of await source.getMany(names)) decrypted.set(parameter.name, parameter.value);
    } catch (error) {
      failures.push({
        path: `${envPath}/${service}/`,
        environment,
        service,
        error: `decrypting: ${describeError(error)}`,
      });
    }
  }
  return decrypted;
}

/** What the sweep keeps of one stored parameter: a SecureString's value only once decrypted. */
export function observe(
  parameter: StoredParameter,
  environment: string,
  decrypted: ReadonlyMap<string, string>,
  labelled: ReadonlyMap<string, number>,
): ObservedParameter {
  const value = parameter.type === 'SecureString' ? decrypted.get(parameter.name) : parameter.value;
  return {
    name: parameter.name,
    environment,
    type: parameter.type,
    version: parameter.version,
    lastModifiedDate: parameter.lastModifiedDate,
    value,
    labelledVersion: labelled.get(parameter.name),
  };
}

/**
 * Names of the Secrets Manager secrets the desired state manages: `<root>/<environment>/<service>/<secret>`,
 * the convention `config/` uses for secret references (e.g. `config/production/payments/db`).
 */
export function managedSecretNames(registry: SchemaRegistry, environments: readonly string[]): string[] {
  const names: string[] = [];
  for (const service of registry.serviceNames({ includeShared: true })) {
    const definition = registry.service(service);
    for (const [secret, spec] of Object.entries(definition?.secrets ?? {})) {
      for (const environment of environments) {
        if (spec.environments && !spec.environments.includes(environment)) continue;
        names.push(`${registry.parameterRoot}/${environment}/${service}/${secret}`);
      }
    }
  }
  return names;
}

export function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
}
