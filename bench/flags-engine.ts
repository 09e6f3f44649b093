/**
 * One flag engine, one case, in a process of its own (started by bench/flags.ts), so no engine
 * warms or deoptimises the JIT for another. Each engine gets the same flag definitions, expressed
 * the way its documentation recommends, and the same contexts (generated once by the parent).
 *
 * `node --import tsx bench/flags-engine.ts <engine> <case> <contexts.json>` prints one JSON line:
 * evaluations per second and how many evaluations answered true (a check that the definitions agree).
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
import { createFlagEvaluator } from '../packages/client/src/flag-evaluator.ts';
import { StewardFlagProvider } from '../packages/client/src/openfeature.ts';

/** What the parent generates once: the targeting keys every engine evaluates, and the allow-list. */
export interface BenchContexts {
  readonly keys: readonly string[];
  readonly allowList: readonly string[];
}

/**
 * The cases, one flag each (its key is the case name). After the rule-based flags land (issue 16),
 * add their rows here and in every engine's definitions below:
 *   'rules'   — a rule with three conditions (e.g. tier = pro AND country IN [...] AND accountAgeDays >= 30)
 *   'split-4' — a 4-variant split by targeting key (25/25/25/25)
 * and their contexts' extra attributes in BenchContexts.
 */
export const CASES = ['boolean', 'rollout', 'allow-list'] as const;
export type CaseName = (typeof CASES)[number];

export const ENGINES = [
  'steward direct API',
  'unleash-client direct API',
  'featurevisor direct API',
  'steward provider via OpenFeature',
  'unleash provider via OpenFeature',
  'featurevisor provider via OpenFeature',
] as const;
export type EngineName = (typeof ENGINES)[number];

const RUN_NS = 300_000_000n;

/** Ops per second of a synchronous evaluation, in batches until RUN_NS has passed (after a warm-up). */
function measure(evaluate: (i: number) => boolean): { opsPerSecond: number; trueRate: number } {
  for (let i = 0; i < 200_000; i++) evaluate(i);
  let hits = 0;
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed: bigint;
  do {
    for (let i = 0; i < 100_000; i++) if (evaluate(ops + i)) hits++;
    ops += 100_000;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < RUN_NS);
  return { opsPerSecond: (ops * 1e9) / Number(elapsed), trueRate: hits / ops };
}

/** The same for an awaited evaluation (every engine behind the OpenFeature client is awaited alike). */
async function measureAwaited(
  evaluate: (i: number) => Promise<boolean>,
): Promise<{ opsPerSecond: number; trueRate: number }> {
  for (let i = 0; i < 20_000; i++) await evaluate(i);
  let hits = 0;
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed: bigint;
  do {
    for (let i = 0; i < 10_000; i++) if (await evaluate(ops + i)) hits++;
    ops += 10_000;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < RUN_NS);
  return { opsPerSecond: (ops * 1e9) / Number(elapsed), trueRate: hits / ops };
}

function stewardFlags({ allowList }: BenchContexts) {
  return createFlagEvaluator({
    boolean: { enabled: true, owner: 'bench', type: 'release' },
    rollout: { enabled: true, owner: 'bench', type: 'release', rolloutPercent: 25 },
    'allow-list': { enabled: true, owner: 'bench', type: 'permission', allow: [...allowList] },
  });
}

/**
 * Unleash as its docs recommend: a 25 % `flexibleRollout` with default stickiness, and the
 * allow-list as a constraint (`userId IN [...]`) on the default strategy, not the legacy
 * `userWithId` strategy. Bootstrapped, no server, no polling, no metrics.
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
      ] as never,
    },
  });
  await new Promise<void>((resolve, reject) => {
    unleash.once('ready', () => resolve());
    unleash.once('error', reject);
  });
  return unleash;
}

/**
 * Featurevisor as its docs show: a datafile (schema v2) with `bucketBy: userId`, traffic
 * percentages out of 100,000, and the allow-list as a segment (`userId in [...]`).
 */
