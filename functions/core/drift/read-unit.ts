/**
 * Reading one unit of a checkpointed drift run. A unit is small enough to finish well inside one
 * Lambda invocation and self-contained enough to be detected and ticketed on its own:
 * - a service, read in every environment at once (`/<root>/<env>/<service>`), so divergence between
 *   environments is still judged within the unit;
 * - the strays: parameters under the root but under no declared (environment, service) path, which
 *   only a DescribeParameters scan of the root sees, plus the managed secrets' rotation state.
 * Per parameter the reads are those of `readDeployedState`: values without decryption, the
 * `last-known-good` versions, who changed what, and decryption of managed SecureStrings only.
 */
import type { SchemaRegistry } from '../registry.ts';
import { LAST_KNOWN_GOOD } from '../names.ts';
import type { DriftParameterSource, SecretInventory } from '../../ports/drift.ts';
import {
  type DriftSnapshot,
  DriftReadError,
  decryptManaged,
  describeError,
  type ObservedParameter,
  observe,
  type ReadFailure,
  readOverrides,
  readSecrets,
  withOverride,
} from './read.ts';

export type DriftUnit = { readonly kind: 'strays' } | { readonly kind: 'service'; readonly service: string };

/** GetParametersByPath returns at most 10 a page, DescribeParameters 50, GetParameters takes 10 names. */
const PATH_PAGE = 10;
const DESCRIBE_PAGE = 50;
const GET_MANY_BATCH = 10;

/**
 * The units of a run, in order: the strays first, so a run that cannot list the root at all fails in
 * its first step instead of filing a read-error ticket per service; then every service, `shared` included.
 */
export function driftUnits(registry: SchemaRegistry): DriftUnit[] {
  return [
    { kind: 'strays' },
    ...registry
      .serviceNames({ includeShared: true })
      .map((service) => ({ kind: 'service' as const, service })),
  ];
}

/** Requests a unit is expected to send, from the declared keys (a step uses it to decide whether the next unit still fits). */
export function expectedCalls(
  registry: SchemaRegistry,
  unit: DriftUnit,
  environments: readonly string[],
): number {
  const pages = (n: number, size: number) => Math.ceil(n / size) + 1;
  if (unit.kind === 'strays') {
    let declared = 0;
    for (const service of registry.serviceNames({ includeShared: true })) {
      declared += Object.keys(registry.service(service)?.keys ?? {}).length;
    }
    return pages(declared * registry.environments.length, DESCRIBE_PAGE);
  }
  const keys = Object.values(registry.service(unit.service)?.keys ?? {});
  const secure = keys.filter((spec) => spec.parameterType === 'SecureString').length;
  const perEnvironment =
    2 * pages(keys.length, PATH_PAGE) +
    pages(keys.length, DESCRIBE_PAGE) +
    // The DescribeParameters scan for break-glass overrides: one page, as overrides are few.
    1 +
    Math.ceil(secure / GET_MANY_BATCH);
  return perEnvironment * environments.length;
}

export interface UnitReadOptions {
  /** @default every environment of the registry */
  readonly environments?: readonly string[];
  /** Read by the strays unit only. */
  readonly secrets?: SecretInventory;
}

/**
 * The snapshot of one unit. Its `checkedPaths` cover only what the unit read, so ticket resolution
 * and `missing` detection stay inside it.
 *
 * @example
 * const snapshot = await readUnit(registry, source, { kind: 'service', service: 'orders' });
 */
export async function readUnit(
  registry: SchemaRegistry,
  source: DriftParameterSource,
  unit: DriftUnit,
  options: UnitReadOptions = {},
): Promise<DriftSnapshot> {
  const environments = options.environments ?? registry.environments;
  return unit.kind === 'service'
    ? readService(registry, source, unit.service, environments)
    : readStrays(registry, source, environments, options);
}

