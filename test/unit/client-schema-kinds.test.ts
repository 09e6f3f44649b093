import { describe, expect, it } from 'vitest';
import * as classic from 'zod';
import * as mini from 'zod/mini';
import { organisation } from '../../config/index.ts';
import { parseDocument } from '../../packages/client/src/config.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';

describe('Function: parseDocument', () => {
  it("accepts classic zod, zod/mini and the registry's own document schema alike", async () => {
    // Prepare
    const registry = new SchemaRegistry(organisation, {
      parameterRoot: 'config',
      environments: ['production'],
    });
    const composed = registry.compose('orders', 'production');
    if (!composed.ok) throw new Error('example organisation must compose');

    // Act
    const viaRegistry = await parseDocument(
      registry.documentSchema('orders'),
      composed.document,
      'orders',
      'document',
    );
    const viaClassic = await parseDocument(
      classic.object({ currency: classic.string() }),
      { currency: 'EUR' },
      'orders',
      'document',
    );
    const viaMini = await parseDocument(
      mini.object({ currency: mini.string() }),
      { currency: 'EUR' },
      'orders',
      'document',
    );

    // Assess
    expect(viaRegistry['max-retries']).toBe(5);
    expect(viaClassic.currency).toBe('EUR');
    expect(viaMini.currency).toBe('EUR');
    await expect(
      parseDocument(
        registry.documentSchema('orders'),
        { ...composed.document, 'max-retries': 'five' },
        'orders',
        'document',
      ),
    ).rejects.toThrow(/max-retries \(expected number\)/);
  });
});
