/**
 * A throwaway copy of the project for tests that run the CDK CLI on an edited `config/`: the Lambda
 * bundles import `config/` by a fixed relative path, so a config directory elsewhere would not do.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Installed packages (linked, not copied), build outputs and git: everything else is copied. */
const NOT_COPIED = /^(node_modules|cdk\.out|\.git|\.bench|coverage|\.check-.*)$/;

/**
 * @example
 * const dir = copyOfProject();
 * replaceIn(path.join(dir, 'config/services/orders.ts'), "'max-retries': 3,", "'max-retries': 'x',");
 * const result = run(dir, 'npx', ['cdk', 'synth', '--quiet']);
 * removeCopy(dir);
 */
export function copyOfProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'steward-project-'));
  for (const entry of readdirSync(PROJECT_ROOT)) {
    if (NOT_COPIED.test(entry)) continue;
    cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

export function replaceIn(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`edit did not apply to ${file}: ${from} not found`);
  writeFileSync(file, text.replace(from, to));
}

export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Runs a command as a user would, in `cwd`, without the variables of a debugging session. */
export function run(
  cwd: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): CommandResult {
  const started = performance.now();
  const {
    CDK_DEBUG: _debug,
    CDK_OUTDIR: _outdir,
    STEWARD_SETTINGS_FILE: _settings,
    ...inherited
  } = process.env;
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...inherited, ...env } });
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Every entry of a directory, recursively, relative to it; empty when it does not exist. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' });
}

export function removeCopy(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
