/**
 * Flag evaluations per second, single-threaded: a boolean flag, a 25% rollout and an allow-list,
 * evaluated by Steward's client, by `unleash-client`'s local evaluation (bootstrapped, no server) and
 * by OpenFeature's `InMemoryProvider` through an OpenFeature client, with the ratios.
 */

import { PerformanceObserver } from 'node:perf_hooks';
import { type EvaluationContext, InMemoryProvider, OpenFeature } from '@openfeature/server-sdk';
import { InMemStorageProvider, Unleash } from 'unleash-client';
import {
  createFlagEvaluator,
  type FlagContext,
  rolloutBucket,
} from '../packages/client/src/flag-evaluator.ts';
import { StewardFlagProvider } from '../packages/client/src/openfeature.ts';

const KEY_COUNT = 4096;
const MASK = KEY_COUNT - 1;
const RUN_NS = 400_000_000n;
const keys = Array.from({ length: KEY_COUNT }, (_, i) => `customer-${i}`);
const allowList = keys.filter((_, i) => i % 64 === 0); // 64 listed customers, 1 in 64 evaluations matches

/** Ops per second of a synchronous evaluation, run in batches until RUN_NS has passed. */
function measure(evaluate: (i: number) => boolean): { opsPerSecond: number; hits: number } {
  let hits = 0;
  for (let i = 0; i < 200_000; i++) if (evaluate(i)) hits++; // warm-up: let the JIT settle
  const batch = 1_000_000;
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed: bigint;
  do {
    for (let i = 0; i < batch; i++) if (evaluate(i)) hits++;
    ops += batch;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < RUN_NS);
  return { opsPerSecond: (ops * 1e9) / Number(elapsed), hits };
}

async function measureAsync(
  evaluate: (i: number) => Promise<boolean>,
): Promise<{ opsPerSecond: number; hits: number }> {
  let hits = 0;
  for (let i = 0; i < 20_000; i++) if (await evaluate(i)) hits++;
  const batch = 20_000;
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed: bigint;
  do {
    for (let i = 0; i < batch; i++) if (await evaluate(i)) hits++;
    ops += batch;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < RUN_NS);
  return { opsPerSecond: (ops * 1e9) / Number(elapsed), hits };
}

async function startUnleash(): Promise<Unleash> {
  const feature = (name: string, strategy: { name: string; parameters: Record<string, string> }) => ({
    name,
    enabled: true,
    type: 'release',
    project: 'default',
    stale: false,
    impressionData: false,
    strategies: [{ ...strategy, constraints: [] }],
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
        feature('allow-list', { name: 'userWithId', parameters: { userIds: allowList.join(',') } }),
      ] as never,
    },
  });
  await new Promise<void>((resolve, reject) => {
    unleash.once('ready', () => resolve());
    unleash.once('error', reject);
  });
  return unleash;
}

const format = (n: number) => Math.round(n).toLocaleString('en-US');

/** Garbage collections while `work` runs: none means the evaluations allocated nothing worth collecting. */
async function countCollections<T>(work: () => T): Promise<{ result: T; collections: number }> {
  let collections = 0;
  const observer = new PerformanceObserver((list) => {
    collections += list.getEntries().length;
  });
  observer.observe({ entryTypes: ['gc'] });
  const result = work();
  // GC entries are delivered asynchronously; give the observer time to receive them.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  return { result, collections };
}

export async function run(): Promise<void> {
  const steward = createFlagEvaluator({
    boolean: { enabled: true, owner: 'bench', type: 'release' },
    rollout: { enabled: true, owner: 'bench', type: 'release', rolloutPercent: 25 },
    'allow-list': { enabled: true, owner: 'bench', type: 'permission', allow: allowList },
  });
  const stewardContexts: FlagContext[] = keys.map((targetingKey) => ({ targetingKey }));

  const unleash = await startUnleash();
  const unleashContexts = keys.map((userId) => ({ userId }));

  const listed = new Set(allowList);
  const inMemoryProvider = new InMemoryProvider({
    boolean: { variants: { on: true, off: false }, defaultVariant: 'on', disabled: false },
    rollout: {
      variants: { on: true, off: false },
      defaultVariant: 'off',
      disabled: false,
      // InMemoryProvider has no rollouts: the same consistent hash, written as a context evaluator.
      contextEvaluator: (ctx) =>
        ctx.targetingKey && rolloutBucket('rollout', ctx.targetingKey) < 2500 ? 'on' : 'off',
    },
    'allow-list': {
      variants: { on: true, off: false },
      defaultVariant: 'off',
      disabled: false,
      contextEvaluator: (ctx) => (ctx.targetingKey && listed.has(ctx.targetingKey) ? 'on' : 'off'),
    },
  });
  await OpenFeature.setProviderAndWait('in-memory', inMemoryProvider);
  await OpenFeature.setProviderAndWait('steward', new StewardFlagProvider({ flags: steward }));
  const inMemory = OpenFeature.getClient('in-memory');
  const stewardOpenFeature = OpenFeature.getClient('steward');
  const openFeatureContexts: EvaluationContext[] = keys.map((targetingKey) => ({ targetingKey }));

  const cases = [
    { name: 'boolean flag', flag: 'boolean', context: false },
    { name: '25% rollout', flag: 'rollout', context: true },
    { name: 'allow-list', flag: 'allow-list', context: true },
  ] as const;

  const rows: string[][] = [];
  for (const { name, flag, context } of cases) {
    const { result: ours, collections } = await countCollections(() =>
      context
        ? measure((i) => steward.isEnabled(flag, stewardContexts[i & MASK]))
        : measure(() => steward.isEnabled(flag)),
    );
    const theirs = measure((i) => unleash.isEnabled(flag, unleashContexts[i & MASK]));
    const memory = await measureAsync((i) =>
      inMemory.getBooleanValue(flag, false, openFeatureContexts[i & MASK]),
    );
    // The provider alone, without the OpenFeature client's hooks and bookkeeping.
    const memoryDirect = await measureAsync(async (i) => {
      const details = await inMemoryProvider.resolveBooleanEvaluation(
        flag,
        false,
        openFeatureContexts[i & MASK],
      );
      return details.value;
    });
    const oursThroughOpenFeature = await measureAsync((i) =>
      stewardOpenFeature.getBooleanValue(flag, false, openFeatureContexts[i & MASK]),
    );
    rows.push([
      name,
      format(ours.opsPerSecond),
      format(theirs.opsPerSecond),
      format(memory.opsPerSecond),
      format(memoryDirect.opsPerSecond),
      format(oursThroughOpenFeature.opsPerSecond),
      `${(ours.opsPerSecond / theirs.opsPerSecond).toFixed(1)}x`,
      `${(ours.opsPerSecond / memory.opsPerSecond).toFixed(1)}x`,
      `${(ours.opsPerSecond / memoryDirect.opsPerSecond).toFixed(1)}x`,
      `${(oursThroughOpenFeature.opsPerSecond / memory.opsPerSecond).toFixed(2)}x`,
      String(collections),
    ]);
  }
  unleash.destroy();
  await OpenFeature.close();

  const header = [
    'case',
    'steward evals/s',
    'unleash evals/s',
    'OF in-memory evals/s',
    'in-memory provider evals/s',
    'steward via OF evals/s',
    'vs unleash',
    'vs OF in-memory',
    'vs in-memory provider',
    'OF: steward vs in-memory',
    'GCs during steward run',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(
    'Flag evaluations per second, single-threaded (OF = through the OpenFeature server SDK client, awaited; provider = its resolveBooleanEvaluation, awaited)',
  );
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(row));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
