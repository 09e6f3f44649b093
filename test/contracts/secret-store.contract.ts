/**
 * The contract every `SecretStore` meets, run against the in-memory double and
 * `SecretsManagerSecretStore` over simulated Secrets Manager. A factory hands back the store and the
 * two acts outside the port that set a scene: CreateSecret and RotateSecret's new AWSPENDING id.
 */
import { describe, expect, it } from 'vitest';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, type SecretStore } from '../../functions/ports/secret-store.ts';
import {
  InvalidSecretRequestError,
  SecretNotFoundError,
  SecretVersionConflictError,
} from '../../functions/ports/secret-store.errors.ts';

export interface SecretStoreUnderTest {
  readonly store: SecretStore;
  /** CreateSecret with a first version labelled AWSCURRENT; returns the secret's id. */
  create(name: string, value: string, versionId: string): string;
  /** RotateSecret's first act: a version id labelled AWSPENDING, holding no value yet. */
  beginRotation(secretId: string, versionId: string): void;
}

export function describeSecretStoreContract(name: string, make: () => SecretStoreUnderTest): void {
  describe(`Contract: SecretStore (${name})`, () => {
    function secretWithPending() {
      const subject = make();
      const id = subject.create('config/staging/orders/db', 'v1-value', 'v1');
      subject.beginRotation(id, 'v2');
      return { store: subject.store, id };
    }

    it('shows the rotation version id labelled AWSPENDING before it holds a value', async () => {
      // Prepare
      const { store, id } = secretWithPending();

      // Act
      const description = await store.describe(id);

      // Assess
      expect(description).toMatchObject({ name: 'config/staging/orders/db', rotationEnabled: true });
      expect(description.versions).toEqual({ v1: [AWSCURRENT], v2: [AWSPENDING] });
      await expect(store.getValue(id, { versionId: 'v2' })).rejects.toBeInstanceOf(SecretNotFoundError);
      expect(await store.getValue(id, { stage: AWSCURRENT })).toMatchObject({
        versionId: 'v1',
        value: 'v1-value',
        stages: [AWSCURRENT],
      });
    });

    it('ignores a value stored again under the same version id, and refuses a different one', async () => {
      // Prepare
      const { store, id } = secretWithPending();
      await store.putPendingValue(id, 'v2', 'new');

      // Act
      await store.putPendingValue(id, 'v2', 'new');
      const conflict = store.putPendingValue(id, 'v2', 'other');

      // Assess
      await expect(conflict).rejects.toBeInstanceOf(SecretVersionConflictError);
      expect((await store.getValue(id, { versionId: 'v2', stage: AWSPENDING })).value).toBe('new');
    });

    it('moves AWSPENDING to the version a new value is stored under', async () => {
      // Prepare
      const { store, id } = secretWithPending();

      // Act
      await store.putPendingValue(id, 'v3', 'newer');

      // Assess
      expect((await store.describe(id)).versions).toEqual({ v1: [AWSCURRENT], v3: [AWSPENDING] });
    });

    it('makes the old AWSCURRENT AWSPREVIOUS when AWSCURRENT moves, taking AWSPREVIOUS from its last holder', async () => {
      // Prepare
      const subject = make();
      const id = subject.create('config/staging/orders/db', 'one', 'v1');
      subject.beginRotation(id, 'v2');
      await subject.store.putPendingValue(id, 'v2', 'two');
      await subject.store.moveStage(id, AWSCURRENT, { to: 'v2', from: 'v1' });
      subject.beginRotation(id, 'v3');
      await subject.store.putPendingValue(id, 'v3', 'three');

      // Act
      await subject.store.moveStage(id, AWSCURRENT, { to: 'v3', from: 'v2' });

      // Assess
      expect((await subject.store.describe(id)).versions).toEqual({
        v2: [AWSPREVIOUS],
        v3: [AWSPENDING, AWSCURRENT],
      });
      expect((await subject.store.getValue(id, { stage: AWSPREVIOUS })).value).toBe('two');
    });

    it('removes a label from a version when told only where it was', async () => {
      // Prepare
      const { store, id } = secretWithPending();
      await store.putPendingValue(id, 'v2', 'two');

      // Act
      await store.moveStage(id, AWSPENDING, { from: 'v2' });

      // Assess
      expect((await store.describe(id)).versions).toEqual({ v1: [AWSCURRENT] });
    });

    it('refuses to take a label from a version it was not told to remove it from, changing nothing', async () => {
      // Prepare
      const { store, id } = secretWithPending();
      await store.putPendingValue(id, 'v2', 'two');

      // Act
      const withoutFrom = store.moveStage(id, AWSCURRENT, { to: 'v2' });
      const wrongFrom = store.moveStage(id, AWSCURRENT, { to: 'v2', from: 'v2' });

      // Assess
      await expect(withoutFrom).rejects.toBeInstanceOf(InvalidSecretRequestError);
      await expect(wrongFrom).rejects.toBeInstanceOf(InvalidSecretRequestError);
      expect((await store.describe(id)).versions).toEqual({ v1: [AWSCURRENT], v2: [AWSPENDING] });
    });

    it('reports a secret that does not exist as SecretNotFoundError', async () => {
      // Prepare
      const { store } = make();

      // Act
      const described = store.describe('config/staging/orders/none');
      const read = store.getValue('config/staging/orders/none', { stage: AWSCURRENT });

      // Assess
      await expect(described).rejects.toBeInstanceOf(SecretNotFoundError);
      await expect(read).rejects.toBeInstanceOf(SecretNotFoundError);
    });
  });
}
