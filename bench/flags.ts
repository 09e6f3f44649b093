/**
 * Flag evaluations per second, single-threaded, each (engine, case) in a fresh process of its own
 * (bench/flags-engine.ts), with the same contexts generated once here and handed to every engine.
 *
 * Two tables, never mixed:
 * - the headline, provider against provider through the same OpenFeature server SDK client
 *   (awaited alike): Steward's OpenFeature provider against in-process providers over
 *   unleash-client and @featurevisor/sdk (neither publishes a Node.js server provider on npm);
 * - each SDK's own direct API (synchronous calls), Steward's labelled as such.
 * `--runs N` (default 3) processes per cell, reported as median ± half the spread; `--case NAME`
 * (repeatable) runs only those cases. Every engine's share of contexts per answer is checked
 * against the expected shares before its figure counts, and printed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { countProVeterans, fourWaySplitCase, ruleBenchContexts, rulesCase } from './flag-cases-rules.ts';
import {
  type BenchContexts,
  CASES,
  type CaseName,
  type EngineName,
  type EngineResult,
  ENGINES,
} from './flags-engine.ts';

const exec = promisify(execFile);
const KEY_COUNT = 4096; // a power of two: engines pick a context with `i & (KEY_COUNT - 1)`

/**
 * The contexts every engine evaluates: 4,096 customers, 64 of them on the allow-list (1 in 64),
 * each with the tier, country and account age the rule-based cases read.
 */
function generateContexts(): BenchContexts {
  const keys = ruleBenchContexts.map((customer) => customer.targetingKey);
  if (keys.length !== KEY_COUNT) throw new Error(`the rule cases cycle over ${keys.length} customers`);
  return { keys, allowList: keys.filter((_, i) => i % 64 === 0), customers: ruleBenchContexts };
}

/**
 * The share of contexts per answer every engine must give. Exact where no hash is involved; the
 * hashed cases (rollout, split) within TOLERANCE, since each engine hashes keys its own way.
 */
const EXPECTED: Readonly<Record<CaseName, { shares: Readonly<Record<string, number>>; hashed: boolean }>> = {
  boolean: { shares: { true: 1 }, hashed: false },
  rollout: { shares: { true: 0.25, false: 0.75 }, hashed: true },
  'allow-list': { shares: { true: 64 / KEY_COUNT, false: 1 - 64 / KEY_COUNT }, hashed: false },
  rules: { shares: rulesCase.expected, hashed: false },
  'split-4': { shares: fourWaySplitCase.expected, hashed: true },
};
/** 3 percentage points: over 4,096 keys one share's standard deviation is at most 0.8 points. */
const TOLERANCE = 0.03;

/** Why an engine's shares differ from the expected ones, or undefined when they agree. */
function disagreement(flag: CaseName, shares: Readonly<Record<string, number>>): string | undefined {
  const { shares: expected, hashed } = EXPECTED[flag];
  const answers = new Set([...Object.keys(expected), ...Object.keys(shares)]);
  for (const answer of answers) {
    const gap = Math.abs((shares[answer] ?? 0) - (expected[answer] ?? 0));
    if (hashed ? gap > TOLERANCE : gap > 1e-9)
      return `${answer}: ${percent(shares[answer] ?? 0)} instead of ${percent(expected[answer] ?? 0)}`;
  }
  return undefined;
}

const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

