import { describe, expect, it } from 'vitest';
import {
  compareWithDeclaredFlags,
  findFlagReferences,
  OPENFEATURE_FLAG_METHODS,
} from '../../functions/core/flags/code-references.ts';

const keysIn = (path: string, text: string) =>
  findFlagReferences({ path, text }).references.map((r) => `${r.flag} ${r.call} ${r.line}`);

describe('Function: findFlagReferences', () => {
  it('finds every public flag call of the client on a flags object, with file, line and column', () => {
    // Prepare
    const text = [
      "const flags = await loadFlags('orders');",
      "flags.isEnabled('a', { targetingKey });",
      "flags.value('b', 'Buy now');",
      "flags.reason('c');",
      "flags.evaluator.resolve('d');",
      "flags.attribute('e', 'owner');",
      "flags.has('f');",
      "flags.evaluator.definition('g');",
    ].join('\n');

    // Act
    const { references, computed } = findFlagReferences({ path: 'src/a.ts', text });

    // Assess
    expect(references.map((r) => `${r.flag} ${r.call} ${r.line}`)).toEqual([
      'a isEnabled 2',
      'b value 3',
      'c reason 4',
      'd resolve 5',
      'e attribute 6',
      'f has 7',
      'g definition 8',
    ]);
    expect(references[0]).toEqual({ flag: 'a', file: 'src/a.ts', line: 2, column: 17, call: 'isEnabled' });
    expect(computed).toEqual([]);
  });

  it('knows a flags object by its binding, whatever its name, and by the factory call itself', () => {
    // Prepare
    const text = [
      "const [config, orders] = await Promise.all([loadConfig('orders', schema), loadFlags('orders')]);",
      'const evaluator = createFlagEvaluator(document);',
      "orders.isEnabled('by-position');",
      "evaluator.value('by-binding', 1);",
      "(await loadFlags('orders')).has('inline');",
      "config.has('not-a-flag');",
    ].join('\n');

    // Act
    const keys = keysIn('src/b.ts', text);

    // Assess
    expect(keys).toEqual(['by-position isEnabled 3', 'by-binding value 4', 'inline has 5']);
  });

  it("finds middy's context.flags, a destructured flags parameter and optional chaining", () => {
    // Prepare
    const text = [
      "handler(async (event, context) => context.flags.isEnabled('middy-a'));",
      "const read = ({ flags }) => flags.value('middy-b', 'x');",
      "const maybe = (orderFlags) => orderFlags?.isEnabled('optional');",
    ].join('\n');

    // Act + Assess
    expect(keysIn('src/handler.js', text)).toEqual([
      'middy-a isEnabled 1',
      'middy-b value 2',
      'optional isEnabled 3',
    ]);
  });

  it('finds every OpenFeature evaluation and provider method on any receiver', () => {
    // Prepare
    const text = OPENFEATURE_FLAG_METHODS.map((method, i) => `client.${method}('of-${i}', undefined);`).join(
      '\n',
    );

    // Act
    const keys = keysIn('src/of.mjs', text);

    // Assess: Value and Details for four types, and the four resolve…Evaluation methods
    expect(OPENFEATURE_FLAG_METHODS).toHaveLength(12);
    expect(OPENFEATURE_FLAG_METHODS).toEqual(
      expect.arrayContaining(['getBooleanValue', 'getStringDetails', 'getNumberValue', 'getObjectDetails']),
    );
    expect(keys).toEqual(OPENFEATURE_FLAG_METHODS.map((method, i) => `of-${i} ${method} ${i + 1}`));
  });

  it('reads the keys of loadFlags(service, { only: [...] }) and parses .tsx', () => {
    // Prepare
    const text = [
      "const flags = await loadFlags('orders', { only: ['fast-search', 'slow-search'] });",
      "export const Banner = () => <span>{flags.isEnabled('tsx-banner') ? 'on' : 'off'}</span>;",
    ].join('\n');

    // Act + Assess
    expect(keysIn('src/Banner.tsx', text)).toEqual([
      'fast-search loadFlags only 1',
      'slow-search loadFlags only 1',
      'tsx-banner isEnabled 2',
    ]);
  });

  it('reports calls with a computed key or a key in a variable as computed, never as a flag', () => {
    // Prepare
    const text = [
      "const KEY = 'in-a-constant';",
      'flags.isEnabled(KEY);',
      'flags.isEnabled(`${prefix}-v2`);',
      "client.getBooleanValue('a-' + name, false);",
      'flags.isEnabled(`no-substitution`);',
    ].join('\n');

    // Act
    const { references, computed } = findFlagReferences({ path: 'src/c.ts', text });

    // Assess
    expect(references.map((r) => r.flag)).toEqual(['no-substitution']);
    expect(computed).toEqual([
      { file: 'src/c.ts', line: 2, column: 17, call: 'isEnabled' },
      { file: 'src/c.ts', line: 3, column: 17, call: 'isEnabled' },
      { file: 'src/c.ts', line: 4, column: 24, call: 'getBooleanValue' },
    ]);
  });

  it('ignores comments, strings, look-alike calls and constants named in capitals', () => {
    // Prepare
    const text = [
      "// flags.isEnabled('in-a-comment')",
      'const s = "flags.isEnabled(\'in-a-string\')";',
      "new Set(['x']).has('set-member');",
      "cache.value('not-flags');",
      "Promise.resolve('promise');",
      "HELP_FLAGS.has('--help');",
      "unleash.isEnabled('other-sdk');",
    ].join('\n');

    // Act
    const result = findFlagReferences({ path: 'src/d.ts', text });

    // Assess
    expect(result).toEqual({ references: [], computed: [] });
  });

  it('never throws on a file that does not parse', () => {
    // Act
    const result = findFlagReferences({ path: 'src/broken.ts', text: "flags.isEnabled('kept' {{{ ) ]" });

    // Assess: the parser recovers; what it could read is kept
    expect(result.references.map((r) => r.flag)).toEqual(['kept']);
  });
});

describe('Function: compareWithDeclaredFlags', () => {
  it('splits declared flags into referenced and unreferenced, and lists unknown keys in location order', () => {
    // Prepare
    const found = [
      findFlagReferences({ path: 'src/b.ts', text: "flags.isEnabled('known');\nflags.isEnabled('typo');" }),
      findFlagReferences({ path: 'src/a.ts', text: "flags.value('known', 1);\nflags.isEnabled(key);" }),
    ];
    const declared = [
      { service: 'orders', flag: 'known' },
      { service: 'orders', flag: 'unused' },
      { service: 'payments', flag: 'known' },
    ];

    // Act
    const report = compareWithDeclaredFlags(found, declared);

    // Assess
    expect(
      report.referenced.map((r) => `${r.service} ${r.flag} ${r.references.map((x) => x.file).join(',')}`),
    ).toEqual(['orders known src/a.ts,src/b.ts', 'payments known src/a.ts,src/b.ts']);
    expect(report.unreferenced).toEqual([{ service: 'orders', flag: 'unused' }]);
    expect(report.unknown).toEqual([
      { flag: 'typo', file: 'src/b.ts', line: 2, column: 17, call: 'isEnabled' },
    ]);
    expect(report.computed).toEqual([{ file: 'src/a.ts', line: 2, column: 17, call: 'isEnabled' }]);
  });
});
