import { afterEach, describe, expect, it, vi } from 'vitest';
import { HANDLER_ENV } from '../support/validate-change-harness.ts';

/** Each handler reads its environment once, at import: a wrong variable stops the cold start, by name. */
describe('Handlers: function environment', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it.each([
    ['rotate-secret', 'STEWARD_POSTGRES_SSL', 'verify-ca'],
    ['deliver-changes', 'STEWARD_DELIVERY_RETRY_SECONDS', '0'],
  ])('%s refuses to load with %s=%s', async (handler, name, value) => {
    // Prepare
    for (const [key, setting] of Object.entries(HANDLER_ENV)) vi.stubEnv(key, setting);
    vi.stubEnv(name, value);

    // Act
    const load = import(`../../functions/handlers/${handler}.ts`);

    // Assess
    // (a fresh module graph per import, so its own ConfigurationError class: matched by name)
    await expect(load).rejects.toMatchObject({ name: 'ConfigurationError' });
    await expect(load).rejects.toThrow(new RegExp(`${name}: `));
  });

  it('validate-change loads without a delivery queue, an empty URL meaning none', async () => {
    // Prepare
    for (const [key, setting] of Object.entries(HANDLER_ENV)) vi.stubEnv(key, setting);
    vi.stubEnv('STEWARD_DELIVERY_QUEUE_URL', '');

    // Act
    const module = await import('../../functions/handlers/validate-change.ts');

    // Assess
    expect(module.handler).toBeTypeOf('function');
  });
});
