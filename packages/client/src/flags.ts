/** `loadFlags(service)`: the service's feature flags from the AppConfig extension, evaluated locally. */
import { DocumentSource } from './document-source.js';
import { type ClientOptions, type ExtensionTarget, resolveTarget } from './extension.js';
import { parseFlagDocument } from './flag-document.js';
import { flagUsage } from './flag-usage.js';
import type { ClientLogger } from './telemetry.js';
import {
  type FlagContext,
  FlagEvaluator,
  type FlagReason,
  hasRuleBasedFlags,
  loadRuleEngine,
  type Flags,
  type FlagValue,
  NO_FLAGS,
} from './flag-evaluator.js';

/**
 * What happens to a live flags client between requests: a refresh brought new flag values
 * (`changed`, with the keys that differ), a refresh failed and the last good document is served
 * (`stale`), or a refresh succeeded again after failures (`recovered`).
 */
export type FlagsEvent =
  | { readonly type: 'changed'; readonly flags: readonly string[] }
  | { readonly type: 'stale'; readonly reason: string }
  | { readonly type: 'recovered' };

export interface FlagsOptions extends ClientOptions {
  /** Read only these flags (the extension's `?flag=` query). @default every flag of the profile */
  readonly only?: readonly string[];
  /**
   * Count evaluations per flag, variant and reason and write them as EMF lines (to `metricSink`) at
   * most once a minute; `false` opts out. EMF on stdout becomes metrics through Lambda's log pipeline
   * (elsewhere only through a CloudWatch agent that reads it), hence the default.
   * @default `STEWARD_FLAG_USAGE_METRICS` (`true` or `false`), else true inside Lambda only
   */
  readonly usageMetrics?: boolean;
}

/**
 * A service's flags that follow the profile: every check goes to the latest compiled snapshot;
 * {@link LiveFlags.refreshIfStale} (called by `loadFlags()`, the middleware and the OpenFeature
 * provider, once per request) swaps in a new snapshot in the background after the poll interval.
 */
export class LiveFlags implements Flags {
  #evaluator: FlagEvaluator = NO_FLAGS;
  #stale = false;
  readonly #listeners = new Set<(event: FlagsEvent) => void>();
  readonly #source: DocumentSource<FlagEvaluator>;
  /** Flags already logged as broken, so each is logged once while it stays broken. */
  #reportedBroken: ReadonlySet<string> = new Set();
  /** The clock usage lines are timed by; undefined when usage metrics are off. */
  readonly #usageClock: (() => number) | undefined;

