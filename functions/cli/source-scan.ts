/**
 * Reads source trees for `steward flags refs` and for synth's code-reference digest, and hands each
 * file to the pure finder (core/flags/code-references.ts). A file that cannot be a source (binary,
 * huge, unreadable) is skipped and named; it never stops the scan.
 */
import { type Dirent, existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { type FileReferences, findFlagReferences, SOURCE_EXTENSIONS } from '../core/flags/code-references.ts';
import { ConfigurationError } from '../core/errors.ts';
import type { Settings } from '../core/settings.ts';

/** Build output and installed packages: scanning them would report the same call twice, or others' calls. */
export const SKIPPED_DIRECTORIES: readonly string[] = ['node_modules', 'dist', 'cdk.out'];
/** Larger files are bundles or generated code, not sources a team edits. */
export const MAX_SOURCE_BYTES = 1024 * 1024;
/** A NUL byte in the first bytes marks a binary file. */
const BINARY_PROBE_BYTES = 8000;

export interface SkippedFile {
  readonly file: string;
  readonly reason: string;
}

export interface SourceScan {
  readonly found: readonly FileReferences[];
  /** Source files parsed (or found to mention no flag call). */
  readonly files: number;
  readonly skipped: readonly SkippedFile[];
}

/**
 * Scan directories (or single files) for flag references. Paths in the result are relative to
 * `relativeTo`, with `/` separators, so `file:line` reads the same on every machine.
 *
 * @example
 * const scan = scanSources(['functions/handlers'], { relativeTo: process.cwd() });
 * const report = compareWithDeclaredFlags(scan.found, declaredFlags);
 */
export function scanSources(roots: readonly string[], options: { relativeTo: string }): SourceScan {
  const found: FileReferences[] = [];
  const skipped: SkippedFile[] = [];
  let files = 0;
  const display = (file: string) => displayPath(file, options.relativeTo);

  const scanFile = (file: string) => {
    const source = readSource(file);
    if ('skipped' in source) {
      skipped.push({ file: display(file), reason: source.skipped });
      return;
    }
    files++;
    found.push(findFlagReferences({ path: display(file), text: source.text }));
  };
  const walk = (directory: string) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch (error) {
      skipped.push({ file: display(directory), reason: `unreadable directory (${errorCode(error)})` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = path.join(directory, entry.name);
      // Symbolic links are not followed: a link back up the tree would never end.
      if (entry.isDirectory() && !SKIPPED_DIRECTORIES.includes(entry.name) && !entry.name.startsWith('.')) {
        walk(full);
      } else if (entry.isFile() && isSourceFile(entry.name)) {
        scanFile(full);
      }
    }
  };

  for (const root of roots) {
    const stat = lstatSync(root, { throwIfNoEntry: false });
    if (stat?.isDirectory()) walk(path.resolve(root));
    else if (stat?.isFile()) scanFile(path.resolve(root));
    else skipped.push({ file: display(path.resolve(root)), reason: 'not found' });
  }
  return { found, files, skipped };
}

/** `file` relative to `base` with `/` separators: the form every report prints. */
export function displayPath(file: string, base: string): string {
  return path.relative(base, path.resolve(file)).split(path.sep).join('/') || '.';
}

function isSourceFile(name: string): boolean {
  if (name.endsWith('.d.ts') || name.endsWith('.d.mts') || name.endsWith('.d.cts')) return false;
  return SOURCE_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

/** A file's text, or why it is not read as source. */
function readSource(file: string): { text: string } | { skipped: string } {
  try {
    if (lstatSync(file).size > MAX_SOURCE_BYTES)
      return { skipped: `larger than ${MAX_SOURCE_BYTES / 1024} KB` };
    const bytes = readFileSync(file);
    if (bytes.subarray(0, BINARY_PROBE_BYTES).includes(0)) return { skipped: 'binary' };
    return { text: bytes.toString('utf8') };
  } catch (error) {
    return { skipped: `unreadable (${errorCode(error)})` };
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/**
 * The sources `flags.codeReferences.sources` names, as absolute paths, or undefined when the setting
 * is absent. A source that does not exist is a configuration error: scanning nothing would report
 * every flag as unreferenced.
 *
 * @example
 * const roots = settingsSources(settings, path.dirname(configDir)) ?? [process.cwd()];
 */
export function settingsSources(settings: Settings, projectRoot: string): string[] | undefined {
  const sources = settings.flags.codeReferences?.sources;
  if (sources === undefined) return undefined;
  const resolved = sources.map((source) => path.resolve(projectRoot, source));
  const missing = sources.filter((_, i) => !existsSync(resolved[i] ?? ''));
  if (missing.length > 0) {
    throw new ConfigurationError(
      `settings flags.codeReferences.sources: not found under ${projectRoot}: ${missing.join(', ')}`,
    );
  }
  return resolved;
}
