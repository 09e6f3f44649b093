/**
 * One flag engine, one case, in a process of its own (started by bench/flags.ts), so no engine
 * warms or deoptimises the JIT for another. Each engine gets the same flag definitions, expressed
 * the way its documentation recommends, and the same contexts (generated once by the parent).
 *
 * `node --import tsx bench/flags-engine.ts <engine> <case> <contexts.json>` prints one JSON line:
 * evaluations per second and the share of contexts per answer (a check that the definitions agree).
 */
import { readFileSync } from 'node:fs';
import { createInstance } from '@featurevisor/sdk';
import {
  type EvaluationContext,
  OpenFeature,
  type Provider,
  type ResolutionDetails,
} from '@openfeature/server-sdk';
import { InMemStorageProvider, Unleash } from 'unleash-client';
import { createFlagEvaluator, loadRuleEngine } from '../packages/client/src/flag-evaluator.ts';
import { StewardFlagProvider } from '../packages/client/src/openfeature.ts';
import { fourWaySplitCase, type RuleBenchContext, rulesCase, toUnleashContext } from './flag-cases-rules.ts';

/**
 * What the parent generates once: the targeting keys every engine evaluates, the allow-list, and
 * the customers with the attributes the rule-based cases read (the same targeting keys).
 */
export interface BenchContexts {
  readonly keys: readonly string[];
  readonly allowList: readonly string[];
  readonly customers: readonly RuleBenchContext[];
}

/**
 * The cases, one flag each (its key is the case name, except where a rule case names its flag):
 * a boolean flag on for everyone, a 25 % rollout, an allow-list, a rule with three conditions
 * (bench/flag-cases-rules.ts) and a 4-variant split (25 % each, a string flag).
 * New cases: add the name here and a definition in every engine below.
 */
export const CASES = ['boolean', 'rollout', 'allow-list', 'rules', 'split-4'] as const;
export type CaseName = (typeof CASES)[number];

/** The flag key each case evaluates. */
const FLAG_OF: Readonly<Record<CaseName, string>> = {
  boolean: 'boolean',
  rollout: 'rollout',
  'allow-list': 'allow-list',
  rules: rulesCase.flag,
  'split-4': fourWaySplitCase.flag,
};

/** Cases whose answer is a string (the variant's value), not on/off. */
const STRING_CASES: ReadonlySet<CaseName> = new Set(['split-4']);

export const ENGINES = [
  'steward direct API',
  'unleash-client direct API',
  'featurevisor direct API',
  'steward provider via OpenFeature',
  'unleash provider via OpenFeature',
  'featurevisor provider via OpenFeature',
] as const;
export type EngineName = (typeof ENGINES)[number];

/** What one (engine, case) process reports: its rate, and the share of contexts per answer. */
export interface EngineResult {
  readonly opsPerSecond: number;
  /** Answer (`true`/`false` or the served string) → share of the 4,096 contexts, counted before timing. */
  readonly shares: Readonly<Record<string, number>>;
}

const RUN_NS = 300_000_000n;

type Answer = boolean | string;

/** The share of the contexts that gets each answer: one pass over the cycle, outside the timing. */
function sharesOf(answers: readonly Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const answer of answers) counts[String(answer)] = (counts[String(answer)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).map(([answer, n]) => [answer, n / answers.length]));
}

/**
 * Ops per second of a synchronous evaluation, in batches until RUN_NS has passed (after a warm-up).
 * Every answer is compared with the first so the JIT cannot drop the call.
 */
function measure(evaluate: (i: number) => Answer, contexts: number): EngineResult {
  const shares = sharesOf(Array.from({ length: contexts }, (_, i) => evaluate(i)));
  const first = evaluate(0);
  for (let i = 0; i < 200_000; i++) evaluate(i);
  let same = 0;
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed: bigint;
  do {
    for (let i = 0; i < 100_000; i++) if (evaluate(ops + i) === first) same++;
    ops += 100_000;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < RUN_NS);
  if (same > ops) throw new Error('unreachable: keeps `same` alive');
  return { opsPerSecond: (ops * 1e9) / Number(elapsed), shares };
}