  constructor(target: ExtensionTarget, options: FlagsOptions) {
    const countUsage = options.usageMetrics ?? usageMetricsByDefault(options.env ?? process.env);
    this.#usageClock = countUsage ? (options.clock ?? Date.now) : undefined;
    this.#source = new DocumentSource<FlagEvaluator>(target, {
      ...options,
      ...(options.only === undefined ? {} : { flags: options.only }),
      parse: async (raw) => {
        const document = parseFlagDocument(raw, target.profile);
        const rules = hasRuleBasedFlags(document) ? await loadRuleEngine() : undefined;
        // One flag whose rules do not compile must not hold back the others: it answers the
        // caller's default (PARSE_ERROR through OpenFeature), and is logged once.
        const evaluator = new FlagEvaluator(document, rules, { brokenFlags: 'serve-default' });
        await this.#reportBroken(evaluator, target, options.logger);
        return evaluator;
      },
      onUpdate: (evaluator) => {
        const previous = this.#evaluator;
        this.#evaluator = evaluator;
        if (countUsage) flagUsage.track(target.service, evaluator, options.metricSink, previous);
        if (this.#stale) {
          this.#stale = false;
          this.#emit({ type: 'recovered' });
        }
        if (previous !== NO_FLAGS && this.#listeners.size > 0) {
          const flags = changedFlags(previous, evaluator);
          if (flags.length > 0) this.#emit({ type: 'changed', flags });
        }
      },
      onRefreshFailed: (report) => {
        if (this.#stale) return;
        this.#stale = true;
        this.#emit({ type: 'stale', reason: report.reason });
      },
    });
  }

  async #reportBroken(
    evaluator: FlagEvaluator,
    target: ExtensionTarget,
    logger: ClientLogger | undefined,
  ): Promise<void> {
    const broken = new Set(evaluator.brokenFlags());
    const newlyBroken = [...broken].filter((flag) => !this.#reportedBroken.has(flag));
    this.#reportedBroken = broken;
    if (newlyBroken.length === 0) return;
    // The default logger loads only when there is something to log.
    const log = logger ?? (await import('./telemetry.js')).stdoutLogger;
    for (const flag of newlyBroken) {
      log.warn('flag rules do not compile: the flag answers the caller default', {
        service: target.service,
        profile: target.profile,
        flag,
        problem: evaluator.problem(flag),
      });
    }
  }

  /**
   * Listen to refreshes (the OpenFeature provider turns them into provider events); returns the
   * function that stops listening.
   */
  subscribe(listener: (event: FlagsEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** True while a refresh has failed and the last good document is being served. */
  get stale(): boolean {
    return this.#stale;
  }

  #emit(event: FlagsEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not stop the others nor the refresh.
      }
    }
  }

  isEnabled(flag: string, context?: FlagContext): boolean {
    return this.#evaluator.isEnabled(flag, context);
  }

  reason(flag: string, context?: FlagContext): FlagReason {
    return this.#evaluator.reason(flag, context);
  }

  value<T extends FlagValue>(flag: string, defaultValue: T, context?: FlagContext): T {
    return this.#evaluator.value(flag, defaultValue, context);
  }

  attribute(flag: string, name: string): unknown {
    return this.#evaluator.attribute(flag, name);
  }

  has(flag: string): boolean {
    return this.#evaluator.has(flag);
  }

  /** The snapshot being served: stable for the length of a request if you hold on to it. */
  get evaluator(): FlagEvaluator {
    return this.#evaluator;
  }

  get loaded(): boolean {
    return this.#source.current !== undefined;
  }

  /** The first read; rejects (fail fast) when the extension cannot serve a valid document. */
  async load(): Promise<this> {
    await this.#source.load();
    return this;
  }

  /**
   * Start a background re-read once the poll interval has passed, and write the usage counted so far
   * once a minute has passed since the last lines; never waits.
   */
  refreshIfStale(): void {
    this.#source.refreshIfStale();
    if (this.#usageClock !== undefined) void flagUsage.flushIfDue(this.#usageClock());
  }

  /** Resolves when no background re-read is running. */
  whenIdle(): Promise<void> {
    return this.#source.whenIdle();
  }
}

const clients = new Map<string, LiveFlags>();

/**
 * The service's feature flags. The first call reads the flags profile from the AppConfig extension
 * and fails fast; later calls return the same object at once and, after the poll interval, refresh
 * it in the background. Evaluation is local: no I/O and no allocation per check.
 *
 * @example
 * const flagsOfOrders = await loadFlags('orders');
 * if (flagsOfOrders.isEnabled('new-checkout', { targetingKey: customerId })) { ... }
 * const copy = flagsOfOrders.value('checkout-button-copy', 'Buy now', { targetingKey: customerId });
 */
export async function loadFlags(service: string, options: FlagsOptions = {}): Promise<LiveFlags> {
  const target = resolveTarget(service, 'flags', options);
  const key = `${target.port} ${target.application} ${target.environment} ${target.profile} ${target.localFile ?? ''} ${options.only?.join(',') ?? ''}`;
  let client = clients.get(key);
  if (client === undefined) {
    client = new LiveFlags(target, options);
    clients.set(key, client);
  }
  if (!client.loaded) return client.load();
  client.refreshIfStale();
  return client;
}

/** Forget every kept flags client and its unwritten usage counts (tests, or a process that changes its settings). */
export function clearFlagClients(): void {
  clients.clear();
  flagUsage.reset();
}

function usageMetricsByDefault(env: Readonly<Record<string, string | undefined>>): boolean {
  const setting = env['STEWARD_FLAG_USAGE_METRICS'];
  return setting === 'true' || setting === 'false' ? setting === 'true' : !!env['AWS_LAMBDA_FUNCTION_NAME'];
}

/** Keys of flags added, removed or changed between two snapshots (by their raw attributes). */
function changedFlags(before: FlagEvaluator, after: FlagEvaluator): string[] {
  const keys = new Set([...before.names(), ...after.names()]);
  return [...keys].filter(
    (key) =>
      JSON.stringify(before.definition(key)?.attributes) !==
      JSON.stringify(after.definition(key)?.attributes),
  );
}
