/**
 * The drift port's double: a `DriftParameterSource` over any `ParameterStore` (in tests, the
 * in-memory one), reading one value and one history per parameter. Correct but slow; the
 * production adapter, `SsmParameterStore`, implements the bulk reads natively.
 */
import type { DriftParameterSource } from '../../functions/ports/drift.ts';
import type { OverrideStore } from '../../functions/ports/override-store.ts';
import type { ParameterStore, StoredParameter } from '../../functions/ports/parameter-store.ts';

/**
 * A plain object, so a test can spread it and override one read.
 *
 * @example
 * const source = driftSourceOf(new InMemoryParameterStore());
 */
export function driftSourceOf(
  store: ParameterStore,
  overrides?: Pick<OverrideStore, 'overridesUnder'>,
): DriftParameterSource {
  return {
    // A ParameterStore keeps no tags: without an override store no override is recorded.
    overridesUnder: async (path) => (overrides ? overrides.overridesUnder(path) : []),
    getByPath: (path, options) => store.getByPath(path, options),
    describe: (path) => store.describe(path),
    async getMany(names) {
      const found: StoredParameter[] = [];
      for (const name of names) {
        const parameter = await store.get(name);
        if (parameter) found.push(parameter);
      }
      return found;
    },
    async labelledVersions(path, label) {
      const result = new Map<string, number>();
      for (const parameter of await store.getByPath(path, { decrypt: false })) {
        const labelled = (await store.history(parameter.name)).find((v) => v.labels.includes(label));
        if (labelled) result.set(parameter.name, labelled.version);
      }
      return result;
    },
  };
}