/** The same for an awaited evaluation (every engine behind the OpenFeature client is awaited alike). */
async function measureAwaited(
  evaluate: (i: number) => Promise<Answer>,
  contexts: number,
): Promise<EngineResult> {
  const answers: Answer[] = [];
  for (let i = 0; i < contexts; i++) answers.push(await evaluate(i));
  const shares = sharesOf(answers);
  const first = answers[0];
  for (let i = 0; i < 20_000; i++) await evaluate(i);
  let same = 0;
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed: bigint;
  do {
    for (let i = 0; i < 10_000; i++) if ((await evaluate(ops + i)) === first) same++;
    ops += 10_000;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < RUN_NS);
  if (same > ops) throw new Error('unreachable: keeps `same` alive');
  return { opsPerSecond: (ops * 1e9) / Number(elapsed), shares };
}

/** Steward's document: the simple forms, and the rule-based cases in the data-plane form the agent serves. */
async function stewardFlags({ allowList }: BenchContexts) {
  await loadRuleEngine(); // the rule language loads on demand; outside the timing
  return createFlagEvaluator({
    boolean: { enabled: true, owner: 'bench', type: 'release' },
    rollout: { enabled: true, owner: 'bench', type: 'release', rolloutPercent: 25 },
    'allow-list': { enabled: true, owner: 'bench', type: 'permission', allow: [...allowList] },
    ...rulesCase.steward,
    ...fourWaySplitCase.steward,
  });
}

/**
 * Unleash as its docs recommend: a 25 % `flexibleRollout` with default stickiness, the allow-list
 * and the three conditions as constraints on the default strategy (not the legacy `userWithId`
 * strategy), the 4-variant split as strategy variants on a 100 % rollout. Bootstrapped, no
 * server, no polling, no metrics.
 */
async function startUnleash({ allowList }: BenchContexts): Promise<Unleash> {
  const feature = (
    name: string,
    strategy: { name: string; parameters: Record<string, string>; constraints?: unknown[] },
  ) => ({
    name,
    enabled: true,
    type: 'release',
    project: 'default',
    stale: false,
    impressionData: false,
    strategies: [{ constraints: [], ...strategy }],
    variants: [],
  });
  const unleash = new Unleash({
    appName: 'steward-bench',
    url: 'http://127.0.0.1:9/api/', // never called: polling is off and the features are bootstrapped
    refreshInterval: 0,
    disableMetrics: true,
    skipInstanceCountWarning: true,
    storageProvider: new InMemStorageProvider(),
    bootstrap: {
      data: [
        feature('boolean', { name: 'default', parameters: {} }),
        feature('rollout', {
          name: 'flexibleRollout',
          parameters: { rollout: '25', stickiness: 'default', groupId: 'rollout' },
        }),
        feature('allow-list', {
          name: 'default',
          parameters: {},
          constraints: [
            {
              contextName: 'userId',
              operator: 'IN',
              values: [...allowList],
              caseInsensitive: false,
              inverted: false,
            },
          ],
        }),
        rulesCase.unleash,
        fourWaySplitCase.unleash,
      ] as never,
    },
  });
  await new Promise<void>((resolve, reject) => {
    unleash.once('ready', () => resolve());
    unleash.once('error', reject);
  });
  return unleash;
}

const SPLIT_VALUES = ['Buy now', 'Complete order', 'Pay', 'Checkout'] as const;

/**
 * Featurevisor as its docs show: a datafile (schema v2) with `bucketBy: userId`, traffic
 * percentages out of 100,000, the allow-list and the three conditions as segments, and the
 * 4-variant split as variations with an allocation of 25,000 each.
 */
