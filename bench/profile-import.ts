/**
 * Where a handler's cold import spends its time: bundles the handler as deployed but unminified
 * (esbuild then marks each module with a `// path` comment), imports it once under
 * `node --cpu-prof`, and charges every sample to the innermost frame of our own code (functions/,
 * config/) on its stack, or else to the package of its innermost frame. Module compilation and
 * other work outside JavaScript frames is reported as "(runtime: compile, GC, ...)".
 *
 * A CPU profile cannot say which module's top level called into zod (every module's top level is
 * one function of the bundle), so the same import is run once more with a clock mark inserted at
 * each top-level module marker: the time between two marks is that module's module-scope work,
 * schema construction included.
 *
 * `npx tsx bench/profile-import.ts validate-change [runs]`: the mean over runs, ms per origin.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { lambdaBundleOptions } from '../lib/bundling.ts';
import { PROJECT_ROOT } from '../lib/constructs/steward-function.ts';
import { functionEnvironment } from './cold-start.ts';
import { handlerEntries } from './bundling.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * The module an esbuild `// path` marker line opens, relative to the project root. A worktree whose
 * node_modules is a symlink gets markers like `../main/node_modules/zod/...`: those are packages too.
 */
export function moduleMarker(text: string): string | undefined {
  const marker =
    /^\/\/ (?:\.\.\/)*(?:[\w.-]+\/)*?((?:node_modules\/|functions\/|config\/|packages\/)\S+)$/.exec(text);
  return marker?.[1];
}

/** For each output file, the module each line belongs to, read off esbuild's `// path` markers. */
function moduleOfLine(file: string): (line: number) => string {
  const starts: { line: number; module: string }[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, line) => {
      const module = moduleMarker(text);
      if (module) starts.push({ line, module });
    });
  return (line) => {
    let found = '(bundle prelude)';
    for (const start of starts) {
      if (start.line > line) break;
      found = start.module;
    }
    return found;
  };
}

const originOfModule = (module: string) =>
  /^(functions|config)\//.test(module)
    ? module
    : (/^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(module)?.[1] ?? module);

async function profileOnce(entry: string, outdir: string, profileDir: string): Promise<Map<string, number>> {
  const options = lambdaBundleOptions(entry, outdir, { absWorkingDir: PROJECT_ROOT });
  await build({ ...options, minify: false });
  const file = path.join(outdir, 'index.mjs');
  const script = `await import(${JSON.stringify(pathToFileURL(file).href)});`;
  const env = functionEnvironment();
  const result = spawnSync(
    process.execPath,
    [
      '--cpu-prof',
      '--cpu-prof-dir',
      profileDir,
      '--cpu-prof-interval',
      '100',
      '--input-type=module',
      '-e',
      script,
    ],
    { env, encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(result.stderr);
  const profileFile = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'))!;
  const profile = JSON.parse(readFileSync(path.join(profileDir, profileFile), 'utf8')) as CpuProfile;
  rmSync(path.join(profileDir, profileFile));

  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const lineMaps = new Map<string, (line: number) => string>();
  const moduleOf = (frame: ProfileNode['callFrame']) => {
    if (!frame.url.startsWith('file://') || !frame.url.includes(outdir)) return undefined;
    const local = new URL(frame.url).pathname;
    if (!lineMaps.has(local)) lineMaps.set(local, moduleOfLine(local));
    return lineMaps.get(local)!(frame.lineNumber);
  };
  const charge = new Map<string, number>();
  for (const [module, ms] of moduleScopeTimes(file, env)) charge.set(`module scope: ${module}`, ms);
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    let innermost: string | undefined;
    let ours: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !ours; at = parent.get(at)) {
      const module = moduleOf(byId.get(at)!.callFrame);
      if (!module) continue;
      innermost ??= module;
      if (/^(functions|config)\//.test(module)) ours = module;
    }
    const name = byId.get(id)!.callFrame.functionName;
    const key =
      ours ??
      (innermost
        ? originOfModule(innermost)
        : name.startsWith('(')
          ? `(runtime: ${name})`
          : '(node internals)');
    charge.set(key, (charge.get(key) ?? 0) + ms);
  });
  return charge;
}

