/**
 * Where a planned change is written in `config/`, for `steward plan --format github` annotations: the
 * line of a key's value in a service's `values.<environment>` block, else the line that declares the
 * key, else the line that names the service. Found by reading the text (config is TypeScript and
 * evaluating it keeps no positions); a layout this does not recognise gives the file without a line,
 * or nothing.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

export interface SourceLine {
  /** Relative to the working directory, as GitHub annotations want it. */
  readonly file: string;
  /** 1-based; absent when only the file is known. */
  readonly line?: number;
}

/** Looks up lines in the service files of one config directory, each file read once. */
export class ConfigSourceLines {
  private files?: { readonly file: string; readonly lines: readonly string[] }[];

  constructor(
    private readonly configDir: string,
    private readonly cwd = process.cwd(),
  ) {}

  /** The line of a key's value for an environment (or of its declaration), in the service's file. */
  ofKey(service: string, key: string, environment: string): SourceLine | undefined {
    const found = this.serviceFile(service);
    if (!found) return undefined;
    const { file, lines, nameLine } = found;
    const keyPattern = new RegExp(`^\\s*(['"\`])?${escape(key)}\\1\\s*:`);
    const values = lines.findIndex((l, i) => i > nameLine && /^\s*values\s*:/.test(l));
    const envBlock =
      values === -1
        ? -1
        : lines.findIndex(
            (l, i) => i > values && new RegExp(`^\\s*(['"])?${escape(environment)}\\1\\s*:`).test(l),
          );
    if (envBlock !== -1) {
      const indent = indentOf(lines[envBlock] as string);
      for (let i = envBlock + 1; i < lines.length; i++) {
        const line = lines[i] as string;
        if (line.trim() !== '' && indentOf(line) <= indent) break;
        if (keyPattern.test(line)) return { file, line: i + 1 };
      }
    }
    const declared = lines.findIndex((l, i) => i > nameLine && keyPattern.test(l));
    return { file, line: (declared === -1 ? nameLine : declared) + 1 };
  }

  /** The line that names the service (`name: '<service>'`). */
  ofService(service: string): SourceLine | undefined {
    const found = this.serviceFile(service);
    return found && { file: found.file, line: found.nameLine + 1 };
  }

  private serviceFile(service: string) {
    const namePattern = new RegExp(`^\\s*name\\s*:\\s*(['"\`])${escape(service)}\\1`);
    for (const candidate of this.readFiles()) {
      const nameLine = candidate.lines.findIndex((l) => namePattern.test(l));
      if (nameLine !== -1) return { ...candidate, nameLine };
    }
    return undefined;
  }

  private readFiles() {
    this.files ??= sourceFiles(this.configDir).map((absolute) => ({
      file: path.relative(this.cwd, absolute).split(path.sep).join('/'),
      lines: readFileSync(absolute, 'utf8').split('\n'),
    }));
    return this.files;
  }
}

/** The `.ts`/`.js` files under a directory, sorted, skipping `node_modules`. */
function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const absolute = path.join(dir, entry);
    if (entry === 'node_modules') return [];
    if (statSync(absolute).isDirectory()) return sourceFiles(absolute);
    return /\.(ts|mts|js|mjs)$/.test(entry) ? [absolute] : [];
  });
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
