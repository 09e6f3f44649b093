/**
 * What the drift sweep needs from the outside: a bulk reader of Parameter Store (a superset of the
 * `ParameterStore` port that `SsmParameterStoreWithOverrides` implements) and the rotation state of managed
 * secrets. Metrics go through the `MetricsSink` port (`ports/metrics.ts`); errors are in
 * `drift.errors.ts`.
 */
import type { OverrideStore } from './override-store.ts';
import type { ParameterStore, StoredParameter } from './parameter-store.ts';

/** Parameter Store as a bulk reader. */
export interface DriftParameterSource extends Pick<ParameterStore, 'getByPath' | 'describe'> {
  /** Current values of the given names, decrypted; absent names are left out. */
  getMany(names: readonly string[]): Promise<StoredParameter[]>;
  /** For each parameter under a path, the version that carries the label. */
  labelledVersions(path: string, label: string): Promise<Map<string, number>>;
  /** The break-glass overrides recorded under a path (core/override.ts). */
  overridesUnder: OverrideStore['overridesUnder'];
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
