/**
 * Where break-glass overrides are recorded: tags on the parameter itself (see `core/override.ts` for
 * why), read back by the reconcile, delivery and the drift run. Errors are the Parameter Store port's
 * (`parameter-store.errors.ts`): a parameter that does not exist is a `ParameterNotFoundError`.
 */
import type { ParameterType } from '../core/keys.ts';
import type { OverrideRecord, Tag } from '../core/override.ts';

export interface OverrideStore {
  /** Every override recorded on a parameter under the path (recursive), active or expired. */
  overridesUnder(path: string): Promise<OverrideRecord[]>;
  /**
   * The override tags (`steward:override*`) on an existing parameter, none when it carries no record;
   * `ParameterNotFoundError` when it does not exist.
   */
  overrideTagsOf(name: string): Promise<Tag[]>;
  /** Add (or replace) tags on an existing parameter; `ParameterNotFoundError` when it does not exist. */
  tag(name: string, tags: readonly Tag[]): Promise<void>;
  /** Remove tags by key; removing tags a parameter does not carry is not an error. */
  untag(name: string, keys: readonly string[]): Promise<void>;
  /** Create a parameter that does not exist yet, with its tags, in one call; returns its version (1). */
  createTagged(name: string, value: string, type: ParameterType, tags: readonly Tag[]): Promise<number>;
}
