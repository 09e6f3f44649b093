/**
 * The contract of the drift job's bulk reader, `DriftParameterSource`, run against the double over
 * the in-memory store and `SsmParameterStore` over simulated SSM. Each factory hands back the source
 * and a `ParameterStore` writing to the same parameters, to set a scene.
 */
import { describe, expect, it } from 'vitest';
import type { DriftParameterSource } from '../../functions/ports/drift.ts';
import type { ParameterStore } from '../../functions/ports/parameter-store.ts';

export interface DriftSourceUnderTest {
  readonly source: DriftParameterSource;
  readonly writer: ParameterStore;
}

export function describeDriftParameterSourceContract(name: string, make: () => DriftSourceUnderTest): void {
  describe(`Contract: DriftParameterSource (${name})`, () => {
    it('reads the current values of many names, decrypted, leaving out the absent ones', async () => {
      // Prepare
      const { source, writer } = make();
      const names = Array.from({ length: 25 }, (_, i) => `/config/production/orders/key-${i}`);
      for (const parameterName of names) await writer.put(parameterName, parameterName.slice(-6), 'String');
      await writer.put('/config/production/orders/key-3', 'changed', 'String');
      await writer.put('/config/production/orders/token', 'Tr0ub4dor&3', 'SecureString');

      // Act
      const found = await source.getMany([
        ...names,
        '/config/production/orders/token',
        '/config/production/gone',
      ]);

      // Assess
      expect(found).toHaveLength(26);
      expect(found.find((p) => p.name === '/config/production/orders/key-3')).toMatchObject({
        value: 'changed',
        version: 2,
      });
      expect(found.find((p) => p.name === '/config/production/orders/token')?.value).toBe('Tr0ub4dor&3');
    });

    it('finds the version carrying a label for each parameter under a path, and none for the unlabelled', async () => {
      // Prepare
      const { source, writer } = make();
      await writer.put('/config/staging/orders/a', '1', 'String');
      await writer.put('/config/staging/orders/a', '2', 'String');
      await writer.put('/config/staging/orders/a', '3', 'String');
      await writer.label('/config/staging/orders/a', 2, ['last-known-good']);
      await writer.put('/config/staging/orders/b', '1', 'String');
      await writer.put('/config/production/orders/a', '1', 'String');
      await writer.label('/config/production/orders/a', 1, ['last-known-good']);

      // Act
      const labelled = await source.labelledVersions('/config/staging', 'last-known-good');

      // Assess
      expect([...labelled]).toEqual([['/config/staging/orders/a', 2]]);
    });

    it('scans and describes a path as the ParameterStore port does', async () => {
      // Prepare
      const { source, writer } = make();
      await writer.put('/config/staging/orders/a', '1', 'String');
      await writer.put('/config/staging/orders/token', 'Tr0ub4dor&3', 'SecureString');

      // Act
      const scanned = await source.getByPath('/config/staging', { decrypt: false });
      const described = await source.describe('/config/staging');

      // Assess
      expect(scanned.map((p) => p.name).sort()).toEqual([
        '/config/staging/orders/a',
        '/config/staging/orders/token',
      ]);
      expect(scanned.find((p) => p.type === 'SecureString')?.value).not.toContain('Tr0ub4dor&3');
      expect(described.map((p) => p.type).sort()).toEqual(['SecureString', 'String']);
    });
  });
}
