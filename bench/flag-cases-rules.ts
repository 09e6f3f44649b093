/**
 * Definitions of the two rule-based bench cases (issue 16 item 4), wired into the case table of
 * `bench/flags-engine.ts` as `rules` and `split-4`.
 *
 * `steward` is the flags document the Steward engine compiles once (the data-plane form the AppConfig
 * agent serves, with the same rules AppConfig's `_variants` carry); `unleash` is the same definition
 * as unleash-client's documentation recommends it (strategy constraints and strategy variants, not
 * the legacy `userWithId` strategy), bootstrapped into its in-memory repository; Featurevisor's form
 * (segments, variations, allocation) sits in its datafile in `bench/flags-engine.ts`.
 * `ruleBenchContexts` are the contexts, the same objects for every engine (Steward and Featurevisor
 * read the attributes flat; for Unleash `toUnleashContext` moves them under `properties` and the
 * targeting key to `userId`). `expected` is the share of each answer over the context cycle
 * (`true`/`false`, or the served string), so an engine that evaluates the case differently is
 * caught rather than timed.
 */

const KEY_COUNT = 4096;
const TIERS = ['free', 'pro'] as const;
const COUNTRIES = ['IE', 'GB', 'FR', 'DE'] as const;

/** The context attributes every engine gets, cycling over 4096 customers. */
export interface RuleBenchContext {
  readonly targetingKey: string;
  readonly tier: string;
  readonly country: string;
  readonly accountAgeDays: number;
}

/** Built once, before timing: evaluation reads them, it does not build them. */
export const ruleBenchContexts: readonly RuleBenchContext[] = Array.from({ length: KEY_COUNT }, (_, i) => ({
  targetingKey: `customer-${i}`,
  tier: TIERS[i % 2]!,
  country: COUNTRIES[(i >> 1) % 4]!,
  accountAgeDays: (i * 7) % 120,
}));

/** Unleash's context for the same attributes. */
export function toUnleashContext(context: RuleBenchContext): {
  userId: string;
  properties: Record<string, string>;
} {
  return {
    userId: context.targetingKey,
    properties: {
      tier: context.tier,
      country: context.country,
      accountAgeDays: String(context.accountAgeDays),
    },
  };
}

const RULE = '(and (eq $tier "pro") (gte $accountAgeDays 30) (in $country ["IE", "GB"]))';

/** Case "rules": one variant behind a rule of three conditions, the default otherwise (a boolean flag). */
export const rulesCase = {
  name: 'rules (3 conditions)',
  flag: 'pro-veterans',
  steward: {
    'pro-veterans': {
      enabled: true,
      owner: 'team-bench',
      type: 'release',
      variants: [
        JSON.stringify({ name: 'on', rule: RULE, enabled: true }),
        JSON.stringify({ name: 'off', enabled: false }),
      ],
    },
  },
  unleash: {
    name: 'pro-veterans',
    enabled: true,
    type: 'release',
    project: 'default',
    stale: false,
    impressionData: false,
    strategies: [
      {
        name: 'default',
        parameters: {},
        constraints: [
          { contextName: 'tier', operator: 'IN', values: ['pro'], caseInsensitive: false, inverted: false },
          { contextName: 'accountAgeDays', operator: 'NUM_GTE', value: '30', inverted: false },
          {
            contextName: 'country',
            operator: 'IN',
            values: ['IE', 'GB'],
            caseInsensitive: false,
            inverted: false,
          },
        ],
      },
    ],
    variants: [],
  },
  /** 784 of the 4096 contexts are pro, at least 30 days old and in IE or GB (`countProVeterans` counts them). */
  expected: { true: 784 / 4096, false: 1 - 784 / 4096 },
} as const;

/**
 * Case "split 4": four variants by consistent hashing of the targeting key, 25 % each. In AppConfig's
 * language the splits are cumulative (first match wins: 25, 50, 75, default), so each takes 25 %.
 */
export const fourWaySplitCase = {
  name: '4-variant split',
  flag: 'checkout-copy',
  steward: {
    'checkout-copy': {
      enabled: true,
      owner: 'team-bench',
      type: 'experiment',
      valueKind: 'string',
      variants: [
        JSON.stringify({ name: 'a', rule: '(split pct::25 by::$targetingKey)', value: 'Buy now' }),
        JSON.stringify({ name: 'b', rule: '(split pct::50 by::$targetingKey)', value: 'Complete order' }),
        JSON.stringify({ name: 'c', rule: '(split pct::75 by::$targetingKey)', value: 'Pay' }),
        JSON.stringify({ name: 'd', value: 'Checkout' }),
      ],
    },
  },
  unleash: {
    name: 'checkout-copy',
    enabled: true,
    type: 'experiment',
    project: 'default',
    stale: false,
    impressionData: false,
    strategies: [
      {
        name: 'flexibleRollout',
        parameters: { rollout: '100', stickiness: 'userId', groupId: 'checkout-copy' },
        constraints: [],
        variants: ['a', 'b', 'c', 'd'].map((name, i) => ({
          name,
          weight: 250,
          weightType: 'variable',
          stickiness: 'userId',
          payload: { type: 'string', value: ['Buy now', 'Complete order', 'Pay', 'Checkout'][i]! },
        })),
      },
    ],
    variants: [],
  },
  /** Each variant about a quarter of the cycle (4096 keys: within a few percent). */
  expected: { 'Buy now': 0.25, 'Complete order': 0.25, Pay: 0.25, Checkout: 0.25 },
} as const;

/** The rule of the `rules` case in plain TypeScript, so its expected share is counted, not trusted. */
export function countProVeterans(contexts: readonly RuleBenchContext[]): number {
  return contexts.filter(
    (c) => c.tier === 'pro' && c.accountAgeDays >= 30 && (c.country === 'IE' || c.country === 'GB'),
  ).length;
}
