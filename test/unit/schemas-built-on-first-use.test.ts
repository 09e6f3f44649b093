import { beforeEach, describe, expect, it, vi } from 'vitest';
import { HANDLER_ENV } from '../support/validate-change-harness.ts';

/**
 * Counts the zod/mini builders only the first-use schemas call, to see when they are constructed:
 * the delivery request schema (the only `discriminatedUnion` of requests.ts), the flag document
 * forms (the only `literal`s of flag-document-schema.ts) and the code-reference digest (the only
 * object with a `complete` field).
 */
const built = vi.hoisted(() => ({ unions: 0, literals: 0, digests: 0 }));
vi.mock('zod/mini', async (importOriginal) => {
  const zod = await importOriginal<typeof import('zod/mini')>();
  return {
    ...zod,
    discriminatedUnion: (...args: Parameters<typeof zod.discriminatedUnion>) => {
      built.unions++;
      return zod.discriminatedUnion(...args);
    },
    literal: (...args: Parameters<typeof zod.literal>) => {
      built.literals++;
      return zod.literal(...args);
    },
    object: (...args: Parameters<typeof zod.object>) => {
      if (args[0] && 'complete' in args[0]) built.digests++;
      return zod.object(...args);
    },
  };
});

beforeEach(() => {
  vi.resetModules();
  Object.assign(built, { unions: 0, literals: 0, digests: 0 });
});

describe('Schemas built on first use', () => {
  it('builds the delivery request schema at the first parse, once', async () => {
    // Act: import, as validate-change and the reconcile do (they only send requests)
    const { parseDeliveryRequest } = await import('../../functions/core/delivery/requests.ts');

    // Assess
    expect(built.unions).toBe(0);

    // Act
    const body = JSON.stringify({
      kind: 'deliver',
      service: 'orders',
      environment: 'production',
      triggeringEventIds: ['e-1'],
    });
    parseDeliveryRequest(body);
    parseDeliveryRequest(body);

    // Assess
    expect(built.unions).toBe(1);
    expect(() => parseDeliveryRequest('{"kind":"deliver"}')).toThrow(/malformed delivery request/);
  });

  it('builds each flag document form only when asked for, once', async () => {
    // Act
    const forms = await import('../../functions/core/flags/flag-document-schema.ts');

    // Assess: neither form at import
    expect(built.literals).toBe(0);

    // Act: the lenient form, as the flag-expiry job reads documents back
    const lenient = forms.lenientFlagsDocumentSchema();
    const afterLenient = built.literals;

    // Assess: the lenient form alone, and the same instance after
    expect(afterLenient).toBe(1);
    expect(forms.lenientFlagsDocumentSchema()).toBe(lenient);
    expect(lenient.parse({ version: '1' })).toEqual({ version: '1', flags: {}, values: {} });

    // Act: the strict form, as the AppConfig validator checks a document
    const strict = forms.strictFlagsDocumentSchema();

    // Assess
    expect(built.literals).toBe(2);
    expect(forms.strictFlagsDocumentSchema()).toBe(strict);
    expect(strict.safeParse({ version: '1', flags: {}, values: { a: {} } }).success).toBe(false);
  });

  it('builds the code-reference digest schema only for a function that reads the digest', async () => {
    // Act: every handler's cold start imports the runtime settings and picks its variables
    const settings = await import('../../functions/core/runtime-settings.ts');
    settings.functionEnvironment('STEWARD_APPCONFIG', 'STEWARD_DELIVERY_QUEUE_URL');

    // Assess
    expect(built.digests).toBe(0);

    // Act: the flag-expiry job's variables
    const schema = settings.functionEnvironment('STEWARD_FLAG_CODE_REFERENCES');
    settings.functionEnvironment('STEWARD_FLAG_CODE_REFERENCES');

    // Assess: built once, and it still parses the digest from its JSON
    expect(built.digests).toBe(1);
    const digest = { sources: ['functions'], complete: true, flags: { a: { count: 1, at: ['x.ts:1'] } } };
    const parsed = settings.parseFunctionEnvironment(schema, {
      ...HANDLER_ENV,
      STEWARD_FLAG_CODE_REFERENCES: JSON.stringify(digest),
    });
    expect(parsed.STEWARD_FLAG_CODE_REFERENCES).toEqual(digest);
  });
});
