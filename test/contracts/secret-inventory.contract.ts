/**
 * The contract every `SecretInventory` meets, run against the in-memory double and
 * `SecretsManagerInventory` over a mocked Secrets Manager. A factory hands back the inventory and a way
 * to create a secret with a rotation state (or one scheduled for deletion).
 */
import { describe, expect, it } from 'vitest';
import type { SecretInventory } from '../../functions/ports/drift.ts';

export interface SecretSeed {
  readonly rotationEnabled: boolean;
  readonly scheduleExpression?: string;
  readonly lastRotatedDate?: Date;
  /** A rotation that died after createSecret: an AWSPENDING version that is not AWSCURRENT. */
  readonly lastRotationFailed?: boolean;
  /** Scheduled for deletion: Secrets Manager still describes it, the inventory counts it absent. */
  readonly deleted?: boolean;
}

export interface SecretInventoryUnderTest {
  readonly inventory: SecretInventory;
  seed(name: string, secret: SecretSeed): void;
}

const PROVIDER_KEY = 'config/production/payments/provider-api-key';
const DB_PASSWORD = 'config/production/orders/db-password';

export function describeSecretInventoryContract(name: string, make: () => SecretInventoryUnderTest): void {
  describe(`Contract: SecretInventory (${name})`, () => {
    it('answers one state per name, in the order asked, absent ones as exists: false', async () => {
      // Prepare
      const { inventory, seed } = make();
      seed(DB_PASSWORD, { rotationEnabled: true, scheduleExpression: 'rate(30 days)' });

      // Act
      const states = await inventory.describe([PROVIDER_KEY, DB_PASSWORD]);

      // Assess
      expect(states.map(({ name, exists }) => ({ name, exists }))).toEqual([
        { name: PROVIDER_KEY, exists: false },
        { name: DB_PASSWORD, exists: true },
      ]);
    });

    it('reports rotation, its schedule, its last date and a failed last attempt', async () => {
      // Prepare
      const { inventory, seed } = make();
      const rotated = new Date('2026-11-01T03:00:00Z');
      seed(PROVIDER_KEY, {
        rotationEnabled: true,
        scheduleExpression: 'cron(0 3 ? * SUN *)',
        lastRotatedDate: rotated,
        lastRotationFailed: true,
      });
      seed(DB_PASSWORD, { rotationEnabled: false });

      // Act
      const [provider, password] = await inventory.describe([PROVIDER_KEY, DB_PASSWORD]);

      // Assess
      expect(provider).toMatchObject({
        name: PROVIDER_KEY,
        exists: true,
        rotationEnabled: true,
        scheduleExpression: 'cron(0 3 ? * SUN *)',
        lastRotatedDate: rotated,
        lastRotationFailed: true,
      });
      expect(password).toMatchObject({ name: DB_PASSWORD, exists: true, rotationEnabled: false });
      expect(password?.lastRotationFailed).not.toBe(true);
    });

    it('counts a secret scheduled for deletion as absent', async () => {
      // Prepare
      const { inventory, seed } = make();
      seed(PROVIDER_KEY, { rotationEnabled: true, deleted: true });

      // Act
      const [state] = await inventory.describe([PROVIDER_KEY]);

      // Assess
      expect(state).toMatchObject({ name: PROVIDER_KEY, exists: false });
    });

    it('answers nothing for no names', async () => {
      // Act + Assess
      expect(await make().inventory.describe([])).toEqual([]);
    });
  });
}
