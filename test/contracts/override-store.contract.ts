/**
 * The contract every `OverrideStore` meets, run against the in-memory double and `SsmParameterStore`
 * over simulated SSM (override-store.contract.test.ts): what the reconcile, delivery and the drift run
 * may rely on when they read the overrides of a path.
 */
import { describe, expect, it } from 'vitest';
import type { OverrideRecord } from '../../functions/core/override.ts';
import { overrideTags } from '../../functions/core/override-plan.ts';
import type { OverrideStore } from '../../functions/ports/override-store.ts';
import type { ParameterStore } from '../../functions/ports/parameter-store.ts';
import {
  ParameterNotFoundError,
  ParameterRejectedError,
} from '../../functions/ports/parameter-store.errors.ts';

const MAX_RETRIES = '/config/production/orders/max-retries';
const TIMEOUT = '/config/production/orders/timeout';
const STAGING = '/config/staging/orders/max-retries';

const record = (parameter: string): OverrideRecord => ({
  parameter,
  until: new Date('2026-12-01T06:00:00.000Z'),
  appliedAt: new Date('2026-11-30T22:00:00.000Z'),
  actor: 'arn:aws:sts::123456789012:assumed-role/OnCall/alice',
  reason: 'INC-4711 payments timeouts: raise retries',
  approvedBy: 'bob',
});

export function describeOverrideStoreContract(
  name: string,
  make: () => { overrides: OverrideStore; store: ParameterStore },
): void {
  describe(`Contract: OverrideStore (${name})`, () => {
    it('reads back the override recorded on a parameter, and only under the path asked for', async () => {
      // Prepare
      const { overrides, store } = make();
      await store.put(MAX_RETRIES, '3', 'String');
      await store.put(TIMEOUT, '5s', 'String');
      await store.put(STAGING, '3', 'String');

      // Act
      await overrides.tag(MAX_RETRIES, overrideTags(record(MAX_RETRIES)));
      await overrides.tag(STAGING, overrideTags(record(STAGING)));
      const production = await overrides.overridesUnder('/config/production/');

      // Assess
      expect(production).toEqual([record(MAX_RETRIES)]);
    });

    it('reads the override tags of one parameter, none where it carries no record, and refuses a missing one', async () => {
      // Prepare
      const { overrides, store } = make();
      await store.put(MAX_RETRIES, '3', 'String');
      await store.put(TIMEOUT, '5s', 'String');
      await overrides.tag(MAX_RETRIES, overrideTags(record(MAX_RETRIES)));

      // Act
      const recorded = await overrides.overrideTagsOf(MAX_RETRIES);
      const none = await overrides.overrideTagsOf(TIMEOUT);
      const missing = overrides.overrideTagsOf(STAGING);

      // Assess
      expect(recorded).toEqual(expect.arrayContaining(overrideTags(record(MAX_RETRIES))));
      expect(recorded).toHaveLength(overrideTags(record(MAX_RETRIES)).length);
      expect(none).toEqual([]);
      await expect(missing).rejects.toBeInstanceOf(ParameterNotFoundError);
    });

    it('refuses to tag a parameter that does not exist, with ParameterNotFoundError', async () => {
      // Prepare
      const { overrides } = make();

      // Act
      const tagging = overrides.tag(MAX_RETRIES, overrideTags(record(MAX_RETRIES)));

      // Assess
      await expect(tagging).rejects.toBeInstanceOf(ParameterNotFoundError);
      expect(await overrides.overridesUnder('/config/production')).toEqual([]);
    });

    it('creates a new parameter with its record in one call, and refuses to create one that exists', async () => {
      // Prepare
      const { overrides, store } = make();

      // Act
      const version = await overrides.createTagged(
        MAX_RETRIES,
        '7',
        'String',
        overrideTags(record(MAX_RETRIES)),
      );
      const again = overrides.createTagged(MAX_RETRIES, '8', 'String', overrideTags(record(MAX_RETRIES)));

      // Assess
      expect(version).toBe(1);
      await expect(again).rejects.toBeInstanceOf(ParameterRejectedError);
      expect((await store.get(MAX_RETRIES))?.value).toBe('7');
      expect(await overrides.overridesUnder('/config/production')).toEqual([record(MAX_RETRIES)]);
    });

    it('forgets an override whose tags are removed, and keeps it across a later write of the value', async () => {
      // Prepare
      const { overrides, store } = make();
      await store.put(MAX_RETRIES, '3', 'String');
      await store.put(TIMEOUT, '5s', 'String');
      await overrides.tag(MAX_RETRIES, overrideTags(record(MAX_RETRIES)));
      await overrides.tag(TIMEOUT, overrideTags(record(TIMEOUT)));

      // Act
      await overrides.untag(
        TIMEOUT,
        overrideTags(record(TIMEOUT)).map((tag) => tag.key),
      );
      await store.put(MAX_RETRIES, '4', 'String');

      // Assess
      expect(await overrides.overridesUnder('/config/production')).toEqual([record(MAX_RETRIES)]);
    });
  });
}
