/**
 * Flag usage metrics: every evaluation increments a counter on its compiled flag (no I/O, no
 * allocation); this module decides when those counters become CloudWatch embedded-metric-format
 * lines: at most once a minute per process. The flag-expiry job reads them back to tell flags served
 * one way for weeks, or never evaluated. Writing the lines is lazy (`flag-usage-lines.ts`, through `telemetry.ts`),
 * loaded at the first write, so a consumer's cold start carries only the counters and this clock check.
 *
 * When lines are written: at the first `loadFlags()` call or OpenFeature evaluation a minute or more
 * after the last lines, at the end of an invocation through the middleware (same minute rule), on
 * {@link flushFlagUsage}, and once a minute from an unreferenced timer, so a process that loaded its
 * flags once and only calls `isEnabled`/`value` on them still reports (without it such a consumer
 * would be silent, and its flags look never evaluated beside a sibling consumer that reports). A Lambda environment frozen between invocations keeps its counts and
 * writes them at its next invocation; if Lambda reclaims it first, the evaluations since its last
 * lines are lost (through the middleware: at most the last minute of a busy environment).
 */
import type { FlagEvaluator } from './flag-evaluator.js';
import type { TrackedSnapshot } from './flag-usage-lines.js';

/** The shortest time between two writes of usage lines (an explicit flush aside). */
export const FLAG_USAGE_INTERVAL_MS = 60_000;

/**
 * The counters of the flag snapshots being served, and when their lines were last written. One per
 * process ({@link flagUsage}); tests make their own.
 */
export class FlagUsageRecorder {
  #tracked: TrackedSnapshot[] = [];
  #lastWriteAt = Number.NEGATIVE_INFINITY;
  #writing: Promise<number> | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * Count this snapshot's evaluations for the service from now on; `previous` is written once more.
   * Without a `sink`, lines go to stdout.
   */
  track(
    service: string,
    evaluator: FlagEvaluator,
    sink?: (line: string) => void,
    previous?: FlagEvaluator,
  ): void {
    for (const entry of this.#tracked) if (entry.evaluator === previous) entry.retired = true;
    if (!this.#tracked.some((entry) => entry.evaluator === evaluator)) {
      this.#tracked.push({ service, evaluator, sink, retired: false });
    }
    this.#startTimer();
  }

  /**
   * The once-a-minute write that needs no caller. Unreferenced, so it never keeps a process alive; in
   * Lambda it does not run while the environment is frozen and fires, overdue, in the next invocation.
   */
  #startTimer(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.flushIfDue(Date.now()), FLAG_USAGE_INTERVAL_MS);
    this.#timer.unref?.();
  }

  /** Write the counts if a minute has passed since the last lines; resolves to the lines written. */
  flushIfDue(now: number): Promise<number> {
    if (this.#tracked.length === 0 || now - this.#lastWriteAt < FLAG_USAGE_INTERVAL_MS) {
      return this.#writing ?? Promise.resolve(0);
    }
    return this.flush(now);
  }

  /** Write every count now and reset them; never rejects (metrics must not break the flags they count). */
  flush(now: number): Promise<number> {
    this.#writing ??= this.#write(now).finally(() => {
      this.#writing = undefined;
    });
    return this.#writing;
  }

  async #write(now: number): Promise<number> {
    try {
      const { writeFlagUsageLines } = await import('./telemetry.js');
      const tracked = this.#tracked;
      this.#tracked = tracked.filter((entry) => !entry.retired);
      const written = writeFlagUsageLines(tracked, now);
      // Only lines count as a write: a process with nothing to report writes as soon as it has.
      if (written > 0) this.#lastWriteAt = now;
      return written;
    } catch {
      return 0;
    }
  }

  /** Forget every snapshot and its unwritten counts, and stop the timer (`clearFlagClients`). */
  reset(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#tracked = [];
    this.#lastWriteAt = Number.NEGATIVE_INFINITY;
  }
}

/** The process's usage counters: every `loadFlags` client reports through it. */
export const flagUsage = new FlagUsageRecorder();

/**
 * Write the flag usage counted so far as EMF lines now (`ifDue`: only if a minute has passed since
 * the last ones). The middleware does `ifDue` after every invocation; without it, call it at the end
 * of a handler that reads flags through `loadFlags`, or before a long-running process exits.
 *
 * @example
 * export const handler = async (event) => {
 *   try { return await serve(event); } finally { await flushFlagUsage({ ifDue: true }); }
 * };
 */
export function flushFlagUsage(options: { readonly ifDue?: boolean } = {}): Promise<number> {
  const now = Date.now();
  return options.ifDue ? flagUsage.flushIfDue(now) : flagUsage.flush(now);
}
