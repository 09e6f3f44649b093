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
