/**
 * The contract every `ParameterStore` meets, run against the in-memory double
 * (test/contracts/parameter-store.contract.test.ts) and `SsmParameterStore` over simulated SSM. Only
 * the port's own operations are used, so the scenarios say what the domain may rely on.
 */
import { describe, expect, it } from 'vitest';
import type { ParameterStore } from '../../functions/ports/parameter-store.ts';
import {
  ParameterNotFoundError,
  ParameterVersionNotFoundError,
} from '../../functions/ports/parameter-store.errors.ts';

const MAX_RETRIES = '/config/staging/orders/max-retries';
const DB_PASSWORD = '/config/staging/orders/db-password';

export function describeParameterStoreContract(name: string, make: () => ParameterStore): void {
  describe(`Contract: ParameterStore (${name})`, () => {
    it('answers undefined and an empty history for a parameter that does not exist', async () => {
      // Prepare
      const store = make();

      // Act
      const current = await store.get(MAX_RETRIES);
      const history = await store.history(MAX_RETRIES);

      // Assess
      expect(current).toBeUndefined();
      expect(history).toEqual([]);
    });

    it('numbers the versions it writes and reads the newest back, SecureStrings decrypted', async () => {
      // Prepare
      const store = make();

      // Act
      const first = await store.put(MAX_RETRIES, '3', 'String');
      const second = await store.put(MAX_RETRIES, '5', 'String');
      await store.put(DB_PASSWORD, 'Tr0ub4dor&3', 'SecureString');

      // Assess
      expect([first, second]).toEqual([1, 2]);
      expect(await store.get(MAX_RETRIES)).toMatchObject({
        name: MAX_RETRIES,
        value: '5',
        type: 'String',
        version: 2,
      });
      expect(await store.get(DB_PASSWORD)).toMatchObject({
        value: 'Tr0ub4dor&3',
        type: 'SecureString',
        version: 1,
      });
    });

    it('keeps every version oldest first, beyond one page of history', async () => {
      // Prepare
      const store = make();
      for (let i = 1; i <= 60; i++) await store.put(MAX_RETRIES, String(i), 'String');

      // Act
      const history = await store.history(MAX_RETRIES);

      // Assess
      expect(history.map((v) => v.version)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
      expect(history.at(-1)).toMatchObject({ value: '60', labels: [] });
    });

    it('moves a label to the version it is attached to', async () => {
      // Prepare
      const store = make();
      await store.put(MAX_RETRIES, '3', 'String');
      await store.put(MAX_RETRIES, '5', 'String');
      await store.label(MAX_RETRIES, 1, ['last-known-good']);

      // Act
      await store.label(MAX_RETRIES, 2, ['last-known-good']);

      // Assess
      expect((await store.history(MAX_RETRIES)).map((v) => v.labels)).toEqual([[], ['last-known-good']]);
    });

    it('refuses to label a version that is not kept, or a parameter that does not exist', async () => {
      // Prepare
      const store = make();
      await store.put(MAX_RETRIES, '3', 'String');

      // Act
      const labelled = store.label(MAX_RETRIES, 7, ['last-known-good']);

      // Assess
      await expect(labelled).rejects.toBeInstanceOf(ParameterVersionNotFoundError);
      await expect(labelled).rejects.toMatchObject({ parameterName: MAX_RETRIES, version: 7 });
      await expect(store.label(DB_PASSWORD, 1, ['last-known-good'])).rejects.toBeInstanceOf(
        ParameterNotFoundError,
      );
      expect((await store.history(MAX_RETRIES))[0]?.labels).toEqual([]);
    });

    it('deletes a parameter, and treats deleting one that is gone as done', async () => {
      // Prepare
      const store = make();
      await store.put(MAX_RETRIES, '3', 'String');

      // Act
      await store.delete(MAX_RETRIES);
      await store.delete(MAX_RETRIES);

      // Assess
      expect(await store.get(MAX_RETRIES)).toBeUndefined();
    });

    it('scans a path recursively, past one page, only below the path, with or without a trailing slash', async () => {
      // Prepare
      const store = make();
      const names = Array.from(
        { length: 23 },
        (_, i) => `/config/staging/orders/key-${String(i).padStart(2, '0')}`,
      );
      for (const parameterName of names) await store.put(parameterName, 'v', 'String');
      await store.put('/config/staging/shared/region', 'eu-west-1', 'String');
      await store.put('/config/staging-old/orders/key', 'v', 'String');

      // Act
      const withoutSlash = await store.getByPath('/config/staging', { decrypt: false });
      const withSlash = await store.getByPath('/config/staging/orders/', { decrypt: false });

      // Assess
      expect(withoutSlash.map((p) => p.name).sort()).toEqual(
        [...names, '/config/staging/shared/region'].sort(),
      );
      expect(withSlash.map((p) => p.name).sort()).toEqual(names);
    });

    it('shows a SecureString value on a path scan only when asked to decrypt', async () => {
      // Prepare
      const store = make();
      await store.put(DB_PASSWORD, 'Tr0ub4dor&3', 'SecureString');

      // Act
      const [hidden] = await store.getByPath('/config/staging', { decrypt: false });
      const [shown] = await store.getByPath('/config/staging', { decrypt: true });

      // Assess
      expect(hidden?.value).not.toContain('Tr0ub4dor&3');
      expect(shown).toMatchObject({ name: DB_PASSWORD, value: 'Tr0ub4dor&3', type: 'SecureString' });
    });

    it('describes every parameter under a path with its type and version, past one page, and no value', async () => {
      // Prepare
      const store = make();
      for (let i = 0; i < 55; i++) await store.put(`/config/production/payments/key-${i}`, 'v', 'String');
      await store.put(DB_PASSWORD, 'Tr0ub4dor&3', 'SecureString');
      await store.put(DB_PASSWORD, 'Tr0ub4dor&4', 'SecureString');

      // Act
      const production = await store.describe('/config/production');
      const staging = await store.describe('/config/staging/');

      // Assess
      expect(production).toHaveLength(55);
      expect(staging).toEqual([
        expect.objectContaining({ name: DB_PASSWORD, type: 'SecureString', version: 2 }),
      ]);
      expect(JSON.stringify(staging)).not.toContain('Tr0ub4dor');
    });
  });
}
