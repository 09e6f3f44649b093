import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { ConfigurationError } from '../../functions/core/errors.ts';
import {
  appConfigProblems,
  fromAppConfigFlags,
  toAppConfigFlags,
} from '../../functions/core/flags/appconfig-format.ts';
import { APPCONFIG_KEY } from '../../functions/core/flags/flag-document-schema.ts';
import type { FlagDefinition, FlagEnvironmentValue } from '../../functions/core/model.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { validateDeliveredDocument } from '../../functions/core/validation/appconfig-document.ts';

const orders = organisation.services.find((s) => s.name === 'orders')?.flags ?? {};
const payments = organisation.services.find((s) => s.name === 'payments')?.flags ?? {};

/** What a decoded flag should equal: the definition's metadata and its value in one environment. */
function expected(key: string, flag: FlagDefinition, environment: string) {
  const kind = flag.valueKind ?? 'boolean';
  return {
    key,
    ...(flag.description ? { description: flag.description } : {}),
    owner: flag.owner,
    type: flag.type,
    created: flag.created,
    ...(flag.expires !== undefined ? { expires: flag.expires } : {}),
    ...(kind !== 'boolean' ? { valueKind: kind } : {}),
    ...(kind !== 'boolean' && flag.defaultValue !== undefined ? { defaultValue: flag.defaultValue } : {}),
    value: flag.environments[environment] ?? { enabled: false },
  };
}