function startFeaturevisor({ allowList }: BenchContexts) {
  const everyone = (key: string, percentage: number) => ({
    key,
    bucketBy: 'userId',
    traffic: [{ key: 'everyone', segments: '*', percentage }],
  });
  const onlyFor = (key: string, segment: string) => ({
    key,
    bucketBy: 'userId',
    traffic: [
      { key: segment, segments: segment, percentage: 100_000 },
      { key: 'everyone-else', segments: '*', percentage: 0 },
    ],
  });
  return createInstance({
    logLevel: 'error',
    datafile: {
      schemaVersion: '2',
      revision: 'bench',
      segments: {
        listed: {
          key: 'listed',
          conditions: [{ attribute: 'userId', operator: 'in', value: [...allowList] }],
        },
        'pro-veterans': {
          key: 'pro-veterans',
          conditions: {
            and: [
              { attribute: 'tier', operator: 'equals', value: 'pro' },
              { attribute: 'accountAgeDays', operator: 'greaterThanOrEquals', value: 30 },
              { attribute: 'country', operator: 'in', value: ['IE', 'GB'] },
            ],
          },
        },
      },
      features: {
        boolean: everyone('boolean', 100_000),
        rollout: everyone('rollout', 25_000),
        'allow-list': onlyFor('allow-list', 'listed'),
        [rulesCase.flag]: onlyFor(rulesCase.flag, 'pro-veterans'),
        [fourWaySplitCase.flag]: {
          key: fourWaySplitCase.flag,
          bucketBy: 'userId',
          variations: SPLIT_VALUES.map((value) => ({ value, weight: 25 })),
          traffic: [
            {
              key: 'everyone',
              segments: '*',
              percentage: 100_000,
              allocation: SPLIT_VALUES.map((variation, i) => ({
                variation,
                range: [i * 25_000, (i + 1) * 25_000],
              })),
            },
          ],
        },
      },
    } as never,
  });
}

/**
 * An in-process OpenFeature provider over a peer's SDK, written the way the SDKs' docs map a
 * context (targeting key → `userId`, the other attributes where the SDK wants them; only the
 * attributes a case reads are mapped). Neither peer publishes a Node.js server provider on npm
 * (`@openfeature/unleash-web-provider` is for browsers), so this is the fairest stand-in. It answers
 * the value only; Steward's provider also computes a reason, variant and metadata, which costs it a
 * little.
 */
class PeerProvider<C> implements Provider {
  readonly runsOn = 'server' as const;
  constructor(
    readonly metadata: { readonly name: string },
    private readonly toContext: (context: EvaluationContext) => C,
    private readonly isEnabled: (flag: string, context: C) => boolean,
    private readonly variantOf: (flag: string, context: C) => string,
  ) {}
  resolveBooleanEvaluation(
    flagKey: string,
    _defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve({ value: this.isEnabled(flagKey, this.toContext(context)) });
  }
  resolveStringEvaluation(
    flagKey: string,
    _defaultValue: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    return Promise.resolve({ value: this.variantOf(flagKey, this.toContext(context)) });
  }
  resolveNumberEvaluation(): Promise<ResolutionDetails<number>> {
    throw new Error('boolean and string flags only in this bench');
  }
  resolveObjectEvaluation<T>(): Promise<ResolutionDetails<T>> {
    throw new Error('boolean and string flags only in this bench');
  }
}

/** An OpenFeature context as the rule case's customer (every attribute a string or number). */
const asCustomer = (context: EvaluationContext) => context as unknown as RuleBenchContext;

async function throughOpenFeature(
  provider: Provider,
  flagCase: CaseName,
  contexts: readonly EvaluationContext[],
): Promise<EngineResult> {
  await OpenFeature.setProviderAndWait(provider);
  const client = OpenFeature.getClient();
  const flag = FLAG_OF[flagCase];
  const mask = contexts.length - 1;
  const result = STRING_CASES.has(flagCase)
    ? await measureAwaited((i) => client.getStringValue(flag, 'none', contexts[i & mask]), contexts.length)
    : await measureAwaited((i) => client.getBooleanValue(flag, false, contexts[i & mask]), contexts.length);
  await OpenFeature.close();
  return result;
}

/** The contexts of a case: the rule-based cases carry every attribute, the others the targeting key. */
function stewardContexts(flagCase: CaseName, { keys, customers }: BenchContexts): EvaluationContext[] {
  return flagCase === 'rules'
    ? customers.map((customer) => ({ ...customer }))
    : keys.map((targetingKey) => ({ targetingKey }));
}

