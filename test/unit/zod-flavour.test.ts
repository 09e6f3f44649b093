import { describe, expect, it } from 'vitest';
import * as classic from 'zod';
import * as mini from 'zod/mini';
import * as core from 'zod/v4/core';
import { containsClassicZod, flavourOf, miniSourceOf } from '../../functions/core/zod-flavour.ts';

/** Builds the schema the printed source describes, with zod/mini as `z`, as config/ would. */
function evaluateMini(source: string): mini.ZodMiniType {
  return new Function('z', `return ${source};`)(mini) as mini.ZodMiniType;
}

describe('Function: flavourOf', () => {
  it.each([
    ['string', classic.string(), mini.string()],
    ['number with a check', classic.number().min(1), mini.number().check(mini.minimum(1))],
    ['strict object', classic.strictObject({ a: classic.string() }), mini.strictObject({ a: mini.string() })],
    ['array', classic.array(classic.int()), mini.array(mini.int())],
    ['enum', classic.enum(['a', 'b']), mini.enum(['a', 'b'])],
    ['optional', classic.string().optional(), mini.optional(mini.string())],
    ['email format', classic.email(), mini.email()],
  ])('tells a classic %s from a mini one', (_, classicSchema, miniSchema) => {
    // Act & Assess
    expect(flavourOf(classicSchema)).toBe('classic');
    expect(flavourOf(miniSchema)).toBe('mini');
  });

  it('calls a schema built from zod/v4/core alone neither, and a non-schema nothing', () => {
    // Prepare
    const coreString = new core.$ZodString({ type: 'string' });

    // Act & Assess
    expect(flavourOf(coreString)).toBe('core');
    expect(flavourOf({ parse: () => 1 })).toBeUndefined();
    expect(flavourOf(undefined)).toBeUndefined();
  });
});

describe('Function: containsClassicZod', () => {
  it('finds nothing classic in zod/mini schemas, including the example organisation style', () => {
    // Prepare
    const schema = mini.strictObject({
      standard: mini.number().check(mini.nonnegative()),
      countries: mini.array(mini.string().check(mini.regex(/^[A-Z]{2}$/))).check(mini.minLength(1)),
      tiers: mini.optional(mini.record(mini.string(), mini.union([mini.int(), mini.literal('none')]))),
    });

    // Act & Assess
    expect(containsClassicZod(schema)).toBe(false);
  });

  it.each([
    ['at the top', classic.strictObject({ warn: classic.number() })],
    ['in a field of a mini object', mini.strictObject({ warn: classic.number() })],
    ['as the element of a mini array', mini.array(classic.string())],
    ['in one option of a mini union', mini.union([mini.string(), classic.number()])],
    ['as the value of a mini record', mini.record(mini.string(), classic.boolean())],
    ['inside a mini optional', mini.optional(classic.string())],
    ['behind a mini lazy', mini.lazy(() => classic.string())],
  ])('finds a classic schema %s', (_, schema) => {
    // Act & Assess
    expect(containsClassicZod(schema)).toBe(true);
  });

  it('terminates on a recursive schema', () => {
    // Prepare
    interface Tree {
      children: Tree[];
    }
    const tree: mini.ZodMiniType<Tree> = mini.object({ children: mini.array(mini.lazy(() => tree)) });

    // Act & Assess
    expect(containsClassicZod(tree)).toBe(false);
  });
});

describe('Function: miniSourceOf', () => {
  it('writes the zod/mini form of the classic schema an adopter would write', () => {
    // Prepare
    const schema = classic.strictObject({
      warn: classic.number().nonnegative(),
      critical: classic.number().int().positive().optional(),
      'per-site': classic.array(classic.string().regex(/^[a-z]+$/)).min(1),
    });

    // Act
    const { source, complete } = miniSourceOf(schema);

    // Assess
    expect(source).toBe(
      'z.strictObject({ warn: z.number().check(z.gte(0)), critical: z.optional(z.int().check(z.gt(0))), ' +
        '"per-site": z.array(z.string().check(z.regex(/^[a-z]+$/))).check(z.minLength(1)) })',
    );
    expect(complete).toBe(true);
  });

  it.each([
    [
      'bounded strings',
      classic.string().min(2).max(4).startsWith('a'),
      ['ab', 'abcd'],
      ['a', 'abcde', 'bb', 3],
    ],
    ['an exact length', classic.string().length(3), ['abc'], ['ab']],
    [
      'formats',
      classic.object({ mail: classic.email(), site: classic.url() }),
      [{ mail: 'a@b.io', site: 'https://x.io' }],
      [{ mail: 'nope', site: 'https://x.io' }],
    ],
    ['a classic email check', classic.string().email(), ['a@b.io'], ['nope']],
    ['integers and multiples', classic.number().int().multipleOf(5).lte(100), [0, 100, 45], [101, 2.5, 7]],
    ['exclusive bounds', classic.number().gt(0).lt(1), [0.5], [0, 1]],
    [
      'enums and literals',
      classic.union([classic.enum(['eu', 'us']), classic.literal(7)]),
      ['eu', 7],
      ['apac', 8],
    ],
    [
      'loose and plain objects',
      classic.object({ a: classic.looseObject({}) }),
      [{ a: { x: 1 } }, { a: {}, b: 2 }],
      [{}],
    ],
    ['strict objects', classic.strictObject({ a: classic.boolean() }), [{ a: true }], [{ a: true, b: 1 }]],
    [
      'nullable and defaults',
      classic.object({ n: classic.string().nullable(), d: classic.number().default(3) }),
      [{ n: null }],
      [{ n: 1 }],
    ],
    [
      'records and tuples',
      classic.tuple([classic.record(classic.string(), classic.number()), classic.string()]),
      [[{ a: 1 }, 'x']],
      [[{ a: 'x' }, 'x'], [{}]],
    ],
    ['refinements', classic.number().refine((n) => n % 2 === 0), [2, 4], [3]],
  ])(
    'writes zod/mini source for %s that accepts and refuses what the classic schema does',
    (_, schema, good, bad) => {
      // Act
      const { source, complete } = miniSourceOf(schema);
      const rebuilt = evaluateMini(source);

      // Assess
      expect(complete).toBe(true);
      expect(flavourOf(rebuilt)).toBe('mini');
      expect(containsClassicZod(rebuilt)).toBe(false);
      for (const value of good)
        expect(mini.safeParse(rebuilt, value).success, JSON.stringify(value)).toBe(true);
      for (const value of bad)
        expect(mini.safeParse(rebuilt, value).success, JSON.stringify(value)).toBe(false);
    },
  );

  it('marks what it cannot translate instead of guessing', () => {
    // Prepare
    const schema = classic.object({ when: classic.string().transform((s) => s.length) });

    // Act
    const { source, complete } = miniSourceOf(schema);

    // Assess
    expect(complete).toBe(false);
    expect(source).toContain('write by hand');
  });
});
