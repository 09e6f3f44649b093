import { describe, expect, it } from 'vitest';
import { createProgress } from '../../functions/cli/progress.ts';

/** A stand-in for process.stderr that records what was written. */
function stream(isTTY: boolean | undefined) {
  const written: string[] = [];
  return { written, isTTY, write: (text: string) => written.push(text) };
}

describe('Function: createProgress', () => {
  it('writes a self-erasing line to a terminal and erases it when done', () => {
    // Prepare
    const terminal = stream(true);
    const progress = createProgress(terminal);

    // Act
    progress.update('steward apply: staging 1/3 written');
    progress.done();

    // Assess
    expect(terminal.written).toEqual(['\r\x1b[2Ksteward apply: staging 1/3 written', '\r\x1b[2K']);
  });

  it.each([false, undefined])('writes nothing when the stream is not a terminal (isTTY %s)', (isTTY) => {
    // Prepare
    const piped = stream(isTTY);
    const progress = createProgress(piped);

    // Act
    progress.update('steward drift: 10 parameters read');
    progress.done();

    // Assess
    expect(piped.written).toEqual([]);
  });

  it('shows at most one update per interval', () => {
    // Prepare
    const terminal = stream(true);
    let now = 0;
    const progress = createProgress(terminal, { intervalMs: 100, now: () => now });

    // Act
    progress.update('1');
    now = 50;
    progress.update('2');
    now = 150;
    progress.update('3');

    // Assess
    expect(terminal.written).toEqual(['\r\x1b[2K1', '\r\x1b[2K3']);
  });
});
