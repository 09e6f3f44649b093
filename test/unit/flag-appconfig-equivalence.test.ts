/**
 * Equivalence with AppConfig's documented multi-variant semantics. The table is written from AWS's
 * documentation:
 * - rules and operators: https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-multi-variant-feature-flags-rules-operators.html
 * - ordering, default variant, `split` subtleties: https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-multi-variant-feature-flags-rules.html
 * - the hosted `_variants` shape (the ui_refresh example): https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-multi-variant-feature-flags-procedures.html
 * - "the default variant must be last ... and it can't have rules": https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-multi-variant-feature-flags-concepts.html
 *
 * Each case is a flag as `config/` declares it. It is encoded with `toAppConfigFlags` (so the hosted
 * `_variants` the console and agent evaluate are checked), then read the way the client reads it
 * from the agent without a `Context` header (the default variant's attributes), and evaluated
 * locally. AWS does not document the hash behind `split`: the split cases compare shares, not which
 * keys land where, and a key's variant may differ between the agent and this evaluator.
 */
import { describe, expect, it } from 'vitest';
import type { AppConfigFlagsDocument } from '../../functions/core/flags/flag-document-schema.ts';
import { toAppConfigFlags } from '../../functions/core/flags/appconfig-format.ts';
import type { FlagDefinition, FlagVariantDefinition } from '../../functions/core/model.ts';
import { validateDeliveredDocument } from '../../functions/core/validation/appconfig-document.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { organisation } from '../../config/index.ts';
import {
  createFlagEvaluator,
  loadRuleEngine,
  type FlagEvaluator,
} from '../../packages/client/src/flag-evaluator.ts';

// Rule-based flags need the rule language, which the client loads on demand.
await loadRuleEngine();

function flagWith(variants: readonly FlagVariantDefinition[], valueKind?: 'string'): FlagDefinition {
  return {
    description: 'equivalence case',
    owner: 'team-test',
    type: 'experiment',
    created: '2026-11-20',
    expires: '2026-12-20',
    ...(valueKind ? { valueKind, defaultValue: 'none' } : {}),
    environments: { production: { enabled: true, variants } },
  };
}

/** What the AppConfig agent serves without a `Context` header: the default variant (AWS: "If no rules match the supplied context, AWS AppConfig returns the Default variant"). */
function servedWithoutContext(document: AppConfigFlagsDocument): Record<string, unknown> {
  const served: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document.values)) {
    const variants = value._variants;
    if (variants === undefined) {
      served[key] = value;
      continue;
    }
    const fallback = variants.at(-1)!;
    served[key] = { ...fallback.attributeValues, enabled: fallback.enabled };
  }
  return served;
}

function localEvaluator(
  key: string,
  flag: FlagDefinition,
): { hosted: AppConfigFlagsDocument; local: FlagEvaluator } {
  const hosted = toAppConfigFlags({ [key]: flag }, 'production');
  return { hosted, local: createFlagEvaluator(servedWithoutContext(hosted)) };
}

// The ui_refresh example of AWS's "Creating a multi-variant feature flag" page.
const uiRefresh = flagWith([
  { name: 'QA', rule: '(ends_with $email "qa-testers.mycompany.com")', value: true },
  { name: 'Beta Testers', rule: '(exists key::"opted_in_to_beta")', value: true },
  { name: 'Sample Population', rule: '(split pct::10 by::$email)', value: true },
  { name: 'Default Variant', value: false },
]);

