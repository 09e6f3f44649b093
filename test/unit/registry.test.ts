import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';

const registry = new SchemaRegistry(organisation, {
  parameterRoot: 'config',
  environments: ['staging', 'production'],
});

describe('Class: SchemaRegistry', () => {
  describe('resolve', () => {
    it('resolves a name to environment, service, key and schema', () => {
      // Act
      const resolution = registry.resolve('/config/production/orders/max-retries');

      // Assess
      expect(resolution).toMatchObject({
        ok: true,
        environment: 'production',
        service: 'orders',
        key: 'max-retries',
      });
    });

    it('keeps further slashes in the key', () => {
      expect(registry.resolve('/config/staging/payments/db/credentials-ref')).toMatchObject({
        ok: true,
        key: 'db/credentials-ref',
      });
    });

    it.each([
      ['/other/production/orders/max-retries', 'outside-root'],
      ['/configuration/production/orders/max-retries', 'outside-root'],
      ['/config/qa/orders/max-retries', 'unknown-environment'],
      ['/config/production/billing/max-retries', 'unknown-service'],
      ['/config/production/orders/max_retires', 'unknown-key'],
      ['/config/production/orders', 'unknown-key'],
    ])('says why %s cannot be resolved: %s', (name, reason) => {
      // Act
      const resolution = registry.resolve(name);

      // Assess
      expect(resolution).toMatchObject({ ok: false, reason });
      if (!resolution.ok) expect(resolution.message.length).toBeGreaterThan(5);
    });
  });

  describe('validate', () => {
    it('accepts a valid stored string and returns the typed value', () => {
      expect(registry.validate('/config/production/orders/max-retries', '5', 'String')).toMatchObject({
        valid: true,
        value: 5,
      });
    });

    it('rejects a misspelled key, naming it', () => {
      const verdict = registry.validate('/config/production/orders/max_retires', '5', 'String');
      expect(verdict.valid).toBe(false);
      expect(verdict.issues[0]?.message).toContain('max_retires');
    });

    it('rejects a secret-shaped key stored as String', () => {
      const verdict = registry.validate(
        '/config/production/orders/webhook-signing-key',
        'x'.repeat(40),
        'String',
      );
      expect(verdict.issues).toEqual([
        { path: 'webhook-signing-key', message: 'must be stored as SecureString, not String' },
      ]);
    });

    it('rejects a value over the standard tier limit without echoing it', () => {
      const huge = 'A'.repeat(4097);
      const verdict = registry.validate('/config/production/orders/promo-code', huge, 'String');
      expect(verdict.valid).toBe(false);
      expect(JSON.stringify(verdict.issues)).not.toContain('AAAA');
      expect(verdict.issues[0]?.message).toMatch(/4097 bytes.*4096/);
    });

    it('counts bytes, not characters, against the tier limit', () => {
      const advanced = new SchemaRegistry(organisation, {
        parameterRoot: 'config',
        environments: ['production'],
        parameterTier: 'Advanced',
      });
      const multiByte = '€'.repeat(1400); // 4,200 bytes in UTF-8
      expect(
        registry.validate('/config/production/orders/promo-code', multiByte, 'String').issues[0]?.message,
      ).toMatch(/4200 bytes/);
      expect(
        advanced.validate('/config/production/orders/promo-code', multiByte, 'String').issues[0]?.message,
      ).not.toMatch(/bytes/);
    });
  });

  describe('compose', () => {
    it('layers schema defaults, then shared, then the service', () => {
      // Act
      const result = registry.compose('orders', 'production');

      // Assess
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.document).toMatchObject({
        'log-level': 'info', // shared value
        'http/timeout': '2s', // shared production value over the default 3s
        'tracing-enabled': true, // shared default
        'max-retries': 5, // service value
        'retry-backoff': '200ms', // service default
      });
      expect(result.document).not.toHaveProperty('webhook-signing-key');
    });

    it('lets a service key override a shared key of the same name', () => {
      const lookup = (service: string, key: string) =>
        key === 'log-level'
          ? service === 'shared'
            ? 'debug'
            : 'error'
          : registry.desiredValue('staging', service, key);
      const result = registry.compose('orders', 'staging', lookup);
      // orders does not declare log-level, so the shared layer wins here.
      expect(result.ok && result.document['log-level']).toBe('debug');
    });

    it('composes from stored strings and reports every bad key', () => {
      const stored: Record<string, string> = { 'max-retries': 'five', 'checkout-enabled': 'yes' };
      const result = registry.compose('orders', 'production', (service, key) =>
        service === 'orders' && key in stored
          ? stored[key]
          : registry.desiredValue('production', service, key),
      );
      expect(result.ok).toBe(false);
      if (!result.ok)
        expect(result.issues.map((i) => i.path).sort()).toEqual(['checkout-enabled', 'max-retries']);
    });

    it('fails when a required key (no default) has no value', () => {
      const result = registry.compose('orders', 'production', (service, key) =>
        key === 'payments-api-url' ? undefined : registry.desiredValue('production', service, key),
      );
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.issues[0]?.path).toBe('payments-api-url');
    });

    it('validates a whole document strictly', () => {
      const composed = registry.compose('payments', 'staging');
      expect(composed.ok).toBe(true);
      if (!composed.ok) return;
      expect(registry.validateDocument('payments', composed.document)).toEqual([]);
      expect(registry.validateDocument('payments', { ...composed.document, extra: 1 })).toHaveLength(1);
      expect(registry.validateDocument('billing', {})[0]?.message).toContain('unknown service');
    });
  });

  it('lists desired parameters with their encoded values and types', () => {
    const desired = registry.desiredParameters('production');
    expect(desired).toContainEqual(
      expect.objectContaining({
        name: '/config/production/orders/shipping-rates',
        value: '{"standard":4.5,"express":12}',
      }),
    );
    expect(desired.every((p) => p.parameterType === 'String')).toBe(true);
  });

  it('builds a service document schema once and reuses it', () => {
    // Act
    const first = registry.documentSchema('orders');
    const second = registry.documentSchema('orders');

    // Assess
    expect(second).toBe(first);
    expect(registry.documentSchema('payments')).not.toBe(first);
    const composed = registry.compose('orders', 'staging');
    expect(composed.ok && registry.validateDocument('orders', composed.document)).toEqual([]);
  });
});
