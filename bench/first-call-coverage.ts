/**
 * What a handler's cold start loads that its first invocation never runs: the handler bundled as
 * deployed but unminified (esbuild then marks each module with a `// path` comment), imported and
 * called once on its representative event (bench/first-invocation.ts, AWS answered by the local
 * endpoint of bench/fake-aws.ts) under V8's block coverage (NODE_V8_COVERAGE). Per module loaded at
 * cold start: its minified bytes and the share of its unminified source that ran (module scope
 * counts as run). A module of ours that loads at cold start and barely runs is the candidate for a
 * lazy chunk; one that runs is needed by the first invocation, whatever its size.
 *
 * `npx tsx bench/first-call-coverage.ts validate-change [rotate-secret ...]`
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { bundleSize, entryOutputKey, lambdaBundleOptions } from '../lib/bundling.ts';
import { PROJECT_ROOT } from '../lib/constructs/steward-function.ts';
import { handlerEntries, originOf } from './bundling.ts';
import { functionEnvironment } from './cold-start.ts';
import { startFakeAws } from './fake-aws.ts';
import { coldSample, invocationCases } from './first-invocation.ts';
import { moduleMarker } from './profile-import.ts';

interface CoverageRange {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface ScriptCoverage {
  url: string;
  functions: { ranges: CoverageRange[] }[];
}

/** Per module: characters of its source in the bundle, and how many of them ran. */
export interface ModuleCoverage {
  readonly module: string;
  /** Bytes the module contributes to the minified bundle's cold-start files. */
  readonly minifiedBytes: number;
  /** Share of its unminified source that ran during import + first invocation, 0 to 1. */
  readonly ran: number;
}

/**
 * Which characters of `source` ran: ranges painted outermost first, so a block or function that
 * never ran (count 0) shows inside one that did.
 */
function ranCharacters(source: string, functions: ScriptCoverage['functions']): Uint8Array {
  const ran = new Uint8Array(source.length);
  const ranges = functions
    .flatMap((f) => f.ranges)
    .sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
  for (const range of ranges) ran.fill(range.count > 0 ? 1 : 0, range.startOffset, range.endOffset);
  return ran;
}

/** Each module's span of one bundle file, read off esbuild's `// path` markers. */
function moduleSpans(source: string): { module: string; start: number; end: number }[] {
  const spans: { module: string; start: number; end: number }[] = [];
  let offset = 0;
  for (const line of source.split('\n')) {
    const module = moduleMarker(line);
    if (module) {
      const last = spans.at(-1);
      if (last) last.end = offset;
      spans.push({ module, start: offset, end: source.length });
    }
    offset += line.length + 1;
  }
  return spans;
}

/**
 * Coverage of one handler's cold-start files during its import and first invocation.
 *
 * @example
 * const modules = await firstCallCoverage('validate-change');
 * modules.filter((m) => m.module.startsWith('functions/') && m.ran < 0.2);
 */
export async function firstCallCoverage(name: string): Promise<ModuleCoverage[]> {
  const entry = handlerEntries().find((h) => h.name === name)?.entry;
  if (!entry) throw new Error(`no handler named ${name}`);
  const work = mkdtempSync(path.join(tmpdir(), 'first-call-coverage-'));
  const aws = await startFakeAws();
  try {
    const outdir = path.join(work, 'bundle');
    const options = lambdaBundleOptions(entry, outdir, { absWorkingDir: PROJECT_ROOT });
    // Minified for the bytes deployed; unminified, with module markers, for the coverage.
    const minified = await build({ ...options, outdir: path.join(work, 'minified') });
    const minifiedInitial = bundleSize(
      minified.metafile,
      entryOutputKey(path.join(work, 'minified'), PROJECT_ROOT),
    );
    const minifiedBytes = new Map<string, number>();
    for (const file of minifiedInitial.initialFiles) {
      for (const [input, { bytesInOutput }] of Object.entries(minified.metafile.outputs[file]!.inputs)) {
        const module = moduleMarker(`// ${input}`) ?? input;
        minifiedBytes.set(module, (minifiedBytes.get(module) ?? 0) + bytesInOutput);
      }
    }
    const unminified = await build({ ...options, minify: false });
    const initialFiles = bundleSize(
      unminified.metafile,
      entryOutputKey(outdir, PROJECT_ROOT),
    ).initialFiles.map((file) => path.join(PROJECT_ROOT, file));

    const coverageDir = path.join(work, 'coverage');
    const invocation = invocationCases(aws.url)[name];
    await coldSample(
      path.join(outdir, 'index.mjs'),
      {
        ...functionEnvironment(),
        AWS_ENDPOINT_URL: aws.url,
        ...invocation?.environment,
        NODE_V8_COVERAGE: coverageDir,
      },
      invocation?.event,
    );
    const scripts = readdirSync(coverageDir).flatMap(
      (file) =>
        (JSON.parse(readFileSync(path.join(coverageDir, file), 'utf8')) as { result: ScriptCoverage[] })
          .result,
    );

    const chars = new Map<string, { total: number; ran: number }>();
    for (const file of initialFiles) {
      const source = readFileSync(file, 'utf8');
      const coverage = scripts.find((s) => s.url.startsWith('file:') && fileURLToPath(s.url) === file);
      const ran = coverage ? ranCharacters(source, coverage.functions) : new Uint8Array(source.length);
      for (const span of moduleSpans(source)) {
        const seen = chars.get(span.module) ?? { total: 0, ran: 0 };
        seen.total += span.end - span.start;
        for (let at = span.start; at < span.end; at++) seen.ran += ran[at]!;
        chars.set(span.module, seen);
      }
    }
    return [...chars].map(([module, { total, ran }]) => ({
      module,
      minifiedBytes: minifiedBytes.get(module) ?? 0,
      ran: total === 0 ? 0 : ran / total,
    }));
  } finally {
    await aws.close();
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(2)} KB`;
  for (const name of process.argv.slice(2)) {
    const modules = await firstCallCoverage(name);
    const byOrigin = new Map<string, { bytes: number; unrun: number }>();
    for (const m of modules) {
      const origin = originOf(m.module);
      const seen = byOrigin.get(origin) ?? { bytes: 0, unrun: 0 };
      seen.bytes += m.minifiedBytes;
      seen.unrun += m.minifiedBytes * (1 - m.ran);
      byOrigin.set(origin, seen);
    }
    console.log(
      `\n${name}: minified bytes loaded at cold start, and the share of them the import + first invocation never ran (by the unminified source's coverage)\n`,
    );
    console.log('| origin | loaded | never ran |');
    console.log('| --- | ---: | ---: |');
    for (const [origin, { bytes, unrun }] of [...byOrigin].sort((a, b) => b[1].bytes - a[1].bytes)) {
      console.log(`| ${origin} | ${kb(bytes)} | ${kb(unrun)} (${((unrun / bytes) * 100).toFixed(0)} %) |`);
    }
    console.log('\nOur modules, by bytes never run:\n');
    console.log('| module | loaded | ran |');
    console.log('| --- | ---: | ---: |');
    for (const m of modules
      .filter((m) => originOf(m.module) === 'our code')
      .sort((a, b) => b.minifiedBytes * (1 - b.ran) - a.minifiedBytes * (1 - a.ran))
      .slice(0, 20)) {
      console.log(`| ${m.module} | ${kb(m.minifiedBytes)} | ${(m.ran * 100).toFixed(0)} % |`);
    }
  }
}