async function readService(
  registry: SchemaRegistry,
  source: DriftParameterSource,
  service: string,
  environments: readonly string[],
): Promise<DriftSnapshot> {
  const failures: ReadFailure[] = [];
  const checkedPaths: string[] = [];
  const parameters: ObservedParameter[] = [];
  for (const environment of environments) {
    const envPath = `/${registry.parameterRoot}/${environment}`;
    const path = `${envPath}/${service}`;
    let stored: Awaited<ReturnType<DriftParameterSource['getByPath']>>;
    try {
      stored = await source.getByPath(path, { decrypt: false });
      checkedPaths.push(`${path}/`);
    } catch (error) {
      failures.push({ path: `${path}/`, environment, service, error: describeError(error) });
      continue;
    }
    let labelled = new Map<string, number>();
    try {
      labelled = await source.labelledVersions(path, LAST_KNOWN_GOOD);
    } catch (error) {
      failures.push({
        path: `${path}/`,
        environment,
        service,
        error: `reading labels: ${describeError(error)}`,
      });
    }
    const changedBy = new Map<string, string | undefined>();
    try {
      for (const entry of await source.describe(path)) changedBy.set(entry.name, entry.lastModifiedUser);
    } catch (error) {
      // Values are still judged; only who-changed-what is lost, and the read-error says so.
      failures.push({ path: `describe:${path}/`, environment, service, error: describeError(error) });
    }
    const overrides = await readOverrides(source, path, environment, service, failures);
    const decrypted = await decryptManaged(registry, source, stored, envPath, environment, failures);
    for (const parameter of stored) {
      parameters.push({
        ...observe(parameter, environment, decrypted, labelled),
        lastModifiedUser: changedBy.get(parameter.name),
        ...withOverride(overrides, parameter.name),
      });
    }
  }
  return { environments, parameters, failures, checkedPaths };
}

async function readStrays(
  registry: SchemaRegistry,
  source: DriftParameterSource,
  environments: readonly string[],
  options: UnitReadOptions,
): Promise<DriftSnapshot> {
  const root = `/${registry.parameterRoot}`;
  // Without an environment filter the whole root is in scope, so unknown environments are found too.
  const scope = options.environments ? environments.map((env) => `${root}/${env}/`) : [`${root}/`];
  const declared = registry.environments.flatMap((env) =>
    registry.serviceNames({ includeShared: true }).map((service) => `${root}/${env}/${service}/`),
  );
  const declaredSet = new Set(declared);
  // `/<root>/<env>/<service>/`, the declared path a name would lie under: a Set look-up, not a scan
  // (the root may hold 100,000 names and the registry thousands of paths).
  const servicePathOf = (name: string) => {
    const [env, service, ...key] = name.slice(root.length + 1).split('/');
    return key.length > 0 ? `${root}/${env}/${service}/` : undefined;
  };
  let entries: Awaited<ReturnType<DriftParameterSource['describe']>>;
  try {
    entries = await source.describe(root);
  } catch (error) {
    throw new DriftReadError(`the parameters under ${root}/ could not be listed: ${describeError(error)}`, {
      cause: error,
    });
  }
  const strays = entries.filter(
    (entry) =>
      scope.some((path) => entry.name.startsWith(path)) && !declaredSet.has(servicePathOf(entry.name) ?? ''),
  );
  const failures: ReadFailure[] = [];
  // Plain strays are read so a credential left in one is still found; SecureStrings are not decrypted.
  const values = new Map<string, string>();
  const plain = strays.filter((entry) => entry.type === 'String').map((entry) => entry.name);
  if (plain.length > 0) {
    try {
      for (const parameter of await source.getMany(plain)) values.set(parameter.name, parameter.value);
    } catch (error) {
      failures.push({ path: `${root}/`, environment: '*', error: `reading strays: ${describeError(error)}` });
    }
  }
  const parameters = strays.map((entry): ObservedParameter => ({
    name: entry.name,
    environment: entry.name.slice(root.length + 1).split('/')[0] ?? '',
    type: entry.type,
    version: entry.version,
    lastModifiedDate: entry.lastModifiedDate,
    lastModifiedUser: entry.lastModifiedUser,
    value: values.get(entry.name),
  }));
  const checkedPaths = [...scope, `describe:${root}/`];
  const secrets = options.secrets
    ? await readSecrets(registry, options.secrets, environments, failures, checkedPaths)
    : undefined;
  // No environments: `missing` and divergence belong to the service units.
  return { environments: [], parameters, failures, checkedPaths, excludedPaths: declared, secrets };
}
