/**
 * The `OverrideStore` port's double: tags kept beside an `InMemoryParameterStore`, with SSM's
 * semantics (tags belong to the parameter, a missing parameter cannot be tagged, tags are given at
 * creation only when the parameter is new). `test/contracts/override-store.contract.ts` holds it to
 * the same contract as `SsmParameterStore`.
 */
import type { ParameterType } from '../../functions/core/keys.ts';
import {
  isOverrideTagKey,
  parseOverrideTags,
  type OverrideRecord,
  type Tag,
} from '../../functions/core/override.ts';
import type { OverrideStore } from '../../functions/ports/override-store.ts';
import {
  ParameterNotFoundError,
  ParameterRejectedError,
} from '../../functions/ports/parameter-store.errors.ts';
import type { InMemoryParameterStore } from './in-memory-parameter-store.ts';

export class InMemoryOverrideStore implements OverrideStore {
  private readonly tags = new Map<string, Map<string, string>>();
  /** Every call, by operation name. */
  readonly calls: string[] = [];

  constructor(readonly parameters: InMemoryParameterStore) {}

  async overridesUnder(path: string): Promise<OverrideRecord[]> {
    this.calls.push('overridesUnder');
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return [...this.tags.entries()]
      .filter(([name]) => name.startsWith(prefix) && this.parameters.valueOf(name) !== undefined)
      .flatMap(([name, tags]) => parseOverrideTags(name, Object.fromEntries(tags)) ?? []);
  }

  async overrideTagsOf(name: string): Promise<Tag[]> {
    this.calls.push('overrideTagsOf');
    return [...this.existing(name, 'ListTagsForResource')]
      .filter(([key]) => isOverrideTagKey(key))
      .map(([key, value]) => ({ key, value }));
  }

  async tag(name: string, tags: readonly Tag[]): Promise<void> {
    this.calls.push('tag');
    const current = this.existing(name, 'AddTagsToResource');
    for (const tag of tags) current.set(tag.key, tag.value);
  }

  async untag(name: string, keys: readonly string[]): Promise<void> {
    this.calls.push('untag');
    const current = this.existing(name, 'RemoveTagsFromResource');
    for (const key of keys) current.delete(key);
  }

  async createTagged(
    name: string,
    value: string,
    type: ParameterType,
    tags: readonly Tag[],
  ): Promise<number> {
    this.calls.push('createTagged');
    if (this.parameters.valueOf(name) !== undefined) {
      throw new ParameterRejectedError(name, 'PutParameter', 'ParameterAlreadyExists');
    }
    const version = await this.parameters.put(name, value, type);
    this.tags.set(name, new Map(tags.map((tag) => [tag.key, tag.value])));
    return version;
  }

  /** The tags on a parameter, for assertions. */
  tagsOf(name: string): Record<string, string> {
    return Object.fromEntries(this.tags.get(name) ?? []);
  }

  private existing(name: string, operation: string): Map<string, string> {
    if (this.parameters.valueOf(name) === undefined) throw new ParameterNotFoundError(name, operation);
    const current = this.tags.get(name) ?? new Map<string, string>();
    this.tags.set(name, current);
    return current;
  }
}
