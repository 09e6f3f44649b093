/**
 * Flag evaluations per second, single-threaded, each (engine, case) in a fresh process of its own
 * (bench/flags-engine.ts), with the same contexts generated once here and handed to every engine.
 *
 * Two tables, never mixed:
 * - the headline, provider against provider through the same OpenFeature server SDK client
 *   (awaited alike): Steward's OpenFeature provider against in-process providers over
 *   unleash-client and @featurevisor/sdk (neither publishes a Node.js server provider on npm);
 * - each SDK's own direct API (synchronous calls), Steward's labelled as such.
 * `--runs N` (default 3) processes per cell, reported as median ± half the spread.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { type BenchContexts, CASES, type CaseName, type EngineName, ENGINES } from './flags-engine.ts';

const exec = promisify(execFile);
const KEY_COUNT = 4096; // a power of two: engines pick a context with `i & (KEY_COUNT - 1)`

/** The contexts every engine evaluates: 4,096 customers, 64 of them on the allow-list (1 in 64). */
function generateContexts(): BenchContexts {
  const keys = Array.from({ length: KEY_COUNT }, (_, i) => `customer-${i}`);
  return { keys, allowList: keys.filter((_, i) => i % 64 === 0) };
}

interface Sample {
  readonly opsPerSecond: number;
  readonly trueRate: number;
}

async function sample(engine: EngineName, flag: CaseName, contextsFile: string): Promise<Sample> {
  const { stdout } = await exec(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'flags-engine.ts'), engine, flag, contextsFile],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Sample;
}

function runsOption(argv: readonly string[]): number {
  const at = argv.indexOf('--runs');
  const runs = at >= 0 ? Number(argv[at + 1]) : 3;
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs takes a whole number ≥ 1, got ${argv[at + 1]}`);
  return runs;
}

function summarise(values: readonly number[]): { median: number; spread: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, spread: sorted[sorted.length - 1]! - sorted[0]! };
}

const rate = ({ median, spread }: { median: number; spread: number }) =>
  `${Math.round(median).toLocaleString('en-US')} ±${Math.round(spread / 2).toLocaleString('en-US')}`;

function printTable(
  title: string,
  engines: readonly EngineName[],
  reference: EngineName,
  results: Map<string, { ops: { median: number; spread: number }; trueRate: number }>,
): void {
  console.log(`\n${title}\n`);
  const others = engines.filter((e) => e !== reference);
  console.log(
    `| case | ${engines.map((e) => `${e} (evals/s)`).join(' | ')} | ${others.map((e) => `${reference.split(' ')[0]} ÷ ${e.split(' ')[0]}`).join(' | ')} | share answered true |`,
  );
  console.log(`| --- |${' ---: |'.repeat(engines.length + others.length)} --- |`);
  for (const flag of CASES) {
    const cell = (engine: EngineName) => results.get(`${engine}|${flag}`)!;
    const ratios = others.map((e) => `${(cell(reference).ops.median / cell(e).ops.median).toFixed(2)}×`);
    const shares = [...new Set(engines.map((e) => `${(cell(e).trueRate * 100).toFixed(1)} %`))].join(' / ');
    console.log(
      `| ${flag} | ${engines.map((e) => rate(cell(e).ops)).join(' | ')} | ${ratios.join(' | ')} | ${shares} |`,
    );
  }
}

export async function run(): Promise<void> {
  const runs = runsOption(process.argv);
  const work = mkdtempSync(path.join(tmpdir(), 'flags-bench-'));
  const contextsFile = path.join(work, 'contexts.json');
  writeFileSync(contextsFile, JSON.stringify(generateContexts()));
  const results = new Map<string, { ops: { median: number; spread: number }; trueRate: number }>();
  try {
    for (const flag of CASES) {
      for (const engine of ENGINES) {
        const samples: Sample[] = [];
        // Engines interleaved within a case would not help here: every sample is its own process.
        for (let i = 0; i < runs; i++) samples.push(await sample(engine, flag, contextsFile));
        results.set(`${engine}|${flag}`, {
          ops: summarise(samples.map((s) => s.opsPerSecond)),
          trueRate: samples[0]!.trueRate,
        });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const what = `median of ${runs} fresh processes ± half the spread; ${KEY_COUNT.toLocaleString('en-US')} customers, the same for every engine; cases: a boolean flag on for everyone, a 25 % rollout, an allow-list of 64 customers`;
  printTable(
    `Headline: provider against provider, each through the same OpenFeature server SDK client (getBooleanValue, awaited). Steward's OpenFeature provider against in-process providers over unleash-client (allow-list as a userId IN constraint) and @featurevisor/sdk (allow-list as a segment); ${what}.`,
    [
      'steward provider via OpenFeature',
      'unleash provider via OpenFeature',
      'featurevisor provider via OpenFeature',
    ],
    'steward provider via OpenFeature',
    results,
  );
  printTable(
    `Direct APIs, each SDK's own synchronous call (steward: createFlagEvaluator().isEnabled; unleash: isEnabled; featurevisor: isEnabled), not comparable with the table above; ${what}.`,
    ['steward direct API', 'unleash-client direct API', 'featurevisor direct API'],
    'steward direct API',
    results,
  );
  console.log(
    '\n"Share answered true" per engine, listed once where they agree: 100 % for the boolean flag, 1.6 % (64 of 4,096) for the allow-list, about 25 % for the rollout (each engine hashes keys its own way): the engines evaluate the same definitions.',
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