/** The same contexts as each peer's docs spell them (Unleash: `properties`; Featurevisor: flat). */
function unleashContexts(flagCase: CaseName, { keys, customers }: BenchContexts) {
  return flagCase === 'rules' ? customers.map(toUnleashContext) : keys.map((userId) => ({ userId }));
}

function featurevisorContexts(flagCase: CaseName, { keys, customers }: BenchContexts) {
  return flagCase === 'rules'
    ? customers.map(({ targetingKey, ...attributes }) => ({ userId: targetingKey, ...attributes }))
    : keys.map((userId) => ({ userId }));
}

export async function runEngine(
  engine: EngineName,
  flagCase: CaseName,
  contexts: BenchContexts,
): Promise<EngineResult> {
  const flag = FLAG_OF[flagCase];
  const asString = STRING_CASES.has(flagCase);
  const count = contexts.keys.length;
  const mask = count - 1; // a power of two
  switch (engine) {
    case 'steward direct API': {
      const flags = await stewardFlags(contexts);
      const ctx = stewardContexts(flagCase, contexts);
      return asString
        ? measure((i) => flags.value(flag, 'none', ctx[i & mask]), count)
        : measure((i) => flags.isEnabled(flag, ctx[i & mask]), count);
    }
    case 'unleash-client direct API': {
      const unleash = await startUnleash(contexts);
      const ctx = unleashContexts(flagCase, contexts);
      const result = asString
        ? measure((i) => unleash.getVariant(flag, ctx[i & mask]).payload?.value ?? 'none', count)
        : measure((i) => unleash.isEnabled(flag, ctx[i & mask]), count);
      unleash.destroy();
      return result;
    }
    case 'featurevisor direct API': {
      const f = startFeaturevisor(contexts);
      const ctx = featurevisorContexts(flagCase, contexts);
      return asString
        ? measure((i) => String(f.getVariation(flag, ctx[i & mask]) ?? 'none'), count)
        : measure((i) => f.isEnabled(flag, ctx[i & mask]), count);
    }
    case 'steward provider via OpenFeature':
      return throughOpenFeature(
        new StewardFlagProvider({ flags: await stewardFlags(contexts) }),
        flagCase,
        stewardContexts(flagCase, contexts),
      );
    case 'unleash provider via OpenFeature': {
      const unleash = await startUnleash(contexts);
      const result = await throughOpenFeature(
        new PeerProvider(
          { name: 'unleash-client (in-process)' },
          flagCase === 'rules'
            ? (context) => toUnleashContext(asCustomer(context))
            : (context) => ({ userId: context.targetingKey }),
          (f, context) => unleash.isEnabled(f, context),
          (f, context) => unleash.getVariant(f, context).payload?.value ?? 'none',
        ),
        flagCase,
        stewardContexts(flagCase, contexts),
      );
      unleash.destroy();
      return result;
    }
    case 'featurevisor provider via OpenFeature': {
      const f = startFeaturevisor(contexts);
      return throughOpenFeature(
        new PeerProvider(
          { name: 'featurevisor (in-process)' },
          flagCase === 'rules'
            ? (context) => {
                const { targetingKey, tier, country, accountAgeDays } = asCustomer(context);
                return { userId: targetingKey, tier, country, accountAgeDays };
              }
            : (context) => ({ userId: context.targetingKey }),
          (flagKey, context) => f.isEnabled(flagKey, context),
          (flagKey, context) => String(f.getVariation(flagKey, context) ?? 'none'),
        ),
        flagCase,
        stewardContexts(flagCase, contexts),
      );
    }
  }
}

if (process.argv[1]?.endsWith('flags-engine.ts')) {
  const [engine, flagCase, contextsFile] = process.argv.slice(2) as [EngineName, CaseName, string];
  const contexts = JSON.parse(readFileSync(contextsFile, 'utf8')) as BenchContexts;
  const result = await runEngine(engine, flagCase, contexts);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
