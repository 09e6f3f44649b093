/**
 * Progress of long runs (`drift`, `apply` over thousands of parameters) on one self-erasing line of
 * stderr, only when stderr is a terminal: piped or redirected output, CI logs and `--json` on stdout
 * never see it.
 */

/** The part of `process.stderr` progress needs; injectable so tests can decide what a terminal is. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface Progress {
  /** Show `text` as the current state (rate-limited, so a tight loop costs nothing). */
  update(text: string): void;
  /** Erase the line: call before printing results. */
  done(): void;
}

const NO_PROGRESS: Progress = { update: () => undefined, done: () => undefined };

/** Erase the current terminal line and return to its start. */
const CLEAR_LINE = '\r\x1b[2K';

/**
 * A progress line on `stream` if it is a terminal, else one that prints nothing.
 *
 * @example
 * const progress = createProgress(process.stderr);
 * progress.update('staging: 120/4,500 written');
 * progress.done();
 */
export function createProgress(
  stream: ProgressStream | undefined,
  options: { intervalMs?: number; now?: () => number } = {},
): Progress {
  if (stream?.isTTY !== true) return NO_PROGRESS;
  const intervalMs = options.intervalMs ?? 100;
  const now = options.now ?? Date.now;
  let shownAt = Number.NEGATIVE_INFINITY;
  let showing = false;
  return {
    update(text) {
      const at = now();
      if (at - shownAt < intervalMs) return;
      shownAt = at;
      showing = true;
      stream.write(`${CLEAR_LINE}${text}`);
    },
    done() {
      if (showing) stream.write(CLEAR_LINE);
      showing = false;
    },
  };
}

/** `1234` → `1,234`. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
