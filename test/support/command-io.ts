/** What CLI command tests give a command: recorded stdout and stderr lines, and an environment. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CommandIo } from '../../functions/cli/io.ts';

/**
 * @example
 * const { io, out, err } = recordingIo();
 * expect(await main(['apply', '--env', 'staging'], io)).toBe(0);
 */
export function recordingIo(env: Record<string, string | undefined> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { out: (l) => out.push(l), err: (l) => err.push(l), env };
  return { io, out, err };
}

/** An event written to a temporary file, for `steward invoke --event FILE`. */
export function eventFile(event: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'steward-invoke-')), 'event.json');
  writeFileSync(file, JSON.stringify(event));
  return file;
}