function startFeaturevisor({ allowList }: BenchContexts) {
  const everyone = (key: string, percentage: number) => ({
    key,
    bucketBy: 'userId',
    traffic: [{ key: 'everyone', segments: '*', percentage }],
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
      },
      features: {
        boolean: everyone('boolean', 100_000),
        rollout: everyone('rollout', 25_000),
        'allow-list': {
          key: 'allow-list',
          bucketBy: 'userId',
          traffic: [
            { key: 'listed', segments: 'listed', percentage: 100_000 },
            { key: 'everyone-else', segments: '*', percentage: 0 },
          ],
        },
      },
    } as never,
  });
}

/**
 * An in-process OpenFeature provider over a peer's SDK, written the way the SDKs' docs map a
 * context (targeting key → `userId`). Neither peer publishes a Node.js server provider on npm
 * (`@openfeature/unleash-web-provider` is for browsers), so this is the fairest stand-in. It
 * answers the value only; Steward's provider also computes a reason, which costs it a little.
 */
class PeerProvider implements Provider {
  readonly runsOn = 'server' as const;
  constructor(
    readonly metadata: { readonly name: string },
    private readonly isEnabled: (flag: string, userId: string | undefined) => boolean,
  ) {}
  resolveBooleanEvaluation(
    flagKey: string,
    _defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve({ value: this.isEnabled(flagKey, context.targetingKey) });
  }
  resolveStringEvaluation(): Promise<ResolutionDetails<string>> {
    throw new Error('boolean flags only in this bench');
  }
  resolveNumberEvaluation(): Promise<ResolutionDetails<number>> {
    throw new Error('boolean flags only in this bench');
  }
  resolveObjectEvaluation<T>(): Promise<ResolutionDetails<T>> {
    throw new Error('boolean flags only in this bench');
  }
}

async function throughOpenFeature(provider: Provider, flag: string, keys: readonly string[]) {
  await OpenFeature.setProviderAndWait(provider);
  const client = OpenFeature.getClient();
  const contexts: EvaluationContext[] = keys.map((targetingKey) => ({ targetingKey }));
  const mask = keys.length - 1;
  const result = await measureAwaited((i) => client.getBooleanValue(flag, false, contexts[i & mask]));
  await OpenFeature.close();
  return result;
}

export async function runEngine(engine: EngineName, flag: CaseName, contexts: BenchContexts) {
  const { keys } = contexts;
  const mask = keys.length - 1; // keys.length is a power of two
  switch (engine) {
    case 'steward direct API': {
      const flags = stewardFlags(contexts);
      const ctx = keys.map((targetingKey) => ({ targetingKey }));
      return measure((i) => flags.isEnabled(flag, ctx[i & mask]));
    }
    case 'unleash-client direct API': {
      const unleash = await startUnleash(contexts);
      const ctx = keys.map((userId) => ({ userId }));
      const result = measure((i) => unleash.isEnabled(flag, ctx[i & mask]));
      unleash.destroy();
      return result;
    }
    case 'featurevisor direct API': {
      const f = startFeaturevisor(contexts);
      const ctx = keys.map((userId) => ({ userId }));
      return measure((i) => f.isEnabled(flag, ctx[i & mask]));
    }
    case 'steward provider via OpenFeature':
      return throughOpenFeature(new StewardFlagProvider({ flags: stewardFlags(contexts) }), flag, keys);
    case 'unleash provider via OpenFeature': {
      const unleash = await startUnleash(contexts);
      const result = await throughOpenFeature(
        new PeerProvider({ name: 'unleash-client (in-process)' }, (f, userId) =>
          unleash.isEnabled(f, { userId }),
        ),
        flag,
        keys,
      );
      unleash.destroy();
      return result;
    }
    case 'featurevisor provider via OpenFeature': {
      const f = startFeaturevisor(contexts);
      return throughOpenFeature(
        new PeerProvider({ name: 'featurevisor (in-process)' }, (flagKey, userId) =>
          f.isEnabled(flagKey, { userId }),
        ),
        flag,
        keys,
      );
    }
  }
}

if (process.argv[1]?.endsWith('flags-engine.ts')) {
  const [engine, flag, contextsFile] = process.argv.slice(2) as [EngineName, CaseName, string];
  const contexts = JSON.parse(readFileSync(contextsFile, 'utf8')) as BenchContexts;
  const result = await runEngine(engine, flag, contexts);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}