describe('AppConfig equivalence: hosted format', () => {
  it('writes the documented _variants: ordered, rules verbatim, the default last without a rule', () => {
    // Act
    const { hosted } = localEvaluator('ui_refresh', uiRefresh);

    // Assess
    const variants = hosted.values['ui_refresh']!._variants!;
    expect(variants.map(({ name, enabled, rule }) => ({ name, enabled, ...(rule ? { rule } : {}) }))).toEqual(
      [
        { name: 'QA', enabled: true, rule: '(ends_with $email "qa-testers.mycompany.com")' },
        { name: 'Beta Testers', enabled: true, rule: '(exists key::"opted_in_to_beta")' },
        { name: 'Sample Population', enabled: true, rule: '(split pct::10 by::$email)' },
        { name: 'Default Variant', enabled: false },
      ],
    );
  });

  it('passes the AppConfig validator, which refuses a malformed rule and a default that is not last', async () => {
    // Prepare
    const registry = new SchemaRegistry(organisation, {
      parameterRoot: 'config',
      environments: ['staging', 'production'],
    });
    const locator = { locate: async () => ({ service: 'orders', profile: 'flags' as const }) };
    const invocation = (document: unknown) => ({
      applicationId: 'a',
      configurationProfileId: 'p',
      configurationVersion: '1',
      content: JSON.stringify(document),
    });
    const { hosted } = localEvaluator('ui_refresh', uiRefresh);
    // The malformed rule in both places, so the rule is the only fault (not the list's agreement).
    const broken = withFirstRule(hosted, '(ends_with $email', { inVariantsAttribute: true });
    // A console edit: the rule changed in _variants only, every variant's list still the old one.
    const editedInConsole = withFirstRule(hosted, '(ends_with $email "@example.org")', {
      inVariantsAttribute: false,
    });
    const addedInConsole = structuredClone(hosted);
    addedInConsole.values['ui_refresh']!._variants!.unshift({
      name: 'console-only',
      enabled: true,
      rule: '(eq $country "FR")',
      attributeValues: {},
    });
    const misordered = structuredClone(hosted);
    misordered.values['ui_refresh']!._variants!.reverse();

    // Act
    const sound = await validateDeliveredDocument(invocation(hosted), { registry, locator });
    const malformed = await validateDeliveredDocument(invocation(broken), { registry, locator });
    const defaultFirst = await validateDeliveredDocument(invocation(misordered), { registry, locator });
    const edited = await validateDeliveredDocument(invocation(editedInConsole), { registry, locator });
    const added = await validateDeliveredDocument(invocation(addedInConsole), { registry, locator });

    // Assess
    expect(sound).toEqual({ ok: true, service: 'orders', profile: 'flags' });
    expect(malformed.ok ? [] : malformed.issues).toEqual([
      { path: 'values.ui_refresh._variants.0.rule', message: 'malformed rule: "(" at 0 is never closed' },
    ]);
    expect(defaultFirst.ok ? [] : defaultFirst.issues.map((issue) => issue.message)).toContain(
      'the default variant (no rule) must come last',
    );
    // Client and agent would disagree: refused, on every variant whose list is stale or missing.
    const variantCount = hosted.values['ui_refresh']!._variants!.length;
    expect(edited.ok ? [] : edited.issues.map((issue) => issue.path)).toEqual(
      Array.from(
        { length: variantCount },
        (_, i) => `values.ui_refresh._variants.${i}.attributeValues.variants`,
      ),
    );
    expect(edited.ok ? '' : edited.issues[0]!.message).toMatch(/does not match _variants/);
    expect(added.ok ? [] : added.issues).toContainEqual({
      path: 'values.ui_refresh._variants.0.attributeValues.variants',
      message: expect.stringMatching(/^missing: every variant carries the ordered rules/),
    });
    expect(added.ok ? [] : added.issues.map((issue) => issue.path)).toContain(
      'values.ui_refresh._variants.1.attributeValues.variants',
    );
  });
});

/** A copy of a hosted document whose first variant's rule is replaced, optionally in the `variants` texts too. */
function withFirstRule(
  hosted: AppConfigFlagsDocument,
  rule: string,
  { inVariantsAttribute }: { inVariantsAttribute: boolean },
): AppConfigFlagsDocument {
  const copy = structuredClone(hosted);
  const variants = copy.values['ui_refresh']!._variants!;
  variants[0]!.rule = rule;
  if (inVariantsAttribute) {
    for (const variant of variants) {
      const texts = variant.attributeValues!['variants'] as string[];
      texts[0] = JSON.stringify({ ...(JSON.parse(texts[0]!) as object), rule });
    }
  }
  return copy;
}

