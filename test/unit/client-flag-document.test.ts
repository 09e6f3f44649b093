import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidConfigDocumentError } from '../../packages/client/src/errors.ts';
import { parseFlagDocument } from '../../packages/client/src/flag-document.ts';
import { flagDocumentSchema } from '../../packages/client/src/flag-schema.ts';

const anyAttribute = fc.oneof(
  fc.boolean(),
  fc.string(),
  fc.double({ min: -50, max: 150, noNaN: true }),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
  fc.constant(null),
  fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 }),
);

/** Each attribute either of its right kind or anything, so valid and invalid documents both come up often. */
const flagData = fc.record(
  {
    enabled: fc.oneof(fc.boolean(), anyAttribute),
    owner: fc.oneof(fc.string(), anyAttribute),
    type: fc.oneof(fc.constantFrom('release', 'kill-switch'), anyAttribute),
    created: fc.oneof(fc.string(), anyAttribute),
    expires: fc.oneof(fc.string(), anyAttribute),
    rolloutPercent: fc.oneof(fc.double({ min: 0, max: 100, noNaN: true }), anyAttribute),
    allow: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), anyAttribute),
    groups: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), anyAttribute),
    value: fc.oneof(anyAttribute, fc.json()),
    defaultValue: fc.oneof(anyAttribute, fc.json()),
    valueEncoding: fc.oneof(fc.constant('json'), anyAttribute),
    extra: anyAttribute,
  },
  { requiredKeys: ['enabled'] },
);

const flagName = fc.string({ minLength: 1, maxLength: 12 }).filter((name) => name !== '__proto__');

describe('Function: parseFlagDocument', () => {
  it('accepts exactly the documents the zod schema of the data-plane form accepts', () => {
    // Prepare
    const documents = fc.oneof(
      fc.dictionary(flagName, fc.oneof(flagData, anyAttribute), { maxKeys: 4 }),
      anyAttribute,
    );

    const verdicts = new Set<boolean>();

    // Act & Assess
    fc.assert(
      fc.property(documents, (document) => {
        const byZod = flagDocumentSchema.safeParse(document).success;
        verdicts.add(byZod);
        let byClient = true;
        try {
          parseFlagDocument(document);
        } catch {
          byClient = false;
        }
        expect(byClient).toBe(byZod);
      }),
      { numRuns: 2_000 },
    );
    expect([...verdicts].sort()).toEqual([false, true]);
  });

  it('accepts a document as the extension serves it, extra attributes included', () => {
    // Prepare
    const document = {
      'new-checkout': {
        enabled: true,
        owner: 'team-orders',
        type: 'release',
        created: '2026-11-02',
        expires: '2027-01-31',
        rolloutPercent: 25,
        allow: ['customer-qa-1'],
        groups: ['beta'],
        _variant: 'on',
      },
      'disable-recommendations': { enabled: false },
    };

    // Act
    const parsed = parseFlagDocument(document);

    // Assess
    expect(parsed['new-checkout']?.rolloutPercent).toBe(25);
    expect(parsed['disable-recommendations']?.enabled).toBe(false);
  });

  it('names every flag attribute at fault, never its value', () => {
    // Prepare
    const document = {
      'new-checkout': { enabled: 'yes', rolloutPercent: 101, allow: 'customer-qa-1' },
      'button-copy': 'Complete order',
    };

    // Act
    const error = (() => {
      try {
        parseFlagDocument(document, 'orders-flags');
      } catch (e) {
        return e;
      }
    })();

    // Assess
    expect(error).toBeInstanceOf(InvalidConfigDocumentError);
    expect((error as InvalidConfigDocumentError).keys).toEqual([
      'new-checkout.enabled',
      'new-checkout.rolloutPercent',
      'new-checkout.allow',
      'button-copy',
    ]);
    expect((error as Error).message).toContain('orders-flags');
    expect((error as Error).message).not.toMatch(/yes|101|customer-qa-1|Complete order/);
  });
});
