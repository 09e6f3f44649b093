/** A generated organisation of many services, for scale tests and benchmarks. */
import { boolean, integer, oneOf, string } from '../../functions/core/keys.ts';
import { defineService, type Organisation, type ServiceDefinition } from '../../functions/core/model.ts';

/** `services` services of `keysPerService` keys, each with a desired value in every environment. */
export function largeOrganisation(
  services: number,
  keysPerService: number,
  environments: readonly string[],
): Organisation {
  const definitions: ServiceDefinition[] = [];
  for (let s = 0; s < services; s++) {
    const keys: ServiceDefinition['keys'] = {};
    const values: Record<string, Record<string, unknown>> = Object.fromEntries(
      environments.map((e) => [e, {}]),
    );
    for (let k = 0; k < keysPerService; k++) {
      const kind = k % 4;
      const name = `key-${k}`;
      keys[name] =
        kind === 0
          ? integer({ min: 0, max: 1000 })
          : kind === 1
            ? boolean()
            : kind === 2
              ? oneOf(['a', 'b'])
              : string();
      for (const env of environments) {
        values[env]![name] = kind === 0 ? k : kind === 1 ? k % 2 === 0 : kind === 2 ? 'a' : `value-${s}-${k}`;
      }
    }
    definitions.push(defineService({ name: `service-${s}`, keys, values }));
  }
  return { services: definitions };
}

/**
 * The organisation with one more environment, `added`, whose values, secrets and flags are copies of
 * `like`'s: the example organisation in a third environment, for scale tests.
 *
 * @example
 * const three = withEnvironmentLike(organisation, 'development', 'staging');
 */
export function withEnvironmentLike(organisation: Organisation, added: string, like: string): Organisation {
  const copy = <T>(value: T): T => {
    if (Array.isArray(value)) return value.map(copy) as T;
    if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype)
      return value;
    const entries = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
    if (like in entries && !(added in entries)) entries[added] = entries[like];
    return entries as T;
  };
  return {
    ...organisation,
    services: organisation.services.map((service) => ({
      ...service,
      values: copy(service.values),
      secrets: copy(service.secrets),
      flags: copy(service.flags),
    })),
  };
}