describe('AppConfig equivalence: the documented variant for each context', () => {
  // [case, context, the variant AppConfig's documented semantics select]
  it.each([
    ['a QA tester matches the first rule', { email: 'jane@qa-testers.mycompany.com' }, 'QA'],
    [
      'a QA tester who also opted in still gets QA: first match wins',
      { email: 'jane@qa-testers.mycompany.com', opted_in_to_beta: 'true' },
      'QA',
    ],
    [
      'an opted-in user without email gets Beta Testers (exists)',
      { opted_in_to_beta: 'yes' },
      'Beta Testers',
    ],
    ['no context at all: the default variant', {}, 'Default Variant'],
  ] as const)('%s', (_case, context, expected) => {
    // Prepare
    const { local } = localEvaluator('ui_refresh', uiRefresh);

    // Act
    const resolution = local.resolve('ui_refresh', context);

    // Assess
    expect(resolution?.variant).toBe(expected);
    expect(resolution?.on).toBe(expected !== 'Default Variant');
  });

  it.each([
    ['(eq $state "Virginia")', { state: 'Virginia' }, 'match'],
    ['(gt $age 65)', { age: 70 }, 'match'],
    ['(gte $age 65)', { age: 64 }, 'default'],
    ['(lt $age 65)', { age: 64 }, 'match'],
    ['(lte $age 65)', { age: 66 }, 'default'],
    ['(and (eq $state "Virginia") (gt $age 65))', { state: 'Virginia', age: 66 }, 'match'],
    ['(or (eq $state "Virginia") (gt $age 65))', { state: 'Ohio', age: 60 }, 'default'],
    ['(not (eq $state "Virginia"))', { state: 'Ohio' }, 'match'],
    ['(begins_with $state "A")', { state: 'Arizona' }, 'match'],
    ['(ends_with $email "amazon.com")', { email: 'x@amazon.com' }, 'match'],
    ['(contains $promoCode "WIN")', { promoCode: 'BIGWIN24' }, 'match'],
    ['(in $userId ["123", "456"])', { userId: '123' }, 'match'],
    ['(matches in::$greeting pattern::"h.*y")', { greeting: 'howdy' }, 'match'],
    ['(exists key::"country")', { country: 'US' }, 'match'],
  ] as const)('the documented example %s with %j selects the %s variant', (rule, context, expected) => {
    // Prepare
    const { local } = localEvaluator(
      'example',
      flagWith(
        [
          { name: 'match', rule, value: 'matched' },
          { name: 'default', value: 'default' },
        ],
        'string',
      ),
    );

    // Act / Assess
    expect(local.resolve('example', context)?.variant).toBe(expected);
  });
});

describe('AppConfig equivalence: the documented split subtleties', () => {
  const shares = (variants: readonly FlagVariantDefinition[]) => {
    const { local } = localEvaluator('split-case', flagWith(variants, 'string'));
    const counts = new Map<string, number>();
    const total = 100_000;
    for (let i = 0; i < total; i++) {
      const variant = local.resolve('split-case', { uniqueId: `id-${i}` })!.variant;
      counts.set(variant, (counts.get(variant) ?? 0) + 1);
    }
    return Object.fromEntries(
      ['A', 'B', 'C'].map((name) => [name, Math.round(((counts.get(name) ?? 0) / total) * 1000) / 10]),
    );
  };

  it('A: split pct::20, C: default → about 20 % / 80 %', () => {
    const result = shares([
      { name: 'A', rule: '(split by::$uniqueId pct::20)', value: 'A' },
      { name: 'C', value: 'C' },
    ]);
    expect(result['A']).toBeCloseTo(20, 0);
    expect(result['C']).toBeCloseTo(80, 0);
  });

  it('A: pct::20, B: pct::20, C: default → about 20 % / 0 % / 80 % (first match wins)', () => {
    const result = shares([
      { name: 'A', rule: '(split by::$uniqueId pct::20)', value: 'A' },
      { name: 'B', rule: '(split by::$uniqueId pct::20)', value: 'B' },
      { name: 'C', value: 'C' },
    ]);
    expect(result).toEqual({ A: expect.closeTo(20, 0), B: 0, C: expect.closeTo(80, 0) });
  });

  it('A: pct::20, B: pct::25, C: default → about 20 % / 5 % / 75 %', () => {
    const result = shares([
      { name: 'A', rule: '(split by::$uniqueId pct::20)', value: 'A' },
      { name: 'B', rule: '(split by::$uniqueId pct::25)', value: 'B' },
      { name: 'C', value: 'C' },
    ]);
    expect(result['A']).toBeCloseTo(20, 0);
    expect(result['B']).toBeCloseTo(5, 0);
    expect(result['C']).toBeCloseTo(75, 0);
  });
});
