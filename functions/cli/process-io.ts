/**
 * The `CommandIo` of the real process, shared by both entries (bin/steward.mjs and `tsx functions/cli/main.ts`),
 * and what happens when the reader of stdout or stderr goes away (`steward flags | head -1`).
 */
import { constants } from 'node:os';
import type { CommandIo } from './io.ts';

/**
 * The status a shell reports for a process killed by SIGPIPE (128 + 13): what `seq 1 1000000 | head -1`
 * leaves in `${PIPESTATUS[0]}`, so `set -o pipefail` treats a cut-short steward run like any Unix tool's.
 */
export const READER_GONE_EXIT_CODE = 128 + constants.signals.SIGPIPE;

/** The part of a standard stream this module needs: its `error` events. */
export interface StandardStream {
  on(event: 'error', listener: (error: unknown) => void): unknown;
}

/**
 * Stop the process quietly when `stream`'s reader has gone away.
 *
 * Node ignores SIGPIPE, so a write to a closed pipe fails with EPIPE, emitted as an `error` event after the
 * write returned; unhandled, it prints a stack and exits 1. A Unix tool would die of SIGPIPE at that write
 * without a word, and so does this (`stop`, with {@link READER_GONE_EXIT_CODE}): nothing more can reach the
 * reader, and going on (reading AWS for minutes, say) would be work nobody waits for. Every other error on
 * the stream (a full disk behind `> file`, say) is rethrown as it was, and no other stream is watched: an
 * EPIPE on a socket to AWS is an AWS error, not a reader gone.
 *
 * @example
 * stopWhenReaderLeaves(process.stdout);
 */
export function stopWhenReaderLeaves(
  stream: StandardStream,
  stop: (code: number) => void = (code) => process.exit(code),
): void {
  stream.on('error', (error) => {
    if (!isBrokenPipe(error)) throw error;
    stop(READER_GONE_EXIT_CODE);
  });
}

function isBrokenPipe(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'EPIPE';
}

/**
 * The process's own stdout, stderr and environment for `main`, stopping quietly if a reader leaves.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), processIo());
 */
export function processIo(): CommandIo {
  stopWhenReaderLeaves(process.stdout);
  stopWhenReaderLeaves(process.stderr);
  return {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    env: process.env,
    // Progress lines go here, and only when it is a terminal.
    stderr: process.stderr,
  };
}
