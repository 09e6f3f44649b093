import { describe, expect, it } from 'vitest';
import { InvalidConfigDocumentError } from '../../packages/client/src/errors.ts';
import {
  createFlagEvaluator,
  loadRuleEngine,
  rolloutBucket,
} from '../../packages/client/src/flag-evaluator.ts';
import {
  attributesOf,
  compileRule,
  parseRule,
  type RuleContext,
  RuleSyntaxError,
} from '../../packages/client/src/rules.ts';

// Rule-based flags need the rule language, which the client loads on demand.
await loadRuleEngine();

const evaluate = (rule: string, context: RuleContext, flag = 'a-flag') =>
  compileRule(parseRule(rule), flag)(context);

describe('Function: parseRule + compileRule (AppConfig rule language)', () => {
  it.each([
    ['(eq $state "Virginia")', { state: 'Virginia' }, true],
    ['(eq $state "Virginia")', { state: 'Ohio' }, false],
    ['(eq $state "Virginia")', {}, false],
    // Only the context's own attributes: an empty context has no toString or constructor (as the agent sees it).
    ['(exists key::"toString")', {}, false],
    ['(exists key::"constructor")', {}, false],
    ['(not (exists key::"hasOwnProperty"))', {}, true],
    ['(eq $age 65)', { age: 65 }, true],
    ['(eq $age 65)', { age: '65' }, true],
    ['(eq $beta true)', { beta: true }, true],
    ['(eq $beta true)', { beta: false }, false],
    ['(gt $age 65)', { age: 66 }, true],
    ['(gt $age 65)', { age: 65 }, false],
    ['(gte $age 65)', { age: 65 }, true],
    ['(lt $age 65)', { age: 64.5 }, true],
    ['(lt $age 65)', { age: 'old' }, false],
    ['(lte $age 65)', { age: 65 }, true],
    ['(lte $age 65)', { age: 66 }, false],
    ['(gt $signedUp 2024-01-01T00:00:00Z)', { signedUp: '2024-06-01T00:00:00Z' }, true],
    ['(lt $signedUp 2024-01)', { signedUp: '2024-06-01T00:00:00Z' }, false],
    ['(and (eq $state "Virginia") (gt $age 65))', { state: 'Virginia', age: 70 }, true],
    ['(and (eq $state "Virginia") (gt $age 65))', { state: 'Virginia', age: 60 }, false],
    ['(or (eq $state "Virginia") (gt $age 65))', { state: 'Ohio', age: 70 }, true],
    ['(or (eq $state "Virginia") (gt $age 65))', { state: 'Ohio', age: 60 }, false],
    ['(not (eq $state "Virginia"))', { state: 'Ohio' }, true],
    ['(not (eq $state "Virginia"))', { state: 'Virginia' }, false],
    ['(begins_with $state "A")', { state: 'Alaska' }, true],
    ['(begins_with $state "A")', { state: 'Ohio' }, false],
    ['(ends_with $email "amazon.com")', { email: 'jane@amazon.com' }, true],
    ['(ends_with $email "amazon.com")', { email: 'jane@example.com' }, false],
    ['(contains $promoCode "WIN")', { promoCode: 'XWINX' }, true],
    ['(contains $promoCode "WIN")', { promoCode: 'LOSE' }, false],
    ['(contains $groups "beta")', { groups: ['staff', 'beta'] }, true],
    ['(in $userId ["123", "456"])', { userId: '456' }, true],
    ['(in $userId ["123", "456"])', { userId: '789' }, false],
    ['(in $userId ["123", "456"])', {}, false],
    ['(in $level [1, 2])', { level: 2 }, true],
    ['(matches in::$greeting pattern::"h.*y")', { greeting: 'hey' }, true],
    ['(matches in::$greeting pattern::"h.*y")', { greeting: 'hello' }, false],
    ['(exists key::"country")', { country: 'IE' }, true],
    ['(exists key::"country")', {}, false],
    ['(exists key::"country")', { country: '' }, false],
    ['(split pct::100 by::$userId)', { userId: 'any' }, true],
    ['(split pct::0 by::$userId)', { userId: 'any' }, false],
    ['(split pct::50 by::$userId)', {}, false],
  ] as const)('%s with %j is %s', (rule, context, expected) => {
    // Act
    const matched = evaluate(rule, context);

    // Assess
    expect(matched).toBe(expected);
  });

  it.each([
    ['eq $state "Virginia"', /unexpected "eq" at 0/],
    ['(eq $state "Virginia"', /never closed/],
    ['(equals $state "Virginia")', /unknown operator "equals"/],
    ['(eq $state)', /eq at 0 takes 2 operand/],
    ['(not)', /not at 0 takes 1 operand/],
    ['(split pct::120 by::$userId)', /pct:: must be 0-100/],
    ['(split by::$userId)', /split at 0 needs pct::/],
    ['(split pct::10 by::"userId")', /by:: must be a context value/],
    ['(matches in::$greeting pattern::"(")', /not a valid regular expression/],
    ['(eq $state "Virginia) ', /unterminated string/],
    ['(exists country)', /unexpected "country" at 8/],
    ['(eq $a 1) (eq $b 2)', /after the rule/],
    ['(in $userId [$other])', /constants only/],
  ])('refuses %s with a message that says where', (rule, message) => {
    // Act
    const parse = () => parseRule(rule);

    // Assess
    expect(parse).toThrow(RuleSyntaxError);
    expect(parse).toThrow(message);
  });

  it('lists the attributes a rule reads, exists keys included', () => {
    // Act
    const attributes = attributesOf(
      parseRule('(and (eq $tier "pro") (exists key::"country") (split pct::5 by::$targetingKey))'),
    );

    // Assess
    expect(attributes.sort()).toEqual(['country', 'targetingKey', 'tier']);
  });
});

