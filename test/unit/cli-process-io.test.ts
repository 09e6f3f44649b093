import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { READER_GONE_EXIT_CODE, stopWhenReaderLeaves } from '../../functions/cli/process-io.ts';

function writeError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`write ${code}`), { code, syscall: 'write' });
}

describe('Function: stopWhenReaderLeaves', () => {
  it('stops with 141, the status of a process killed by SIGPIPE, when the reader has gone (EPIPE)', () => {
    // Prepare
    const stream = new EventEmitter();
    const stop = vi.fn();
    stopWhenReaderLeaves(stream, stop);

    // Act
    stream.emit('error', writeError('EPIPE'));

    // Assess
    expect(READER_GONE_EXIT_CODE).toBe(141);
    expect(stop).toHaveBeenCalledExactlyOnceWith(141);
  });

  it('rethrows any other write error (a full disk behind > file) and does not stop', () => {
    // Prepare
    const stream = new EventEmitter();
    const stop = vi.fn();
    stopWhenReaderLeaves(stream, stop);
    const full = writeError('ENOSPC');

    // Act
    const emitting = () => stream.emit('error', full);

    // Assess
    expect(emitting).toThrow(full);
    expect(stop).not.toHaveBeenCalled();
  });
});