describe('Function: toAppConfigFlags', () => {
  it('writes the AWS.AppConfig.FeatureFlags shape: version, typed definitions and values', () => {
    // Act
    const document = toAppConfigFlags(orders, 'production');

    // Assess
    expect(document.version).toBe('1');
    expect(document.flags['new-checkout']).toEqual({
      name: 'new-checkout',
      description: 'The redesigned checkout flow',
      attributes: {
        owner: { description: expect.any(String), constraints: { type: 'string', required: true } },
        type: {
          description: expect.any(String),
          constraints: {
            type: 'string',
            required: true,
            enum: ['release', 'experiment', 'operational', 'kill-switch', 'permission'],
          },
        },
        created: {
          description: expect.any(String),
          constraints: { type: 'string', required: true, pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        },
        expires: {
          description: expect.any(String),
          constraints: { type: 'string', required: true, pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
        },
        rolloutPercent: {
          description: expect.any(String),
          constraints: { type: 'number', minimum: 0, maximum: 100 },
        },
        allow: {
          description: expect.any(String),
          constraints: { type: 'array', elements: { type: 'string' } },
        },
      },
    });
    expect(document.values['new-checkout']).toEqual({
      enabled: true,
      owner: 'team-orders',
      type: 'release',
      created: orders['new-checkout']?.created,
      expires: orders['new-checkout']?.expires,
      rolloutPercent: 25,
      allow: ['customer-qa-1', 'customer-qa-2'],
    });
  });

  it('does not require expires of kill switches and types multi-valued flags', () => {
    // Act
    const document = toAppConfigFlags({ ...orders, ...payments }, 'staging');

    // Assess
    expect(document.flags['disable-recommendations']?.attributes?.['expires']?.constraints).toMatchObject({
      required: false,
    });
    expect(document.values['disable-recommendations']).not.toHaveProperty('expires');
    expect(document.flags['checkout-button-copy']?.attributes?.['value']?.constraints).toEqual({
      type: 'string',
    });
    expect(document.flags['max-installments']?.attributes?.['defaultValue']?.constraints).toEqual({
      type: 'number',
    });
    expect(document.values['max-installments']).toMatchObject({
      enabled: true,
      value: 6,
      defaultValue: 1,
      valueKind: 'number',
    });
  });

  it.each(['staging', 'production'])(
    'writes %s documents the AppConfig validator Lambda accepts',
    async (environment) => {
      // Prepare
      const registry = new SchemaRegistry(organisation, {
        parameterRoot: 'config',
        environments: ['staging', 'production'],
      });
      const locator = { locate: async () => ({ service: 'payments', profile: 'flags' as const }) };

      // Act
      const verdict = await validateDeliveredDocument(
        {
          applicationId: 'appay01',
          configurationProfileId: 'flpay01',
          configurationVersion: '1',
          content: JSON.stringify(toAppConfigFlags({ ...orders, ...payments }, environment)),
        },
        { registry, locator },
      );

      // Assess
      expect(verdict).toEqual({ ok: true, service: 'payments', profile: 'flags' });
    },
  );

  it('lists a flag without values for the environment as disabled', () => {
    // Prepare
    const flags = {
      beta: { ...orders['new-checkout'], environments: { staging: { enabled: true } } } as FlagDefinition,
    };

    // Act
    const document = toAppConfigFlags(flags, 'production');

    // Assess
    expect(document.values['beta']?.enabled).toBe(false);
  });

  it('carries object values as JSON strings, since AppConfig attributes hold no objects', () => {
    // Prepare
    const flags: Record<string, FlagDefinition> = {
      'shipping-banner': {
        description: 'Banner settings',
        owner: 'team-orders',
        type: 'experiment',
        created: '2026-11-01',
        expires: '2026-12-31',
        valueKind: 'object',
        defaultValue: { text: 'none' },
        environments: { production: { enabled: true, value: { text: 'Free shipping', colour: 'green' } } },
      },
    };

    // Act
    const document = toAppConfigFlags(flags, 'production');
    const [decoded] = fromAppConfigFlags(JSON.parse(JSON.stringify(document)));

    // Assess
    expect(document.values['shipping-banner']).toMatchObject({
      value: '{"text":"Free shipping","colour":"green"}',
      defaultValue: '{"text":"none"}',
      valueEncoding: 'json',
    });
    expect(decoded?.value.value).toEqual({ text: 'Free shipping', colour: 'green' });
    expect(decoded?.defaultValue).toEqual({ text: 'none' });
  });

  it.each([
    ['NewCheckout', 'the key must start with a lower-case letter'],
    ['new.checkout', 'the key must start with a lower-case letter'],
    ['a'.repeat(65), 'the key must start with a lower-case letter'],
  ])('refuses a key AppConfig rejects (%s)', (key, problem) => {
    // Act
    const act = () => toAppConfigFlags({ [key]: orders['new-checkout'] as FlagDefinition }, 'production');

    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(problem);
  });

  it('refuses a string value over 1024 characters, naming the environment, not the value', () => {
    // Prepare
    const long = 'x'.repeat(1025);
    const flag = {
      ...orders['checkout-button-copy'],
      environments: { staging: { enabled: true, value: long } },
    } as FlagDefinition;

    // Act
    const problems = appConfigProblems('checkout-button-copy', flag);

    // Assess
    expect(problems).toEqual(['staging: value is over 1024 characters once encoded']);
    expect(problems.join()).not.toContain(long);
  });
});

describe('Function: fromAppConfigFlags', () => {
  it.each(['staging', 'production'])(
    'round-trips every example flag through the %s document',
    (environment) => {
      // Prepare
      const flags = { ...orders, ...payments };

      // Act
      const decoded = fromAppConfigFlags(JSON.parse(JSON.stringify(toAppConfigFlags(flags, environment))));

      // Assess
      expect(decoded).toEqual(
        Object.keys(flags)
          .sort()
          .map((key) => expected(key, flags[key] as FlagDefinition, environment)),
      );
    },
  );

  it('round-trips generated flags (property)', () => {
    // Prepare
    const day = fc
      .date({
        min: new Date('2020-01-01T00:00:00Z'),
        max: new Date('2030-12-31T00:00:00Z'),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString().slice(0, 10));
    const text = fc.string({ minLength: 1, maxLength: 40 });
    const envValue = (kind: 'boolean' | 'string' | 'number'): fc.Arbitrary<FlagEnvironmentValue> =>
      fc.record(
        {
          enabled: fc.boolean(),
          rolloutPercent: fc.integer({ min: 0, max: 100 }),
          allow: fc.array(text, { maxLength: 3 }),
          groups: fc.array(text, { maxLength: 3 }),
          ...(kind === 'string' ? { value: text } : kind === 'number' ? { value: fc.integer() } : {}),
        },
        { requiredKeys: ['enabled'] },
      );
    const flagArb = fc.constantFrom('boolean', 'string', 'number' as const).chain((kind) =>
      fc.record(
        {
          description: text,
          owner: text,
          type: fc.constantFrom('release', 'experiment', 'operational', 'kill-switch', 'permission' as const),
          created: day,
          expires: day,
          environments: fc.record(
            { staging: envValue(kind), production: envValue(kind) },
            { requiredKeys: [] },
          ),
          ...(kind === 'boolean'
            ? {}
            : { valueKind: fc.constant(kind), defaultValue: kind === 'string' ? text : fc.integer() }),
        },
        { requiredKeys: ['description', 'owner', 'type', 'created', 'environments'] },
      ),
    );
    const flagsArb = fc.dictionary(
      fc.stringMatching(APPCONFIG_KEY),
      flagArb as fc.Arbitrary<FlagDefinition>,
      {
        maxKeys: 5,
      },
    );

    // Act & Assess
    fc.assert(
      fc.property(flagsArb, fc.constantFrom('staging', 'production'), (flags, environment) => {
        const decoded = fromAppConfigFlags(JSON.parse(JSON.stringify(toAppConfigFlags(flags, environment))));
        expect(decoded).toEqual(
          Object.keys(flags)
            .sort()
            .map((key) => expected(key, flags[key] as FlagDefinition, environment)),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('reads a document edited by hand leniently: unknown attributes and missing metadata', () => {
    // Act
    const [flag] = fromAppConfigFlags({
      version: '1',
      flags: { legacy: { name: 'Legacy' } },
      values: { legacy: { enabled: true, colour: 'blue' } },
    });

    // Assess
    expect(flag).toEqual({ key: 'legacy', value: { enabled: true } });
  });

  it.each([
    [{ flags: {} }, 'version'],
    [{ version: '2' }, 'version'],
    [{ version: '1', values: { ok: { enabled: 'yes' } } }, 'values.ok.enabled'],
  ])('refuses what is not a feature-flags document (%j)', (raw, path) => {
    // Act
    const act = () => fromAppConfigFlags(raw);

    // Assess
    expect(act).toThrow(ConfigurationError);
    expect(act).toThrow(path);
  });
});
