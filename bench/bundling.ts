/** Builds handler bundles exactly as StewardFunction does (lib/bundling.ts), with metafiles. */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import {
  bundleSize,
  ENTRY_FILE,
  entryOutputKey,
  lambdaBundleOptions,
  trimSourceMaps,
} from '../lib/bundling.ts';
import { PROJECT_ROOT } from '../lib/constructs/steward-function.ts';

export interface Bundle {
  readonly name: string;
  /** The entry file Lambda imports (`<outdir>/<name>/index.mjs`). */
  readonly file: string;
  /** Bytes loaded at cold start: the entry and the chunks it imports statically. */
  readonly bytes: number;
  /** Bytes of every chunk, lazy ones included. */
  readonly totalBytes: number;
  /**
   * Source-map bytes Node.js reads at cold start with `--enable-source-maps` (maps of `bytes`' files);
   * 0 when built without maps.
   */
  readonly mapBytes: number;
  /** Source-map bytes of every chunk. */
  readonly totalMapBytes: number;
  /** Output files loaded at cold start (metafile keys). */
  readonly initialFiles: readonly string[];
  readonly metafile: Metafile;
}

/** Every Lambda handler: each file of functions/handlers that exports `handler`. */
export function handlerEntries(): { name: string; entry: string }[] {
  const dir = path.join(PROJECT_ROOT, 'functions', 'handlers');
  return readdirSync(dir)
    .filter(
      (f) => f.endsWith('.ts') && /export const handler\b/.test(readFileSync(path.join(dir, f), 'utf8')),
    )
    .map((f) => ({ name: path.basename(f, '.ts'), entry: path.join(dir, f) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Bundles `entry` into `<outdir>/<name>`; `sourcemap` as the `sourceMaps` setting (default off, as
 * deployed by default).
 */
export async function bundle(
  name: string,
  entry: string,
  outdir: string,
  options: { sourcemap?: boolean } = {},
): Promise<Bundle> {
  const dir = path.join(outdir, name);
  // esbuild does not empty its output folder: a map left by an earlier build would be counted.
  rmSync(dir, { recursive: true, force: true });
  const { metafile } = await build(
    lambdaBundleOptions(entry, dir, { absWorkingDir: PROJECT_ROOT, sourcemap: options.sourcemap }),
  );
  if (options.sourcemap) trimSourceMaps(dir, PROJECT_ROOT);
  const size = bundleSize(metafile, entryOutputKey(dir, PROJECT_ROOT));
  // Read off the disk: the maps were rewritten after the build, and a script whose map was dropped
  // lost its sourceMappingURL comment, so the metafile's sizes are stale.
  const bytesOnDisk = (files: Iterable<string>) =>
    [...files].reduce((sum, file) => {
      const onDisk = path.join(PROJECT_ROOT, file);
      return sum + (existsSync(onDisk) ? statSync(onDisk).size : 0);
    }, 0);
  const mapBytesOf = (files: Iterable<string>) => bytesOnDisk([...files].map((file) => `${file}.map`));
  const scripts = Object.keys(metafile.outputs).filter((file) => file.endsWith('.mjs'));
  return {
    name,
    file: path.join(dir, ENTRY_FILE),
    bytes: bytesOnDisk(size.initialFiles),
    totalBytes: bytesOnDisk(scripts),
    mapBytes: mapBytesOf(size.initialFiles),
    totalMapBytes: mapBytesOf(scripts),
    initialFiles: size.initialFiles,
    metafile,
  };
}

/** The AWS SDK client packages a bundle loads at cold start, read off its metafile. */
export function sdkClients(bundleResult: Bundle): string[] {
  const clients = new Set<string>();
  for (const input of initialInputs(bundleResult).keys()) {
    const match = /node_modules\/@aws-sdk\/(client-[a-z0-9-]+)\//.exec(input);
    if (match) clients.add(match[1]!);
  }
  return [...clients].sort();
}

/**
 * The inputs of a bundle's files loaded at cold start, by bytes they contribute.
 *
 * @example
 * [...initialInputs(built)].some(([input]) => input.includes('node_modules/pg/')); // false for rotate-secret
 */
export function initialInputs(bundleResult: Bundle): Map<string, number> {
  const inputs = new Map<string, number>();
  for (const file of bundleResult.initialFiles) {
    for (const [input, { bytesInOutput }] of Object.entries(
      bundleResult.metafile.outputs[file]?.inputs ?? {},
    )) {
      inputs.set(input, (inputs.get(input) ?? 0) + bytesInOutput);
    }
  }
  return inputs;
}

/** The largest inputs loaded at cold start, by bytes they contribute to the output. */
export function largestInputs(bundleResult: Bundle, count = 5): { input: string; bytes: number }[] {
  return [...initialInputs(bundleResult)]
    .map(([input, bytes]) => ({ input: input.replace(/^node_modules\//, ''), bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
}

/** What a hand-written handler for the same job would load: see `baselineSource`. */
export interface BaselineShape {
  /** The AWS SDK client packages the handler loads at cold start (`client-ssm`, ...). */
  readonly clients: readonly string[];
  /** The handler uses Powertools Metrics (with its middy middleware). */
  readonly metrics: boolean;
  /**
   * The handler's first AWS call on its representative event, sent by the baseline too, so the
   * first invocations compare like with like: a JSON-protocol command and its input as recorded.
   */
  readonly firstCall?: { readonly client: string; readonly command: string; readonly input: unknown };
}

/**
 * Source of the fair baseline for a handler (issue 15): what a team would write by hand for the
 * same job, bundled the same way. The same SDK clients constructed at module scope, Powertools
 * Logger (and Metrics with `logMetrics` where the handler uses them), `@middy/core`, and a handler
 * that sends the same first AWS call and logs one line.
 *
 * @example
 * baselineSource({ clients: ['client-ssm'], metrics: false,
 *   firstCall: { client: 'client-ssm', command: 'GetParameterHistory', input: { Name: '/config/x' } } });
 */
export function baselineSource(shape: BaselineShape): string {
  const className = (pkg: string) =>
    sdkClassName(
      pkg,
      `${pkg.replace(/^client-/, '').replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}Client`,
    );
  const lines = [
    "import { Logger } from '@aws-lambda-powertools/logger';",
    "import middy from '@middy/core';",
    ...(shape.metrics
      ? [
          "import { Metrics } from '@aws-lambda-powertools/metrics';",
          "import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';",
        ]
      : []),
    ...shape.clients.map(
      (pkg, i) =>
        `import { ${className(pkg)} as C${i}${shape.firstCall?.client === pkg ? `, ${shape.firstCall.command}Command as FirstCall` : ''} } from '@aws-sdk/${pkg}';`,
    ),
    'const logger = new Logger();',
    ...(shape.metrics ? ['const metrics = new Metrics();'] : []),
    ...shape.clients.map((_, i) => `export const client${i} = new C${i}({});`),
  ];
  const first = shape.firstCall ? shape.clients.indexOf(shape.firstCall.client) : -1;
  const body =
    first >= 0
      ? `const output = await client${first}.send(new FirstCall(${JSON.stringify(shape.firstCall!.input)}));\n  logger.info('first call answered', { requestId: output.$metadata.requestId });`
      : "logger.info('handled');";
  lines.push(
    `export const handler = middy()${shape.metrics ? '.use(logMetrics(metrics))' : ''}.handler(async () => {\n  ${body}\n  return { ok: true };\n});`,
  );
  return `${lines.join('\n')}\n`;
}

/** SDK class names that do not follow the package name's capitalisation. */
function sdkClassName(pkg: string, guess: string): string {
  const known: Record<string, string> = {
    'client-ssm': 'SSMClient',
    'client-eventbridge': 'EventBridgeClient',
    'client-appconfig': 'AppConfigClient',
    'client-appconfigdata': 'AppConfigDataClient',
    'client-secrets-manager': 'SecretsManagerClient',
    'client-sts': 'STSClient',
    'client-cloudwatch': 'CloudWatchClient',
    'client-kms': 'KMSClient',
    'client-sqs': 'SQSClient',
  };
  return known[pkg] ?? guess;
}

/**
 * Where the bytes a bundle loads at cold start come from, in the groups issue 7's table reasons about.
 *
 * @example
 * originOf('node_modules/zod/v4/core/schemas.js'); // 'zod'
 */
export function originOf(input: string): string {
  if (input.includes('node_modules/zod/')) return 'zod';
  if (
    input.includes('node_modules/@aws-lambda-powertools/') ||
    input.includes('node_modules/@aws/lambda-invoke-store/')
  )
    return 'Powertools';
  if (input.includes('node_modules/@middy/')) return 'middy';
  if (/node_modules\/(@aws-sdk|@smithy|@aws-crypto)\//.test(input)) return 'AWS SDK';
  if (input.includes('node_modules/')) return 'other packages';
  return 'our code';
}

/**
 * Bytes a bundle loads at cold start beyond its baseline, per origin (negative when the baseline
 * loads more of it, e.g. an SDK module the handler's code does not reach).
 *
 * @example
 * excessByOrigin(driftJob, driftJobBaseline).get('zod'); // the bytes of zod the baseline does not load
 */
export function excessByOrigin(subject: Bundle, baseline: Bundle): Map<string, number> {
  const excess = new Map<string, number>();
  const add = (inputs: Map<string, number>, sign: number) => {
    for (const [input, bytes] of inputs) {
      const origin = originOf(input);
      excess.set(origin, (excess.get(origin) ?? 0) + sign * bytes);
    }
  };
  add(initialInputs(subject), 1);
  add(initialInputs(baseline), -1);
  return excess;
}

/** Marks every `await import()` of our own code external, as if the lazy paths did not exist. */
const withoutOurLazyChunks: Plugin = {
  name: 'without-our-lazy-chunks',
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, (args) =>
      args.kind === 'dynamic-import' && !args.importer.includes('node_modules')
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

/**
 * Bytes a cold start reads only because of our lazy chunks: esbuild assigns whole files to chunks, so
 * what a lazy path uses of a file the entry also imports (an SDK client's schema file, a port's error
 * classes) is loaded with the entry. Measured as the cold-start bytes of the bundle as built, less
 * those of the same bundle with our dynamic imports left out; the SDK's own lazy imports stay.
 *
 * @example
 * await coldStartBytesOnlyLazyPathsUse(driftJob, '.bench/bundles'); // 4,600
 */
export async function coldStartBytesOnlyLazyPathsUse(built: Bundle, outdir: string): Promise<number> {
  const dir = path.join(outdir, `${built.name}.without-lazy-chunks`);
  rmSync(dir, { recursive: true, force: true });
  const entry = built.metafile.outputs[built.initialFiles[0]!]?.entryPoint;
  if (!entry) throw new Error(`${built.name}: no entry point in its metafile`);
  const { metafile } = await build({
    ...lambdaBundleOptions(path.join(PROJECT_ROOT, entry), dir, { absWorkingDir: PROJECT_ROOT }),
    plugins: [withoutOurLazyChunks],
  });
  const without = bundleSize(metafile, entryOutputKey(dir, PROJECT_ROOT)).initialBytes;
  const asBuilt = bundleSize(built.metafile, built.initialFiles[0]!).initialBytes;
  rmSync(dir, { recursive: true, force: true });
  // Within a few bytes: an external import names a source path, a lazy one its chunk's file name.
  return Math.max(0, asBuilt - without);
}
