import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { checkDesiredState } from '../../functions/core/check.ts';
import { fixtureSettings } from '../support/fixture-organisation.ts';
import {
  contextAttribute,
  type EvaluationContextSchema,
} from '../../functions/core/flags/evaluation-context.ts';
import { checkFlagRules } from '../../functions/core/flags/rule-check.ts';
import type { FlagDefinition, FlagVariantDefinition } from '../../functions/core/model.ts';

const context: EvaluationContextSchema = {
  tier: contextAttribute.oneOf(['free', 'pro']),
  country: contextAttribute.string(),
  accountAgeDays: contextAttribute.integer({ min: 0 }),
};

function stringFlag(variants: readonly FlagVariantDefinition[]): FlagDefinition {
  return {
    description: 'theme',
    owner: 'team-growth',
    type: 'experiment',
    created: '2026-11-20',
    expires: '2026-12-20',
    valueKind: 'string',
    environments: { production: { enabled: true, variants } },
  };
}

const withRule = (rule: string) =>
  stringFlag([
    { name: 'match', rule, value: 'a' },
    { name: 'default', value: 'b' },
  ]);

describe('Function: checkFlagRules', () => {
  it('accepts rules that fit the declared context', () => {
    // Act
    const problems = checkFlagRules(
      withRule(
        '(and (eq $tier "pro") (gte $accountAgeDays 30) (in $country ["IE", "GB"]) (split pct::10 by::$targetingKey))',
      ),
      context,
    );

    // Assess
    expect(problems).toEqual([]);
  });

  it.each([
    [
      '(eq $plan "pro")',
      'production: variant "match": rule reads undeclared attribute $plan (the evaluation context declares targetingKey, groups, tier, country, accountAgeDays)',
    ],
    ['(eq $tier 3)', 'production: variant "match": rule compares tier (a string) with a number'],
    [
      '(gt $accountAgeDays "30")',
      'production: variant "match": rule compares accountAgeDays (a number) with a string',
    ],
    ['(gt $country "IE")', 'production: variant "match": rule orders country (a string) with gt'],
    [
      '(eq $tier "gold")',
      'production: variant "match": rule can never match: tier is one of free, pro, never "gold"',
    ],
    [
      '(in $tier ["gold", "platinum"])',
      'production: variant "match": rule can never match: no value of the in list is one of tier\'s values (free, pro)',
    ],
    [
      '(in $accountAgeDays ["30"])',
      'production: variant "match": rule lists 1 value(s) that are not numbers for accountAgeDays',
    ],
    [
      '(lt $accountAgeDays 0)',
      'production: variant "match": rule can never match: accountAgeDays lies in 0..∞',
    ],
    [
      '(begins_with $accountAgeDays "1")',
      'production: variant "match": rule applies begins_with to accountAgeDays (a number)',
    ],
    [
      '(exists key::"plan")',
      'production: variant "match": rule reads undeclared attribute $plan (the evaluation context declares targetingKey, groups, tier, country, accountAgeDays)',
    ],
    ['(eq $tier "pro"', 'production: variant "match": malformed rule: "(" at 0 is never closed'],
    [
      '(split pct::150 by::$targetingKey)',
      'production: variant "match": malformed rule: split at 0: pct:: must be 0-100',
    ],
  ])('finds %s', (rule, message) => {
    // Act
    const problems = checkFlagRules(withRule(rule), context);

    // Assess
    expect(problems).toEqual([message]);
  });

  it('finds structural problems: default not last, a rule-less variant before it, a value of the wrong kind, a name twice', () => {
    // Act
    const problems = checkFlagRules(
      stringFlag([
        { name: 'first', value: 'a' },
        { name: 'first', rule: '(eq $tier "pro")', value: 3 },
        { name: 'last', rule: '(eq $tier "free")', value: 'c' },
      ]),
      context,
    );

    // Assess
    expect(problems).toEqual([
      'production: variant "first": only the last (default) variant may omit its rule',
      'production: variant "first" is declared twice',
      'production: variant "first": value must be a string',
      'production: variant "last": the default variant (last) takes no rule',
    ]);
  });

  it('without a declared context, only targetingKey and groups may be read', () => {
    // Act
    const problems = checkFlagRules(withRule('(and (contains $groups "beta") (eq $tier "pro"))'), undefined);

    // Assess
    expect(problems).toEqual([
      'production: variant "match": rule reads undeclared attribute $tier (the evaluation context declares targetingKey, groups)',
    ]);
  });
});

describe('Function: checkDesiredState (rule-based flags)', () => {
  it('passes the example organisation, whose checkout-theme rules fit the orders context', () => {
    // Act
    const findings = checkDesiredState(organisation, fixtureSettings()).filter((f) => f.rule === 'flag');

    // Assess
    expect(findings).toEqual([]);
  });

  it('names the service, flag, variant and problem of a rule that reads an undeclared attribute', () => {
    // Prepare
    const orders = organisation.services.find((s) => s.name === 'orders')!;
    const broken = {
      ...organisation,
      services: organisation.services.map((s) =>
        s === orders
          ? { ...orders, flags: { ...orders.flags, 'bad-rule': withRule('(eq $plan "pro")') } }
          : s,
      ),
    };

    // Act
    const findings = checkDesiredState(broken, fixtureSettings()).filter((f) => f.rule === 'flag');

    // Assess
    expect(findings).toContainEqual({
      rule: 'flag',
      subject: 'orders:bad-rule',
      message: expect.stringContaining('production: variant "match": rule reads undeclared attribute $plan'),
    });
  });
});
