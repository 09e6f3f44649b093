/**
 * What the drift sweep needs from the outside: a bulk reader of Parameter Store (a superset of the
 * `ParameterStore` port that `SsmParameterStore` implements) and the rotation state of managed
 * secrets. Metrics go through the `MetricsSink` port (`ports/metrics.ts`).
 */
import type { ParameterStore, StoredParameter } from '../../ports/parameter-store.ts';

/** Parameter Store as a bulk reader. */
export interface DriftParameterSource extends Pick<ParameterStore, 'getByPath' | 'describe'> {
  /** Current values of the given names, decrypted; absent names are left out. */
  getMany(names: readonly string[]): Promise<StoredParameter[]>;
  /** For each parameter under a path, the version that carries the label. */
  labelledVersions(path: string, label: string): Promise<Map<string, number>>;
}

/**
 * A `DriftParameterSource` over any `ParameterStore`, reading one value and one history per parameter:
 * correct but slow, for tests and small stores. `SsmParameterStore` implements the bulk reads natively.
 *
 * @example
 * const source = driftSourceOf(new InMemoryParameterStore());
 */
export function driftSourceOf(store: ParameterStore): DriftParameterSource {
  if (isDriftSource(store)) return store;
  return {
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

function isDriftSource(store: object): store is DriftParameterSource {
  return 'getMany' in store && 'labelledVersions' in store;
}

/** Rotation state of one managed secret, as Secrets Manager's DescribeSecret reports it. */
export interface SecretRotationState {
  readonly name: string;
  readonly exists: boolean;
  readonly arn?: string;
  readonly rotationEnabled?: boolean;
  readonly createdDate?: Date;
  readonly lastRotatedDate?: Date;
  readonly nextRotationDate?: Date;
  /** True when the latest rotation attempt left the secret without a finished AWSCURRENT move. */
  readonly lastRotationFailed?: boolean;
  readonly scheduleExpression?: string;
}

export interface SecretInventory {
  /** The rotation state of each named secret; one entry per name, `exists: false` when absent. */
  describe(names: readonly string[]): Promise<SecretRotationState[]>;
}
