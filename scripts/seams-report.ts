/**
 * Before/after figures for a refactor of the project's seams (issue 13): the largest files and the
 * longest functions of functions/ and lib/, the import cycles, and the `duplicates` pairs.
 *
 * @example
 * npx tsx scripts/seams-report.ts            # this tree
 * npx tsx scripts/seams-report.ts /tmp/tree  # another checkout (with its node_modules)
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import ts from 'typescript';

const TOP = 15;
/** What the report measures: the platform's code, not tests, benches or the example config. */
const MEASURED_DIRS = ['functions', 'lib'];
/** What `npm run cycles` checks. */
const CYCLE_DIRS = ['functions', 'lib', 'bin', 'packages/client/src'];

interface FunctionLength {
  readonly name: string;
  readonly where: string;
  readonly lines: number;
}

const root = path.resolve(process.argv[2] ?? '.');

function typeScriptFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.split(path.sep).includes('node_modules'))
    .sort();
}

function lineCount(text: string): number {
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** The name a reader would search for: `Class.method`, the variable an arrow is assigned to, … */
function functionName(node: ts.FunctionLikeDeclaration): string {
  const owner = ts.isClassLike(node.parent) && node.parent.name ? `${node.parent.name.text}.` : '';
  if (ts.isConstructorDeclaration(node)) return `${owner}constructor`;
  if (node.name && ts.isIdentifier(node.name)) return `${owner}${node.name.text}`;
  const holder = node.parent;
  if (
    (ts.isVariableDeclaration(holder) ||
      ts.isPropertyAssignment(holder) ||
      ts.isPropertyDeclaration(holder)) &&
    ts.isIdentifier(holder.name)
  ) {
    return holder.name.text;
  }
  if (ts.isCallExpression(holder)) return `(argument of ${holder.expression.getText().slice(0, 40)})`;
  return '(anonymous)';
}

function functionLengths(file: string): FunctionLength[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(path.join(root, file), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node) ||
      ts.isConstructorDeclaration(node)
    ) {
      if (node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        found.push({ name: functionName(node), where: `${file}:${start + 1}`, lines: end - start + 1 });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Cycles as madge finds them, with the options `npm run cycles` uses. */
function importCycles(): string[][] {
  const madge = createRequire(import.meta.url).resolve('madge/bin/cli.js');
  const run = spawnSync(
    process.execPath,
    [
      madge,
      '--circular',
      '--json',
      '--no-spinner',
      '--extensions',
      'ts',
      '--ts-config',
      'tsconfig.json',
      ...CYCLE_DIRS,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  if (run.error) throw run.error;
  return JSON.parse(run.stdout) as string[][];
}

/** The pair rows `duplicates` lists for one folder, and how many of them it marks boilerplate. */
function duplicatePairs(dir: string): { pairs: number; boilerplate: number } {
  const run = spawnSync('duplicates', ['--repo', path.join(root, dir), '--most', '200', '--seconds', '120'], {
    encoding: 'utf8',
  });
  if (run.error) throw run.error;
  if (/^incomplete:/m.test(run.stdout))
    throw new Error(`duplicates did not finish on ${dir}:\n${run.stdout}`);
  const rows = run.stdout.split('\n').filter((line) => /^D\d+ /.test(line));
  return { pairs: rows.length, boilerplate: rows.filter((row) => / boilerplate\b/.test(row)).length };
}

const files = MEASURED_DIRS.flatMap(typeScriptFiles);
const sizes = files
  .map((file) => ({ file, lines: lineCount(readFileSync(path.join(root, file), 'utf8')) }))
  .sort((a, b) => b.lines - a.lines);
const functions = files.flatMap(functionLengths).sort((a, b) => b.lines - a.lines);
const cycles = importCycles();
const commit = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
  cwd: root,
  encoding: 'utf8',
}).stdout.trim();

const out: string[] = [`# Seams report: ${root} (${commit || 'not a git checkout'})`, ''];
out.push(
  `${files.length} TypeScript files, ${sizes.reduce((sum, s) => sum + s.lines, 0)} lines in ${MEASURED_DIRS.join('/, ')}/`,
  '',
);
out.push(`## ${TOP} largest files`, '', '| file | lines |', '| --- | ---: |');
for (const { file, lines } of sizes.slice(0, TOP)) out.push(`| ${file} | ${lines} |`);
out.push('', `## ${TOP} longest functions`, '', '| function | where | lines |', '| --- | --- | ---: |');
for (const f of functions.slice(0, TOP)) out.push(`| ${f.name} | ${f.where} | ${f.lines} |`);
out.push('', `## Import cycles (madge, ${CYCLE_DIRS.join(' ')}): ${cycles.length}`);
if (cycles.length > 0) out.push('');
for (const cycle of cycles) out.push(`- ${cycle.join(' > ')}`);
out.push(
  '',
  '## `duplicates --most 200` pairs',
  '',
  '| folder | pairs | of which boilerplate |',
  '| --- | ---: | ---: |',
);
for (const dir of MEASURED_DIRS) {
  const { pairs, boilerplate } = duplicatePairs(dir);
  out.push(`| ${dir}/ | ${pairs} | ${boilerplate} |`);
}
console.log(out.join('\n'));
