/**
 * Issue 7's table: every Lambda's minified bundle and cold import next to a baseline that only
 * imports and constructs the same AWS SDK clients, and the consumer client next to Powertools'
 * AppConfig-agent reader. Cold import = a fresh Node.js process importing the bundle (module scope
 * runs, clients are constructed) with the NODE_OPTIONS a deployed function has (source maps by
 * default), and once more without source maps to show what they cost;
 * median of RUNS runs, handler and baseline interleaved. Everything is bundled as deployed
 * (lib/bundling.ts), the baselines too.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SOURCE_MAPS_NODE_OPTIONS } from '../lib/bundling.ts';
import { PROJECT_ROOT } from '../lib/constructs/steward-function.ts';
import { loadSettings, runtimeEnvironment } from '../lib/settings.ts';
import {
  type Bundle,
  baselineSource,
  bundle,
  excessByOrigin,
  handlerEntries,
  largestInputs,
  sdkClients,
} from './bundling.ts';

const RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
const OUT = path.join(PROJECT_ROOT, '.bench', 'bundles');

/** The environment a deployed function gets, with placeholder AppConfig ids. */
export function functionEnvironment(): Record<string, string> {
  const settings = loadSettings(path.join(PROJECT_ROOT, 'config', 'settings.json'));
  const appconfig = Object.fromEntries(
    ['orders', 'payments'].map((service) => [
      service,
      {
        applicationId: `app-${service}`,
        documentProfileId: 'doc',
        flagsProfileId: 'flags',
        environments: Object.fromEntries(
          settings.environments.map((e) => [
            e.name,
            { environmentId: `env-${e.name}`, deploymentStrategyId: 'strat' },
          ]),
        ),
      },
    ]),
  );
  return {
    PATH: process.env.PATH ?? '',
    NODE_OPTIONS: settings.sourceMaps ? SOURCE_MAPS_NODE_OPTIONS : '',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'bench',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_NAMESPACE: 'ConfigSteward',
    ...runtimeEnvironment(settings),
    STEWARD_APPCONFIG: JSON.stringify(appconfig),
    STEWARD_VALIDATOR_PRINCIPAL: 'arn:aws:iam::123456789012:role/validator',
    STEWARD_APPCONFIG_APPLICATION: 'orders',
    STEWARD_APPCONFIG_ENVIRONMENT: 'production',
    STEWARD_APPCONFIG_PROFILE: 'document',
    STEWARD_APPCONFIG_FLAGS_PROFILE: 'flags',
  };
}

function importOnce(file: string, env: Record<string, string>): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`importing ${path.basename(file)} failed: ${result.stderr.split('\n')[0]}`);
  return Number(result.stdout);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median cold import of each case, their runs interleaved so machine noise hits them alike. */