async function sample(engine: EngineName, flag: CaseName, contextsFile: string): Promise<EngineResult> {
  const { stdout } = await exec(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'flags-engine.ts'), engine, flag, contextsFile],
    { encoding: 'utf8', timeout: 120_000 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as EngineResult;
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

interface Cell {
  readonly ops: { median: number; spread: number };
  readonly shares: Readonly<Record<string, number>>;
}

function printTable(
  title: string,
  engines: readonly EngineName[],
  reference: EngineName,
  results: Map<string, Cell>,
  cases: readonly CaseName[],
): void {
  console.log(`\n${title}\n`);
  const others = engines.filter((e) => e !== reference);
  console.log(
    `| case | ${engines.map((e) => `${e} (evals/s)`).join(' | ')} | ${others.map((e) => `${reference.split(' ')[0]} ÷ ${e.split(' ')[0]}`).join(' | ')} |`,
  );
  console.log(`| --- |${' ---: |'.repeat(engines.length + others.length)}`);
  for (const flag of cases) {
    const cell = (engine: EngineName) => results.get(`${engine}|${flag}`)!;
    const ratios = others.map((e) => `${(cell(reference).ops.median / cell(e).ops.median).toFixed(2)}×`);
    console.log(`| ${flag} | ${engines.map((e) => rate(cell(e).ops)).join(' | ')} | ${ratios.join(' | ')} |`);
  }
}

/** Share of the 4,096 contexts per answer, engine by engine: the check that they evaluate the same definitions. */
function printShares(results: Map<string, Cell>, cases: readonly CaseName[]): void {
  console.log(
    '\nShare of contexts per answer (every engine checked against the expected shares before its figure counts)\n',
  );
  console.log(`| case | expected | ${ENGINES.join(' | ')} |`);
  console.log(`| --- | --- |${' --- |'.repeat(ENGINES.length)}`);
  const format = (shares: Readonly<Record<string, number>>) =>
    Object.entries(shares)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([answer, share]) => `${answer} ${percent(share)}`)
      .join(', ');
  for (const flag of cases) {
    const { shares, hashed } = EXPECTED[flag];
    const cells = ENGINES.map((engine) => format(results.get(`${engine}|${flag}`)!.shares));
    console.log(
      `| ${flag} | ${format(shares)}${hashed ? ` (±${TOLERANCE * 100} points)` : ''} | ${cells.join(' | ')} |`,
    );
  }
}

export async function run(): Promise<void> {
  const runs = runsOption(process.argv);
  const only = casesOption(process.argv);
  const contexts = generateContexts();
  const proVeterans = countProVeterans(contexts.customers) / KEY_COUNT;
  if (Math.abs(proVeterans - (rulesCase.expected.true as number)) > 1e-9)
    throw new Error(
      `the rules case expects ${percent(rulesCase.expected.true)}, the contexts hold ${percent(proVeterans)}`,
    );
  const work = mkdtempSync(path.join(tmpdir(), 'flags-bench-'));
  const contextsFile = path.join(work, 'contexts.json');
  writeFileSync(contextsFile, JSON.stringify(contexts));
  const results = new Map<string, Cell>();
  try {
    for (const flag of only) {
      for (const engine of ENGINES) {
        const samples: EngineResult[] = [];
        // Engines interleaved within a case would not help here: every sample is its own process.
        for (let i = 0; i < runs; i++) samples.push(await sample(engine, flag, contextsFile));
        const wrong = disagreement(flag, samples[0]!.shares);
        if (wrong !== undefined)
          throw new Error(
            `${engine} evaluates case ${flag} differently (${wrong}): its figure would not compare`,
          );
        results.set(`${engine}|${flag}`, {
          ops: summarise(samples.map((s) => s.opsPerSecond)),
          shares: samples[0]!.shares,
        });
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const what = `median of ${runs} fresh processes ± half the spread; ${KEY_COUNT.toLocaleString('en-US')} customers, the same for every engine; cases: a boolean flag on for everyone, a 25 % rollout, an allow-list of 64 customers, a rule of three conditions (tier = pro, accountAgeDays ≥ 30, country in IE/GB), a 4-variant split (25 % each, a string flag)`;
  printTable(
    `Headline: provider against provider, each through the same OpenFeature server SDK client (getBooleanValue / getStringValue, awaited). Steward's OpenFeature provider against in-process providers over unleash-client (constraints and strategy variants) and @featurevisor/sdk (segments, variations and allocation); ${what}.`,
    [
      'steward provider via OpenFeature',
      'unleash provider via OpenFeature',
      'featurevisor provider via OpenFeature',
    ],
    'steward provider via OpenFeature',
    results,
    only,
  );
  printTable(
    `Direct APIs, each SDK's own synchronous call (steward: createFlagEvaluator().isEnabled / value; unleash: isEnabled / getVariant; featurevisor: isEnabled / getVariation), not comparable with the table above; ${what}.`,
    ['steward direct API', 'unleash-client direct API', 'featurevisor direct API'],
    'steward direct API',
    results,
    only,
  );
  printShares(results, only);
}

/** `--case NAME` (repeatable) runs only those cases; default every case. */
function casesOption(argv: readonly string[]): readonly CaseName[] {
  const named = argv.flatMap((arg, i) => (arg === '--case' ? [argv[i + 1]] : []));
  if (named.length === 0) return CASES;
  for (const name of named)
    if (!CASES.includes(name as CaseName))
      throw new Error(`--case takes one of ${CASES.join(', ')}, got ${name}`);
  return named as CaseName[];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
}
