/**
 * One document read from the AppConfig extension and kept: the first read fails fast, later reads
 * happen in the background once the poll interval has passed (stale-while-revalidate), and a failed
 * re-read keeps the last good document, logging once per outage and counting every failure.
 */
import { type ExtensionFailureReason, InvalidConfigDocumentError } from './errors.js';
import { type ClientOptions, type ExtensionTarget, extensionUrl } from './extension.js';
import { readFromExtension } from './extension-read.js';
import type { ClientLogger, DegradedReport } from './telemetry.js';

export interface DocumentSourceOptions<T> extends ClientOptions {
  /** Turns the raw JSON into the kept document; throws (or rejects) to reject it. */
  readonly parse: (raw: unknown) => T | Promise<T>;
  /** Called with every document accepted, the first included. */
  readonly onUpdate?: (document: T) => void;
  /** For feature-flag profiles: read only these flags (`?flag=`). */
  readonly flags?: readonly string[];
  /** Called after every failed background re-read (the last good document is still served). */
  readonly onRefreshFailed?: (report: DegradedReport) => void;
}

/**
 * @example
 * const source = new DocumentSource(resolveTarget('orders', 'config'), { parse: (raw) => ordersSchema.parse(raw) });
 * const document = await source.get();
 */
export class DocumentSource<T> {
  readonly target: ExtensionTarget;
  readonly url: string;
  readonly #parse: (raw: unknown) => T | Promise<T>;
  readonly #onUpdate: ((document: T) => void) | undefined;
  /** Undefined: JSON lines on stdout, written by `telemetry.ts`, which loads with the first failure. */
  readonly #logger: ClientLogger | undefined;
  readonly #onDegraded: ((report: DegradedReport) => void) | undefined;
  readonly #onRefreshFailed: ((report: DegradedReport) => void) | undefined;
  readonly #metricSink: ((line: string) => void) | undefined;
  readonly #clock: () => number;
  readonly #only: readonly string[] | undefined;
  #current: T | undefined;
  #readAt = 0;
  #nextReadAt = 0;
  #failures = 0;
  #firstLoad: Promise<T> | undefined;
  #refreshing: Promise<void> | undefined;

  constructor(target: ExtensionTarget, options: DocumentSourceOptions<T>) {
    this.target = target;
    this.url = extensionUrl(target, options.flags);
    this.#parse = options.parse;
    this.#onUpdate = options.onUpdate;
    this.#logger = options.logger;
    this.#onDegraded = options.onDegraded;
    this.#onRefreshFailed = options.onRefreshFailed;
    this.#metricSink = options.metricSink;
    this.#clock = options.clock ?? Date.now;
    this.#only = options.flags;
  }

  /** The document being served, `undefined` before the first successful read. */
  get current(): T | undefined {
    return this.#current;
  }

  /** Failed background refreshes in a row; 0 when healthy. */
  get consecutiveFailures(): number {
    return this.#failures;
  }

  /**
   * The document: read (and awaited) the first time, then served from memory; once the poll
   * interval has passed a background re-read starts and this call does not wait for it.
   */
  get(): Promise<T> {
    if (this.#current === undefined) return this.load();
    this.refreshIfStale();
    return Promise.resolve(this.#current);
  }

  /** The first read; concurrent callers share it. Rejects with the failure (fail fast). */
  load(): Promise<T> {
    if (this.#current !== undefined) return Promise.resolve(this.#current);
    this.#firstLoad ??= this.#read().finally(() => {
      this.#firstLoad = undefined;
    });
    return this.#firstLoad;
  }

  /** Start a background re-read if the poll interval has passed and none is running. */
  refreshIfStale(): void {
    if (this.#refreshing !== undefined || this.#current === undefined || this.#clock() < this.#nextReadAt)
      return;
    this.#refreshing = this.#refresh().finally(() => {
      this.#refreshing = undefined;
    });
  }

  /** Resolves when no background re-read is running (tests and graceful shutdown). */
  async whenIdle(): Promise<void> {
    while (this.#refreshing !== undefined) await this.#refreshing;
  }

  async #read(): Promise<T> {
    const { localFile, killSwitches } = this.target;
    const raw =
      localFile !== undefined
        ? // Local mode is for tests and local runs, refused inside Lambda by default: a lazy chunk keeps
          // it out of a deployed function's cold start.
          await (await import('./local-file.js')).readFromFile(localFile, this.#only)
        : killSwitches === undefined
          ? await readFromExtension(this.url, this.target.timeoutMs)
          : withKillSwitches(
              ...(await Promise.all([
                readFromExtension(this.url, this.target.timeoutMs),
                // The whole switches document (it is small): a `?flag=` the profile lacks is not asked.
                readFromExtension(extensionUrl({ ...this.target, ...killSwitches }), this.target.timeoutMs),
              ])),
              this.#only,
              killSwitches.profile,
            );
    const document = await this.#parse(raw);
    const now = this.#clock();
    this.#current = document;
    this.#readAt = now;
    this.#nextReadAt = now + this.target.pollMs;
    this.#onUpdate?.(document);
    return document;
  }

  async #refresh(): Promise<void> {
    try {
      await this.#read();
      if (this.#failures > 0) {
        const { logRecoveredRefresh } = await import('./telemetry.js');
        logRecoveredRefresh(this.#where(), this.#failures, this.#logger);
      }
      this.#failures = 0;
    } catch (error) {
      const now = this.#clock();
      this.#nextReadAt = now + this.target.pollMs;
      this.#failures += 1;
      const report: DegradedReport = {
        service: this.target.service,
        profile: this.target.profile,
        reason: failureReason(error),
        consecutiveFailures: this.#failures,
        staleForMs: now - this.#readAt,
      };
      // Logging and metrics load with the first failed refresh (in the background, never on a
      // request's path): a healthy consumer's cold start does not read them.
      const { recordFailedRefresh } = await import('./telemetry.js');
      recordFailedRefresh(report, error, this.#where(), now, this.#logger, this.#metricSink);
      try {
        this.#onRefreshFailed?.(report);
        this.#onDegraded?.(report);
      } catch {
        // A failing hook must not take the last good document down with it.
      }
    }
  }

  #where(): Record<string, string> {
    const { service, application, environment, profile } = this.target;
    return { service, application, environment, profile };
  }
}

/**
 * The flags with the kill switches on top (a switch wins over a flag of the same key), narrowed to
 * `only` when given. Either read failing fails the read, so the last good pair keeps being served.
 * A switches document that is JSON but not an object (`[]`, `null`, `3`) is broken, not empty:
 * reading it as "no switches" would answer off for a switch engaged in an incident.
 */
function withKillSwitches(
  flags: unknown,
  switches: unknown,
  only: readonly string[] | undefined,
  switchesProfile: string,
): unknown {
  if (!isObject(switches)) {
    throw new InvalidConfigDocumentError(
      `the kill switches (${switchesProfile}) are invalid: (document) is not a JSON object`,
      ['(document)'],
    );
  }
  // A flags document that is not an object is named by the flags parser.
  if (!isObject(flags)) return flags;
  const picked = only
    ? Object.fromEntries(only.filter((key) => key in switches).map((key) => [key, switches[key]]))
    : switches;
  return { ...flags, ...picked };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failureReason(error: unknown): ExtensionFailureReason {
  const reason = (error as { reason?: ExtensionFailureReason } | undefined)?.reason;
  return reason ?? 'invalid-document';
}