/** Statements that open a module's top-level code in an unminified ESM bundle. */
const TOP_LEVEL_START = /^(var|let|const|function|async function|class|import|export|init_\w+\(\);)\b/;

/** Labels of the marks at a file's edges: between files V8 compiles the next file's top level. */
const FILE_PRELUDE = '(file prelude: require shim, chunk imports)';
const BETWEEN_FILES = '(between files: compiling the next file)';

function insertScopeMarks(file: string): void {
  const lines = readFileSync(file, 'utf8').split('\n');
  const mark = (label: string) =>
    `(globalThis.__scopeMarks ??= []).push([${JSON.stringify(label)}, __cpuNow()]);`;
  // The first statement runs once the file is compiled, the last once its top level has run: without
  // them a file's compile time was charged to whichever module the previous file evaluated last.
  const out: string[] = [mark(FILE_PRELUDE)];
  lines.forEach((text, i) => {
    out.push(text);
    const module = moduleMarker(text);
    if (module && TOP_LEVEL_START.test(lines[i + 1] ?? '')) out.push(mark(module));
  });
  out.push(mark(BETWEEN_FILES));
  writeFileSync(file, out.join('\n'));
}

/**
 * Module-scope milliseconds per module: marks inserted at each top-level module marker. The clock is
 * the process's CPU time (user + system), not wall time: on a machine shared with other work, wall
 * time between two marks mostly measures waiting for a core.
 */
function moduleScopeTimes(file: string, env: Record<string, string>): Map<string, number> {
  // The entry and its chunks: shared modules (the event catalog, zod) sit in chunks.
  const dir = path.dirname(file);
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (entry.endsWith('.mjs')) insertScopeMarks(path.join(dir, entry));
  }
  const script = `globalThis.__cpuNow = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; }; globalThis.__scopeMarks = []; await import(${JSON.stringify(pathToFileURL(file).href)}); const end = __cpuNow(); process.stdout.write(JSON.stringify({ marks: globalThis.__scopeMarks, end }));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    env,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(result.stderr);
  const { marks, end } = JSON.parse(result.stdout) as { marks: [string, number][]; end: number };
  const times = new Map<string, number>();
  marks.forEach(([module, at], i) => {
    const next = marks[i + 1]?.[1] ?? end;
    const key = originOfModule(module);
    times.set(key, (times.get(key) ?? 0) + (next - at));
  });
  return times;
}

export async function profileImport(name: string, runs: number): Promise<[string, number][]> {
  const entry = handlerEntries().find((h) => h.name === name)?.entry;
  if (!entry) throw new Error(`no handler named ${name}`);
  const work = mkdtempSync(path.join(tmpdir(), 'profile-'));
  const total = new Map<string, number>();
  try {
    for (let i = 0; i < runs; i++) {
      for (const [key, ms] of await profileOnce(entry, path.join(work, 'bundle'), work)) {
        total.set(key, (total.get(key) ?? 0) + ms / runs);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return [...total].sort((a, b) => b[1] - a[1]);
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const [name = 'validate-change', runs = '5'] = process.argv.slice(2);
  const charged = await profileImport(name, Number(runs));
  const scope = charged.filter(([key]) => key.startsWith('module scope: '));
  const sampled = charged.filter(([key]) => !key.startsWith('module scope: '));
  const sum = sampled.reduce((s, [, ms]) => s + ms, 0);
  console.log(
    `CPU profile of importing ${name} (unminified, otherwise as deployed; mean of ${runs} runs; ${sum.toFixed(1)} ms sampled): samples charged to the innermost package frame`,
  );
  console.log('| charged to | ms |');
  console.log('| --- | ---: |');
  for (const [key, ms] of sampled.slice(0, 12)) console.log(`| ${key} | ${ms.toFixed(1)} |`);
  console.log(
    `\nModule-scope work of the same import (CPU time between marks; our modules by file, packages whole): top 20`,
  );
  console.log('| module | ms |');
  console.log('| --- | ---: |');
  for (const [key, ms] of scope.slice(0, 20))
    console.log(`| ${key.slice('module scope: '.length)} | ${ms.toFixed(2)} |`);
}