describe('Function: split (consistent hashing)', () => {
  it('puts a key where rolloutPercent puts it: same flag seed, same bucket', () => {
    // Prepare
    const keys = Array.from({ length: 2000 }, (_, i) => `customer-${i}`);

    // Act
    const viaSplit = keys.filter((key) => evaluate('(split pct::25 by::$id)', { id: key }, 'new-checkout'));
    const viaRollout = keys.filter((key) => rolloutBucket('new-checkout', key) < 2500);

    // Assess
    expect(viaSplit).toEqual(viaRollout);
  });

  it('is stable across processes and releases: pinned buckets', () => {
    // The buckets below were computed once and are part of the contract: changing the hash moves
    // every customer of every running rollout.
    expect([
      rolloutBucket('new-checkout', 'customer-1'),
      rolloutBucket('new-checkout', 'customer-2'),
      rolloutBucket('checkout-theme', 'customer-1'),
    ]).toEqual(PINNED_BUCKETS);
  });

  it('pins the split rule itself: a key falls in at its bucket + 1 and out at its bucket, seeded or not', () => {
    // Prepare: buckets computed once (seed "launch" for the seeded rule, the flag key otherwise).
    const pinned: [rule: (pct: string) => string, context: RuleContext, flag: string, bucket: number][] = [
      [(pct) => `(split pct::${pct} by::$id seed::"launch")`, { id: 'customer-1' }, 'any-flag', 2938],
      [
        (pct) => `(split pct::${pct} by::$accountId seed::"launch")`,
        { accountId: 'account-7' },
        'other',
        644,
      ],
      // Any attribute, any scalar: a number is hashed as its text.
      [(pct) => `(split pct::${pct} by::$accountAgeDays)`, { accountAgeDays: 42 }, 'checkout-theme', 7565],
    ];

    // Act / Assess
    for (const [rule, context, flag, bucket] of pinned) {
      expect(evaluate(rule(((bucket + 1) / 100).toFixed(2)), context, flag)).toBe(true);
      expect(evaluate(rule((bucket / 100).toFixed(2)), context, flag)).toBe(false);
    }
    expect(evaluate('(split pct::75.66 by::$n)', { n: '42' }, 'checkout-theme')).toBe(true);
  });

  it('with seed:: splits a key the same way in every flag; without, per flag', () => {
    // Prepare
    const keys = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
    const seeded = (flag: string) =>
      keys.filter((key) => evaluate('(split pct::30 by::$id seed::"launch")', { id: key }, flag));
    const unseeded = (flag: string) =>
      keys.filter((key) => evaluate('(split pct::30 by::$id)', { id: key }, flag));

    // Act / Assess
    expect(seeded('flag-a')).toEqual(seeded('flag-b'));
    expect(unseeded('flag-a')).not.toEqual(unseeded('flag-b'));
  });

  it('gives a million keys each share within 0.5 percentage points (4 variants 10/20/30/40)', () => {
    // Prepare: cumulative splits, as AppConfig evaluates them in order.
    const evaluator = createFlagEvaluator({
      'four-way': {
        enabled: true,
        valueKind: 'string',
        variants: [
          JSON.stringify({ name: 'a', rule: '(split pct::10 by::$targetingKey)', value: 'a' }),
          JSON.stringify({ name: 'b', rule: '(split pct::30 by::$targetingKey)', value: 'b' }),
          JSON.stringify({ name: 'c', rule: '(split pct::60 by::$targetingKey)', value: 'c' }),
          JSON.stringify({ name: 'd', value: 'd' }),
        ],
      },
    });
    const counts: Record<string, number> = { a: 0, b: 0, c: 0, d: 0 };
    const total = 1_000_000;

    // Act
    for (let i = 0; i < total; i++) {
      counts[evaluator.value('four-way', 'none', { targetingKey: `k${i}` })]! += 1;
    }

    // Assess
    const share = (name: string) => (counts[name]! / total) * 100;
    expect(Math.abs(share('a') - 10)).toBeLessThan(0.5);
    expect(Math.abs(share('b') - 20)).toBeLessThan(0.5);
    expect(Math.abs(share('c') - 30)).toBeLessThan(0.5);
    expect(Math.abs(share('d') - 40)).toBeLessThan(0.5);
  });
});

