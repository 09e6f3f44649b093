/**
 * Issue 15's cold-start table: every Lambda next to the fair baseline, what a team would write by
 * hand for the same job (the same SDK clients, Powertools Logger, and Metrics where the handler uses
 * them, `@middy/core`, sending the same first AWS call), bundled the same way (lib/bundling.ts).
 *
 * Per handler: bytes read at cold start as the settings deploy it (code, plus the source maps Node.js
 * reads and parses with `--enable-source-maps` when `sourceMaps: true` ships them; off by default),
 * cold import, and first invocation (import + first handler call on a representative event against a
 * local endpoint standing in for AWS, bench/first-invocation.ts); beside them the same handler with
 * the `sourceMaps` setting the other way, so the cost of the choice is in every run. Every sample is a
 * fresh Node.js process with the deployed NODE_OPTIONS; handler and baseline interleaved so machine
 * noise hits them alike; `--runs N` (default 3) runs, reported as median and spread (max − min).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SOURCE_MAPS_NODE_OPTIONS } from '../lib/bundling.ts';
import { PROJECT_ROOT } from '../lib/constructs/steward-function.ts';
import { loadSettings, runtimeEnvironment } from '../lib/settings.ts';
import {
  type BaselineShape,
  type Bundle,
  baselineSource,
  bundle,
  coldStartBytesOnlyLazyPathsUse,
  excessByOrigin,
  handlerEntries,
  initialInputs,
  largestInputs,
  sdkClients,
} from './bundling.ts';
import { startFakeAws } from './fake-aws.ts';
import { type ColdSample, coldSample, invocationCases } from './first-invocation.ts';

/** `npm run bench -- cold-start --runs 5`; BENCH_COLD_RUNS is read too. */
function runsOption(argv: readonly string[]): number {
  const at = argv.indexOf('--runs');
  const runs = Number(at >= 0 ? argv[at + 1] : (process.env.BENCH_COLD_RUNS ?? 3));
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs takes a whole number ≥ 1, got ${argv[at + 1]}`);
  return runs;
}
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

/** Median and spread (max − min) of a few samples. */
function summarise(values: readonly number[]): { median: number; spread: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, spread: sorted[sorted.length - 1]! - sorted[0]! };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = ({ median, spread }: { median: number; spread: number }) =>
  `${median.toFixed(1)} ms ±${(spread / 2).toFixed(1)}`;
const ratio = (a: number, b: number) => (b === 0 ? 'n/a' : `${(a / b).toFixed(2)}×`);

/**
 * Bytes Node.js reads at cold start: code, plus the maps when they are shipped (a bundle is built with
 * maps exactly when `--enable-source-maps` is set to read them: the `sourceMaps` setting).
 */
const readAtColdStart = (built: Bundle) => built.bytes + built.mapBytes;

export interface ColdStartRow {
  readonly name: string;
  readonly subject: Bundle;
  readonly baseline?: Bundle;
  readonly importMs: { median: number; spread: number };
  readonly baselineImportMs?: { median: number; spread: number };
  readonly firstInvocationMs?: { median: number; spread: number };
  readonly baselineFirstInvocationMs?: { median: number; spread: number };
  /** The handler bundled and run with the `sourceMaps` setting the other way (`otherMaps`). */
  readonly other: Bundle;
  readonly otherBaseline?: Bundle;
  readonly importMsOtherMaps: { median: number; spread: number };
  readonly importCpuMs: { median: number; spread: number };
  readonly baselineImportCpuMs?: { median: number; spread: number };
  readonly importCpuMsOtherMaps: { median: number; spread: number };
  /** The handler's first AWS call, which the baseline sends too. */
  readonly firstCall: string;
  readonly outcome: string;
  readonly baselineOutcome?: string;
}

interface Measured {
  subject: ColdSample[];
  baseline: ColdSample[];
  otherMaps: ColdSample[];
}

const stat = (samples: readonly ColdSample[], pick: (s: ColdSample) => number | undefined) => {
  const values = samples.map(pick).filter((v): v is number => v !== undefined);
  return values.length > 0 ? summarise(values) : undefined;
};

/** SDK client package of a JSON-protocol target prefix. */
const CLIENT_OF_TARGET: Record<string, string> = {
  AmazonSSM: 'client-ssm',
  AWSEvents: 'client-eventbridge',
  TrentService: 'client-kms',
  AmazonSQS: 'client-sqs',
  secretsmanager: 'client-secrets-manager',
};

export async function run(): Promise<void> {
  const runs = runsOption(process.argv);
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const aws = await startFakeAws();
  const cases = invocationCases(aws.url);
  const env: Record<string, string> = { ...functionEnvironment(), AWS_ENDPOINT_URL: aws.url };
  const sourceMaps = env.NODE_OPTIONS!.includes(SOURCE_MAPS_NODE_OPTIONS);
  // The `sourceMaps` setting the other way: its bundles and NODE_OPTIONS.
  const otherNodeOptions = sourceMaps ? '' : SOURCE_MAPS_NODE_OPTIONS;
  const rows: ColdStartRow[] = [];
  const details: string[] = [];
  const excess: string[] = [];

  try {
    for (const { name, entry } of handlerEntries()) {
      const subject = await bundle(name, entry, OUT, { sourcemap: sourceMaps });
      const other = await bundle(`${name}.other-maps`, entry, OUT, { sourcemap: !sourceMaps });
      const invocation = cases[name];
      const subjectEnv = { ...env, ...invocation?.environment };
      // Discovery run (also warms the file-system cache): which AWS call the handler makes first.
      aws.calls.length = 0;
      await coldSample(subject.file, subjectEnv, invocation?.event);
      const first = aws.calls.find((call) => CLIENT_OF_TARGET[call.operation.split('.')[0]!]);
      const clients = sdkClients(subject);
      const shape: BaselineShape = {
        clients,
        metrics: [...initialInputs(subject).keys()].some((input) =>
          input.includes('@aws-lambda-powertools/metrics/'),
        ),
        firstCall: first && {
          client: CLIENT_OF_TARGET[first.operation.split('.')[0]!]!,
          command: first.operation.split('.')[1]!,
          input: first.input,
        },
      };
      const comparable = clients.length > 0;
      let baseline: Bundle | undefined;
      let otherBaseline: Bundle | undefined;
      if (comparable) {
        const baselineEntry = path.join(OUT, `${name}.baseline.ts`);
        writeFileSync(baselineEntry, baselineSource(shape));
        baseline = await bundle(`${name}.baseline`, baselineEntry, OUT, { sourcemap: sourceMaps });
        otherBaseline = await bundle(`${name}.baseline.other-maps`, baselineEntry, OUT, {
          sourcemap: !sourceMaps,
        });
        await coldSample(baseline.file, env, invocation && {});
      }
      await coldSample(other.file, { ...subjectEnv, NODE_OPTIONS: otherNodeOptions }, undefined);
      const measured: Measured = { subject: [], baseline: [], otherMaps: [] };
      for (let i = 0; i < runs; i++) {
        measured.subject.push(await coldSample(subject.file, subjectEnv, invocation?.event));
        if (baseline) measured.baseline.push(await coldSample(baseline.file, env, invocation && {}));
        measured.otherMaps.push(
          await coldSample(other.file, { ...subjectEnv, NODE_OPTIONS: otherNodeOptions }, undefined),
        );
      }
      rows.push({
        name,
        subject,
        baseline,
        importMs: stat(measured.subject, (s) => s.importMs)!,
        baselineImportMs: stat(measured.baseline, (s) => s.importMs),
        firstInvocationMs: stat(measured.subject, (s) => s.firstInvocationMs),
        baselineFirstInvocationMs: stat(measured.baseline, (s) => s.firstInvocationMs),
        other,
        otherBaseline,
        importMsOtherMaps: stat(measured.otherMaps, (s) => s.importMs)!,
        importCpuMs: stat(measured.subject, (s) => s.importCpuMs)!,
        baselineImportCpuMs: stat(measured.baseline, (s) => s.importCpuMs),
        importCpuMsOtherMaps: stat(measured.otherMaps, (s) => s.importCpuMs)!,
        firstCall: invocation ? (first?.operation ?? 'no AWS call') : 'not invoked (no case)',
        outcome: [...new Set(measured.subject.map((s) => s.outcome))].join('; '),
        baselineOutcome: baseline
          ? [...new Set(measured.baseline.map((s) => s.outcome))].join('; ')
          : undefined,
      });
      if (baseline) {
        excess.push(
          `${name}: ${[...excessByOrigin(subject, baseline)]
            .filter(([, bytes]) => Math.abs(bytes) >= 512)
            .sort((a, b) => b[1] - a[1])
            .map(([origin, bytes]) => `${origin} ${kb(bytes)}`)
            .join(', ')}; a 1.15× budget allows ${kb(baseline.bytes * 0.15)} of code; ${kb(
            await coldStartBytesOnlyLazyPathsUse(subject, OUT),
          )} of the cold start is used only by lazy paths (esbuild puts whole files in chunks)`,
        );
      }
      details.push(
        `${name} (baseline: ${[...clients, 'Logger', ...(shape.metrics ? ['Metrics'] : []), 'middy'].join(', ')}): ${largestInputs(
          subject,
        )
          .map((i) => `${i.input} ${kb(i.bytes)}`)
          .join('; ')}`,
      );
    }
  } finally {
    await aws.close();
  }
  printTables(rows, { runs, sourceMaps, nodeOptions: env.NODE_OPTIONS ?? '' });
  console.log('\nWhat each handler loads at cold start beyond its baseline, by origin (code bytes):');
  for (const line of excess) console.log(`  ${line}`);
  console.log('\nFive largest inputs loaded at cold start:');
  for (const line of details) console.log(`  ${line}`);
  await consumerClientRow(env, runs);
}

function printTables(
  rows: readonly ColdStartRow[],
  { runs, sourceMaps, nodeOptions }: { runs: number; sourceMaps: boolean; nodeOptions: string },
): void {
  const other = sourceMaps ? 'sourceMaps: false' : 'sourceMaps: true';
  console.log(
    `\nBytes read at cold start, each handler against its fair baseline (same SDK clients + Powertools Logger/Metrics + @middy/core, bundled the same way), as the settings deploy it: ${sourceMaps ? `sourceMaps: true, NODE_OPTIONS=${nodeOptions} reads the map of every file loaded` : 'sourceMaps: false (the default), no map shipped or read'}. Beside it, the same with ${other}.\n`,
  );
  console.log(
    `| handler | code | maps | read at cold start | baseline read | ratio | with ${other}: read | baseline | ratio | code + maps with lazy chunks |`,
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const read = readAtColdStart(r.subject);
    const otherRead = readAtColdStart(r.other);
    const b = r.baseline && readAtColdStart(r.baseline);
    const ob = r.otherBaseline && readAtColdStart(r.otherBaseline);
    console.log(
      `| ${r.name} | ${kb(r.subject.bytes)} | ${kb(r.subject.mapBytes)} | ${kb(read)} | ${b ? kb(b) : '–'} | ${b ? ratio(read, b) : 'n/a (no SDK client)'} | ${kb(otherRead)} | ${ob ? kb(ob) : '–'} | ${ob ? ratio(otherRead, ob) : 'n/a'} | ${kb(r.subject.totalBytes + r.subject.totalMapBytes)} |`,
    );
  }
  console.log(
    `\nCold import and first invocation (import + first handler call on a representative event, AWS answered by a local endpoint), each handler against its fair baseline making the same first AWS call. Median of ${runs} fresh processes ± half the spread; NODE_OPTIONS=${JSON.stringify(nodeOptions)} as deployed; the last time column is the handler bundled and run with ${other}.\n`,
  );
  console.log(
    `| handler | cold import | baseline | ratio | first invocation | baseline | ratio | first AWS call | cold import with ${other} | outcome (handler / baseline) |`,
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |');
  for (const r of rows) {
    const dash = (v?: { median: number; spread: number }) => (v ? ms(v) : '–');
    const rel = (a?: { median: number }, b?: { median: number }) =>
      a && b ? ratio(a.median, b.median) : 'n/a';
    console.log(
      `| ${r.name} | ${ms(r.importMs)} | ${dash(r.baselineImportMs)} | ${rel(r.importMs, r.baselineImportMs)} | ${dash(r.firstInvocationMs)} | ${dash(r.baselineFirstInvocationMs)} | ${rel(r.firstInvocationMs, r.baselineFirstInvocationMs)} | ${r.firstCall} | ${ms(r.importMsOtherMaps)} | ${r.outcome}${r.baselineOutcome ? ` / ${r.baselineOutcome}` : ''} |`,
    );
  }
  console.log(
    `\nCPU time of the same cold imports (user + system, all threads; median of ${runs} ± half the spread): less sensitive than wall time to other work on the machine; the last column is the handler with ${other}, what the setting costs or saves.\n`,
  );
  console.log(`| handler | import CPU | baseline | ratio | import CPU with ${other} |`);
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const base = r.baselineImportCpuMs;
    console.log(
      `| ${r.name} | ${ms(r.importCpuMs)} | ${base ? ms(base) : '–'} | ${base ? ratio(r.importCpuMs.median, base.median) : 'n/a'} | ${ms(r.importCpuMsOtherMaps)} |`,
    );
  }
}

/**
 * The consumer client next to Powertools' AppConfig-agent reader: bytes, cold import, and the first
 * read (a fresh process imports a handler and reads one document from a local endpoint standing in
 * for the extension: `loadConfig` with a pass-through schema against Powertools `getConfig` with
 * `transform: 'json'`, so both do the same work, a GET and a JSON parse).
 */
async function consumerClientRow(env: Record<string, string>, runs: number): Promise<void> {
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
  const clientReadEntry = path.join(OUT, 'client.first-read.entry.ts');
  writeFileSync(
    clientReadEntry,
    [
      "import { loadConfig } from '@config-steward/client';",
      'const asServed = { safeParse: (data: unknown) => ({ success: true, data }) };',
      "export const handler = () => loadConfig('orders', asServed as never);",
      '',
    ].join('\n'),
  );
  const powertoolsReadEntry = path.join(OUT, 'powertools.first-read.entry.ts');
  writeFileSync(
    powertoolsReadEntry,
    [
      "import { getConfig } from '@aws-lambda-powertools/parameters/appconfig-agent';",
      'export const handler = async () => {',
      "  const document = await getConfig('document', { application: 'orders', environment: 'production', transform: 'json' });",
      "  if (document === undefined) throw new Error('no document');",
      '};',
      '',
    ].join('\n'),
  );
  const sourceMaps = env.NODE_OPTIONS!.includes(SOURCE_MAPS_NODE_OPTIONS);
  const client = await bundle('consumer client', clientEntry, OUT, { sourcemap: sourceMaps });
  const powertools = await bundle('powertools appconfig-agent', powertoolsEntry, OUT, {
    sourcemap: sourceMaps,
  });
  const clientRead = await bundle('consumer client first read', clientReadEntry, OUT, {
    sourcemap: sourceMaps,
  });
  const powertoolsRead = await bundle('powertools first read', powertoolsReadEntry, OUT, {
    sourcemap: sourceMaps,
  });
  // The extension's endpoint (AWS_APPCONFIG_EXTENSION_HTTP_PORT); both readers read only inside Lambda
  // (Powertools by AWS_LAMBDA_INITIALIZATION_TYPE), as they are deployed.
  const extension = await startFakeAws();
  const readEnv = {
    ...env,
    AWS_APPCONFIG_EXTENSION_HTTP_PORT: new URL(extension.url).port,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  };
  const ours: ColdSample[] = [];
  const theirs: ColdSample[] = [];
  const oursRead: ColdSample[] = [];
  const theirsRead: ColdSample[] = [];
  try {
    await coldSample(client.file, env, undefined);
    await coldSample(powertools.file, env, undefined);
    await coldSample(clientRead.file, readEnv, {});
    await coldSample(powertoolsRead.file, readEnv, {});
    for (let i = 0; i < runs; i++) {
      ours.push(await coldSample(client.file, env, undefined));
      theirs.push(await coldSample(powertools.file, env, undefined));
      oursRead.push(await coldSample(clientRead.file, readEnv, {}));
      theirsRead.push(await coldSample(powertoolsRead.file, readEnv, {}));
    }
  } finally {
    await extension.close();
  }
  const importOf = (samples: ColdSample[]) => summarise(samples.map((s) => s.importMs));
  const firstReadOf = (samples: ColdSample[]) => stat(samples, (s) => s.firstInvocationMs)!;
  const outcomeOf = (samples: ColdSample[]) => [...new Set(samples.map((s) => s.outcome))].join('; ');
  console.log(
    `\nConsumer client (built package: loadConfig, loadFlags) against @aws-lambda-powertools/parameters/appconfig-agent (getConfig): code + maps read at cold start; cold import; first read, a fresh process importing a handler and reading one document from a local endpoint standing in for the AppConfig extension (ours: loadConfig with a pass-through schema; Powertools: getConfig with transform json; each a GET and a JSON parse, its bundle holding only that reader). Median of ${runs} ± half the spread.\n`,
  );
  console.log(
    '| bundle | code + maps | ratio | cold import | ratio | first read (import + read) | ratio | outcome |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  console.log(
    `| consumer client | ${kb(readAtColdStart(client))} | ${ratio(readAtColdStart(client), readAtColdStart(powertools))} | ${ms(importOf(ours))} | ${ratio(importOf(ours).median, importOf(theirs).median)} | ${ms(firstReadOf(oursRead))} | ${ratio(firstReadOf(oursRead).median, firstReadOf(theirsRead).median)} | ${outcomeOf(oursRead)} |`,
  );
  console.log(
    `| Powertools appconfig-agent | ${kb(readAtColdStart(powertools))} | 1.00× | ${ms(importOf(theirs))} | 1.00× | ${ms(firstReadOf(theirsRead))} | 1.00× | ${outcomeOf(theirsRead)} |`,
  );
}
