import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { READER_GONE_EXIT_CODE } from '../../functions/cli/process-io.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Run `steward ...args` in a child process. With `closeStdout`, the parent closes its end of the stdout pipe
 * at once, long before the CLI (which takes a second to load through tsx) writes: its first write meets a
 * reader that has gone, as behind `| head -1` once head has its line.
 */
function steward(args: string[], { closeStdout }: { closeStdout: boolean }): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'steward.mjs'), ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    if (closeStdout) child.stdout.destroy();
    else child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

describe('CLI: steward with its stdout closed early (| head)', () => {
  it.each([[['help']], [['check']], [['flags']], [['flags', 'refs']], [['plan', '--help']]])(
    'steward %j stops quietly with the SIGPIPE status, no stack on stderr',
    async (args) => {
      // Act
      const { code, signal, stderr } = await steward(args, { closeStdout: true });

      // Assess
      expect(stderr).toBe('');
      expect(signal).toBeNull();
      expect(code).toBe(READER_GONE_EXIT_CODE);
    },
    30_000,
  );

  it('a run whose stdout is read to the end keeps its own output and exit code', async () => {
    // Act
    const { code, stdout, stderr } = await steward(['help'], { closeStdout: false });

    // Assess
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toContain('usage: steward <command> [options]');
    expect(stdout).toMatch(/^ {2}5 {2}internal error/m);
  }, 30_000);
});
