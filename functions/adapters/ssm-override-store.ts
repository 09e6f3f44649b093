/**
 * `SsmParameterStore` plus the `OverrideStore` port: break-glass override records as parameter tags
 * (`core/override.ts`). A module of its own so that the functions that never read overrides
 * (validate-change, the rotation) do not carry it; the reconcile, deliver-changes, the drift job and
 * the CLI use this class. Requests go through the base class's rate limit, retries and error
 * translation: a parameter the tagging calls cannot find (`InvalidResourceId`) is a `ParameterNotFoundError`.
 */
import {
  AddTagsToResourceCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
} from '@aws-sdk/client-ssm';
import type { ParameterType } from '../core/keys.ts';
import {
  isOverrideTagKey,
  OVERRIDE_MARKER_VALUE,
  OVERRIDE_TAGS,
  type OverrideRecord,
  parseOverrideTags,
  type Tag,
} from '../core/override.ts';
import type { DriftParameterSource } from '../ports/drift.ts';
import type { OverrideStore } from '../ports/override-store.ts';
import { SsmParameterStore } from './ssm-parameter-store.ts';

/**
 * @example
 * const store = new SsmParameterStoreWithOverrides(new SSMClient({}));
 * const active = activeOverrideNames(await store.overridesUnder('/config/production'), new Date());
 */
export class SsmParameterStoreWithOverrides
  extends SsmParameterStore
  implements DriftParameterSource, OverrideStore
{
  /**
   * The overrides recorded under a path: one DescribeParameters scan filtered on the override marker
   * tag (DescribeParameters filters on tags, GetParametersByPath does not), then one
   * ListTagsForResource per parameter found, to read its record.
   */
  async overridesUnder(path: string): Promise<OverrideRecord[]> {
    const names: string[] = [];
    const marker = { Key: `tag:${OVERRIDE_TAGS.marker}`, Option: 'Equals', Values: [OVERRIDE_MARKER_VALUE] };
    await this.scanMetadata(path, [marker], (entry) => names.push(entry.Name));
    const records: OverrideRecord[] = [];
    for (const name of names) {
      const tags = Object.fromEntries((await this.tagsOf(name)).map((tag) => [tag.key, tag.value]));
      const record = parseOverrideTags(name, tags);
      if (record) records.push(record);
    }
    return records;
  }

  async overrideTagsOf(name: string): Promise<Tag[]> {
    return (await this.tagsOf(name)).filter((tag) => isOverrideTagKey(tag.key));
  }

  private async tagsOf(name: string): Promise<Tag[]> {
    const { TagList = [] } = await this.send('ListTagsForResource', name, () =>
      this.client.send(new ListTagsForResourceCommand({ ResourceType: 'Parameter', ResourceId: name })),
    );
    return TagList.map((tag) => ({ key: tag.Key ?? '', value: tag.Value ?? '' }));
  }

  async tag(name: string, tags: readonly Tag[]): Promise<void> {
    await this.send('AddTagsToResource', name, () =>
      this.client.send(
        new AddTagsToResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: name,
          Tags: tags.map((tag) => ({ Key: tag.key, Value: tag.value })),
        }),
      ),
    );
  }

  async untag(name: string, keys: readonly string[]): Promise<void> {
    await this.send('RemoveTagsFromResource', name, () =>
      this.client.send(
        new RemoveTagsFromResourceCommand({
          ResourceType: 'Parameter',
          ResourceId: name,
          TagKeys: [...keys],
        }),
      ),
    );
  }

  /** PutParameter takes tags only when it creates (without Overwrite), which is what this is for. */
  async createTagged(
    name: string,
    value: string,
    type: ParameterType,
    tags: readonly Tag[],
  ): Promise<number> {
    const { Version } = await this.send(
      'PutParameter',
      name,
      () =>
        this.client.send(
          new PutParameterCommand({
            Name: name,
            Value: value,
            Type: type,
            Tags: tags.map((tag) => ({ Key: tag.key, Value: tag.value })),
          }),
        ),
      { sanitiseCause: true },
    );
    return Number(Version ?? 0);
  }
}
