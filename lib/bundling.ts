/**
 * How a Steward Lambda is bundled, in one place for the stack (`StewardFunction`) and the benchmarks
 * (`npm run bench`), so what is measured is what is deployed.
 *
 * ESM with code splitting: every `await import()` of the handler code (the GitHub and Jira trackers,
 * the PostgreSQL driver) becomes a chunk of its own under `chunks/`, read from disk only when that
 * path first runs. Without splitting esbuild inlines dynamic imports, and a lazy path would still be
 * parsed and compiled at every cold start. `NodejsFunction` cannot split (it bundles to one
 * `--outfile`), so `StewardFunction` runs esbuild itself through the same local-bundling hook.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BuildOptions, Metafile } from 'esbuild';
import { isOwnSource, keepSources, type SourceMapV3 } from './source-maps.ts';

/** Some CommonJS dependencies call `require()`: give every ESM chunk one. */
const REQUIRE_SHIM =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

/**
 * With the `sourceMaps` setting (opt-in, off by default), stack traces in the logs point at the
 * TypeScript sources. It costs cold start: Node.js reads and parses each loaded chunk's map at import,
 * so `trimSourceMaps` keeps that cost to our code. Off, no map is shipped and this flag is not set:
 * a map without the flag is read by nothing (Node.js maps only modules loaded while maps are enabled).
 */
export const SOURCE_MAPS_NODE_OPTIONS = '--enable-source-maps';

/** The file Lambda loads: `index.mjs`, so the handler setting is `index.handler`. */
export const ENTRY_FILE = 'index.mjs';

/**
 * `sourcemap` follows the `sourceMaps` setting and defaults to its default (off), so a caller that
 * does not say builds what is deployed by default.
 *
 * @example
 * await esbuild.build(lambdaBundleOptions('functions/handlers/drift-job.ts', 'dist/drift-job'));
 */
export function lambdaBundleOptions(
  entry: string,
  outdir: string,
  options: { sourcemap?: boolean; absWorkingDir?: string } = {},
): BuildOptions & { metafile: true } {
  return {
    entryPoints: { index: entry },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    // Everything is bundled, the AWS SDK too (not the runtime's copy): the versions tested are the
    // versions deployed.
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    // The SDK's ES module builds tree-shake; their CommonJS builds would carry every command.
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_SHIM },
    // Read by Node.js only with NODE_OPTIONS=--enable-source-maps (SOURCE_MAPS_NODE_OPTIONS).
    sourcemap: options.sourcemap ?? false,
    sourcesContent: false,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: options.absWorkingDir,
  };
}

/**
 * Rewrites every source map under `outdir` (after the build) to map our own code only: the
 * mappings into node_modules were about four fifths of each map, read and parsed at every cold
 * start for frames in libraries (lib/source-maps.ts). A file with none of our code keeps no map at
 * all (`dropSourceMap`).
 *
 * @example
 * buildSync(lambdaBundleOptions(entry, outdir));
 * trimSourceMaps(outdir);
 */
export function trimSourceMaps(outdir: string, projectRoot: string = process.cwd()): void {
  for (const entry of readdirSync(outdir, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.map')) continue;
    const file = path.join(outdir, entry);
    const map = keepSources(JSON.parse(readFileSync(file, 'utf8')) as SourceMapV3, isOwnSource);
    if (map.sources.length === 0) {
      dropSourceMap(file);
      continue;
    }
    // esbuild writes sources relative to the output folder, which CDK stages under the checkout or
    // a temporary folder: naming them from the project root makes the bundle (and so the asset hash
    // and the byte budgets) the same in every checkout, and a stack frame names `functions/...`.
    const sources = map.sources.map((source) =>
      path
        .relative(projectRoot, path.resolve(path.dirname(file), source))
        .split(path.sep)
        .join('/'),
    );
    writeFileSync(file, JSON.stringify({ ...map, sources }));
  }
}

/**
 * Removes a map that maps nothing, and the script's `sourceMappingURL` comment naming it: with
 * `--enable-source-maps` Node.js reads and parses the map of every file it loads, and most chunks
 * hold library code only (13 of validate-change's 18 files at cold start). Measured on
 * validate-change's import: about 5 to 10 ms of CPU of the 11 to 13 ms that the flag cost; stack
 * traces are the same, as those maps mapped no frame.
 */
function dropSourceMap(mapFile: string): void {
  const script = mapFile.slice(0, -'.map'.length);
  const code = readFileSync(script, 'utf8');
  const comment = `//# sourceMappingURL=${path.basename(mapFile)}`;
  const at = code.lastIndexOf(comment);
  if (at >= 0) writeFileSync(script, code.slice(0, at) + code.slice(at + comment.length).trimStart());
  rmSync(mapFile);
}

/** Bytes of a bundle: what a cold start reads and what only a lazy path reads. */
export interface BundleSize {
  /** The entry file and every chunk it imports statically: all of it is loaded at cold start. */
  readonly initialBytes: number;
  /** Every JavaScript file of the bundle, lazy chunks included. */
  readonly totalBytes: number;
  /** Output files loaded at cold start, relative to the working directory of the build. */
  readonly initialFiles: readonly string[];
}

/**
 * Reads a split bundle's sizes off its metafile; `entryOutput` is the entry's output path key.
 *
 * @example
 * const { metafile } = await esbuild.build(lambdaBundleOptions(entry, dir, { absWorkingDir: root }));
 * const { initialBytes, totalBytes } = bundleSize(metafile, entryOutputKey(dir, root));
 */
export function bundleSize(metafile: Metafile, entryOutput: string): BundleSize {
  const scripts = Object.entries(metafile.outputs).filter(([file]) => file.endsWith('.mjs'));
  const initial = new Set<string>();
  const visit = (file: string) => {
    if (initial.has(file)) return;
    initial.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) {
      if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
    }
  };
  visit(entryOutput);
  const bytesOf = (file: string) => metafile.outputs[file]?.bytes ?? 0;
  return {
    initialBytes: [...initial].reduce((sum, file) => sum + bytesOf(file), 0),
    totalBytes: scripts.reduce((sum, [, output]) => sum + output.bytes, 0),
    initialFiles: [...initial],
  };
}

/**
 * The metafile key of a build's entry output, given the directory the build ran in.
 *
 * @example
 * entryOutputKey('/repo/.bench/bundles/drift-job', '/repo'); // '.bench/bundles/drift-job/index.mjs'
 */
export function entryOutputKey(outdir: string, workingDir: string): string {
  return path.relative(workingDir, path.join(outdir, ENTRY_FILE));
}
