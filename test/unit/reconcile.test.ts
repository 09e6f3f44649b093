import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { planReconcile, reconcileDesiredParameters } from '../../functions/core/reconcile.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { largeOrganisation } from '../support/large-organisation.ts';

const environments = ['staging', 'production'];

describe('Function: reconcileDesiredParameters', () => {
  it('writes every desired plain parameter once, then nothing on the next run', async () => {
    // Prepare
    const registry = new SchemaRegistry(organisation, { parameterRoot: 'config', environments });
    const store = new InMemoryParameterStore();

    // Act
    const first = await reconcileDesiredParameters(registry, store);
    const second = await reconcileDesiredParameters(registry, store);

    // Assess
    expect(first.written.length).toBe(registry.desiredParameters().length);
    expect(store.valueOf('/config/production/orders/max-retries')).toBe('5');
    expect(second).toEqual({
      written: [],
      remaining: [],
      unchanged: registry.desiredParameters().length,
      heldByOverride: [],
    });
  });

  it('rewrites only a drifted value and never touches unmanaged or secure parameters', async () => {
    // Prepare
    const registry = new SchemaRegistry(organisation, { parameterRoot: 'config', environments });
    const store = new InMemoryParameterStore();
    await reconcileDesiredParameters(registry, store);
    store.seed('/config/production/orders/max-retries', '7');
    store.seed('/config/production/orders/legacy-flag', 'on');
    store.seed(
      '/config/production/orders/webhook-signing-key',
      's3cr3t-value-that-stays-put-000000',
      'SecureString',
    );
    store.calls.length = 0;

    // Act
    const outcome = await reconcileDesiredParameters(registry, store);

    // Assess
    expect(outcome.written).toEqual(['/config/production/orders/max-retries']);
    expect(store.valueOf('/config/production/orders/max-retries')).toBe('5');
    expect(store.valueOf('/config/production/orders/legacy-flag')).toBe('on');
    expect(store.valueOf('/config/production/orders/webhook-signing-key')).toBe(
      's3cr3t-value-that-stays-put-000000',
    );
    expect(store.calls).toEqual(['getByPath', 'getByPath', 'put']);
  });

  it('handles 5,000 keys with one read per environment and one write per change', async () => {
    // Prepare: 50 services × 50 keys × 2 environments = 5,000 desired parameters.
    const registry = new SchemaRegistry(largeOrganisation(50, 50, environments), {
      parameterRoot: 'config',
      environments,
    });
    const store = new InMemoryParameterStore();
    let waits = 0;

    // Act
    const first = await reconcileDesiredParameters(registry, store, {
      beforeWrite: async () => void waits++,
    });
    store.seed('/config/staging/service-7/key-3', 'changed by hand');
    store.calls.length = 0;
    const second = await reconcileDesiredParameters(registry, store);

    // Assess
    expect(first.written).toHaveLength(5_000);
    expect(waits).toBe(5_000);
    expect(second.written).toEqual(['/config/staging/service-7/key-3']);
    expect(second.unchanged).toBe(4_999);
    expect(store.calls.filter((c) => c === 'put')).toHaveLength(1);
  });

  it('stops at the deadline and says what is left', async () => {
    // Prepare
    const registry = new SchemaRegistry(largeOrganisation(2, 10, environments), {
      parameterRoot: 'config',
      environments,
    });
    const store = new InMemoryParameterStore();
    let budget = 15;

    // Act
    const outcome = await reconcileDesiredParameters(registry, store, { outOfTime: () => budget-- <= 0 });

    // Assess
    expect(outcome.written).toHaveLength(15);
    expect(outcome.remaining).toHaveLength(25);
  });
});

describe('Function: planReconcile', () => {
  it('neither writes nor counts a desired SecureString (secret values never come from git)', () => {
    const plan = planReconcile(
      [
        {
          name: '/c/e/s/key',
          environment: 'e',
          service: 's',
          key: 'key',
          value: 'x',
          parameterType: 'SecureString',
        },
      ],
      [],
    );
    expect(plan).toEqual({ writes: [], unchanged: 0, heldByOverride: [] });
  });

  it('plans a write when the type differs even if the value matches', () => {
    const plan = planReconcile(
      [{ name: '/c/e/s/k', environment: 'e', service: 's', key: 'k', value: 'v', parameterType: 'String' }],
      [{ name: '/c/e/s/k', value: 'v', type: 'StringList', version: 1 }],
    );
    expect(plan.writes).toHaveLength(1);
  });
});