describe('Class: FlagEvaluator (rule-based flags)', () => {
  const evaluator = createFlagEvaluator({
    'checkout-theme': {
      enabled: true,
      valueKind: 'string',
      variants: [
        JSON.stringify({ name: 'qa', rule: '(ends_with $targetingKey "-qa")', value: 'midnight' }),
        JSON.stringify({
          name: 'pro-veterans',
          rule: '(and (eq $tier "pro") (gte $accountAgeDays 30) (in $country ["IE", "GB"]))',
          value: 'midnight',
        }),
        JSON.stringify({ name: 'sample', rule: '(split pct::10 by::$targetingKey)', value: 'sunrise' }),
        JSON.stringify({ name: 'default', value: 'classic' }),
      ],
    },
    'beta-gate': {
      enabled: false,
      variants: [
        JSON.stringify({ name: 'beta', rule: '(contains $groups "beta")', enabled: true }),
        JSON.stringify({ name: 'off', enabled: false }),
      ],
    },
  });

  it('serves the first variant whose rule matches, in order', () => {
    // Act
    const qaProVeteran = evaluator.resolve('checkout-theme', {
      targetingKey: 'anna-qa',
      tier: 'pro',
      accountAgeDays: 90,
      country: 'IE',
    });

    // Assess: qa comes first, so it wins although pro-veterans matches too
    expect(qaProVeteran).toEqual({ on: true, reason: 'TARGETING_MATCH', variant: 'qa', served: 'midnight' });
  });

  it('reads every attribute of the context, not only the targeting key and groups', () => {
    // Act
    const served = evaluator.value('checkout-theme', 'x', {
      targetingKey: 'customer-1',
      tier: 'pro',
      accountAgeDays: 30,
      country: 'GB',
    });
    const tooYoung = evaluator.resolve('checkout-theme', {
      targetingKey: 'customer-1',
      tier: 'pro',
      accountAgeDays: 29,
      country: 'GB',
    });

    // Assess
    expect(served).toBe('midnight');
    expect(tooYoung?.variant).not.toBe('pro-veterans');
  });

  it('answers the default variant with reason DEFAULT when no rule matches, SPLIT for a split', () => {
    // Prepare: one key inside the 10 % sample and one outside it
    const keys = Array.from({ length: 200 }, (_, i) => `customer-${i}`);
    const inside = keys.find((key) => rolloutBucket('checkout-theme', key) < 1000)!;
    const outside = keys.find((key) => rolloutBucket('checkout-theme', key) >= 1000)!;

    // Act / Assess
    expect(evaluator.resolve('checkout-theme', { targetingKey: inside })).toEqual({
      on: true,
      reason: 'SPLIT',
      variant: 'sample',
      served: 'sunrise',
    });
    expect(evaluator.resolve('checkout-theme', { targetingKey: outside })).toEqual({
      on: true,
      reason: 'DEFAULT',
      variant: 'default',
      served: 'classic',
    });
    expect(evaluator.resolve('checkout-theme')?.variant).toBe('default');
  });

  it('takes a boolean variant flag on or off from the variant, not the served enabled', () => {
    // Act / Assess
    expect(evaluator.isEnabled('beta-gate', { groups: ['beta'] })).toBe(true);
    expect(evaluator.isEnabled('beta-gate', { groups: ['staff'] })).toBe(false);
    expect(evaluator.reason('beta-gate', { groups: ['beta'] })).toBe('TARGETING_MATCH');
  });

  it('refuses a document whose variants do not parse, naming the flag and attribute only', () => {
    // Act
    const unparsable = () =>
      createFlagEvaluator({
        broken: {
          enabled: true,
          variants: [JSON.stringify({ name: 'a', rule: '(eq $x "secret"' }), '{"name":"d"}'],
        },
      });
    const noDefault = () =>
      createFlagEvaluator({
        'no-default': { enabled: true, variants: [JSON.stringify({ name: 'a', rule: '(eq $x 1)' })] },
      });

    // Assess
    expect(unparsable).toThrow(InvalidConfigDocumentError);
    expect(unparsable).toThrow(/do not compile.*: broken\.variants$/);
    expect(unparsable).not.toThrow(/secret/);
    expect(noDefault).toThrow('no-default.variants');
  });
});

const PINNED_BUCKETS = [4586, 6173, 3600];