function coldImports(cases: readonly { file: string; env: Record<string, string> }[]): number[] {
  const samples = cases.map(() => [] as number[]);
  for (const { file, env } of cases) importOnce(file, env); // warm the file-system cache first
  for (let i = 0; i < RUNS; i++) {
    cases.forEach(({ file, env }, j) => samples[j]!.push(importOnce(file, env)));
  }
  return samples.map(median);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => `${value.toFixed(1)} ms`;
const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`);

export interface ColdStartRow {
  readonly name: string;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly baselineBytes: number;
  readonly coldMs: number;
  readonly baselineColdMs: number;
  /** The same bundle imported without NODE_OPTIONS=--enable-source-maps. */
  readonly coldMsWithoutSourceMaps: number;
  /** False when the baseline is an empty module (a handler without SDK clients): ratios mean nothing. */
  readonly comparable: boolean;
}

async function measure(
  subject: Bundle,
  baseline: Bundle,
  env: Record<string, string>,
  comparable = true,
): Promise<ColdStartRow> {
  const withoutSourceMaps = { ...env, NODE_OPTIONS: '' };
  const [coldMs = 0, baselineColdMs = 0, coldMsWithoutSourceMaps = 0] = coldImports([
    { file: subject.file, env },
    { file: baseline.file, env },
    { file: subject.file, env: withoutSourceMaps },
  ]);
  return {
    name: subject.name,
    bytes: subject.bytes,
    totalBytes: subject.totalBytes,
    baselineBytes: baseline.bytes,
    coldMs,
    baselineColdMs,
    coldMsWithoutSourceMaps,
    comparable,
  };
}

export async function run(): Promise<void> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const env = functionEnvironment();
  const rows: ColdStartRow[] = [];
  const details: string[] = [];
  const excess: string[] = [];

  for (const { name, entry } of handlerEntries()) {
    const subject = await bundle(name, entry, OUT);
    const clients = sdkClients(subject);
    const baselineEntry = path.join(OUT, `${name}.baseline.ts`);
    writeFileSync(baselineEntry, baselineSource(clients));
    const baseline = await bundle(`${name}.baseline`, baselineEntry, OUT);
    rows.push(await measure(subject, baseline, env, clients.length > 0));
    excess.push(
      `${name}: ${[...excessByOrigin(subject, baseline)]
        .filter(([, bytes]) => Math.abs(bytes) >= 512)
        .sort((a, b) => b[1] - a[1])
        .map(([origin, bytes]) => `${origin} ${kb(bytes)}`)
        .join(
          ', ',
        )}${clients.length > 0 ? `; a 1.25× budget allows ${kb(baseline.bytes * 0.25)}` : ' (no SDK client: no baseline to compare with)'}`,
    );
    details.push(
      `${name} (baseline: ${clients.join(', ') || 'no SDK client'}): ${largestInputs(subject)
        .map((i) => `${i.input} ${kb(i.bytes)}`)
        .join('; ')}`,
    );
  }

  const clientEntry = path.join(OUT, 'client.entry.ts');
  writeFileSync(
    clientEntry,
    // By package name: the built ESM of the workspace package (`npm run build`), as a service gets it.
    "import { loadConfig, loadFlags } from '@config-steward/client';\nexport { loadConfig, loadFlags };\n",
  );
  const powertoolsEntry = path.join(OUT, 'powertools.entry.ts');
  writeFileSync(
    powertoolsEntry,
    "import { getConfig } from '@aws-lambda-powertools/parameters/appconfig-agent';\nexport { getConfig };\n",
  );
  const client = await bundle('consumer client', clientEntry, OUT);
  const powertools = await bundle('powertools appconfig-agent', powertoolsEntry, OUT);
  const clientRow = await measure(client, powertools, env);
  details.push(
    `consumer client: ${largestInputs(client)
      .map((i) => `${i.input} ${kb(i.bytes)}`)
      .join('; ')}`,
  );

  console.log(
    `\nBundles and cold imports (median of ${RUNS} fresh processes each, interleaved with the baseline; NODE_OPTIONS=${JSON.stringify(env.NODE_OPTIONS)} as the settings deploy it)\n`,
  );
  console.log(
    '| bundle | loaded at cold start | baseline | size ratio | with lazy chunks | cold import | baseline cold | cold ratio | cold import without source maps |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of [...rows, clientRow]) {
    console.log(
      `| ${r.name} | ${kb(r.bytes)} | ${kb(r.baselineBytes)} | ${r.comparable ? ratio(r.bytes, r.baselineBytes) : 'n/a'} | ${kb(r.totalBytes)} | ${ms(r.coldMs)} | ${ms(r.baselineColdMs)} | ${r.comparable ? ratio(r.coldMs, r.baselineColdMs) : 'n/a'} | ${ms(r.coldMsWithoutSourceMaps)} |`,
    );
  }
  console.log(
    "\nThe consumer client's baseline is @aws-lambda-powertools/parameters/appconfig-agent (getConfig).",
  );
  console.log(
    '\n"Loaded at cold start" is the entry file and the chunks it imports statically; lazy chunks (trackers, pg) load on first use.',
  );
  console.log('\nWhat each handler loads at cold start beyond its baseline, by origin:');
  for (const line of excess) console.log(`  ${line}`);
  console.log('\nFive largest inputs loaded at cold start:');
  for (const line of details) console.log(`  ${line}`);
}
