/** `loadFlags(service)`: the service's feature flags from the AppConfig extension, evaluated locally. */
import { DocumentSource } from './document-source.js';
import { type ClientOptions, type ExtensionTarget, resolveTarget } from './extension.js';
import { parseFlagDocument } from './flag-document.js';
import {
  type FlagContext,
  FlagEvaluator,
  type FlagReason,
  type Flags,
  type FlagValue,
  NO_FLAGS,
} from './flag-evaluator.js';

export interface FlagsOptions extends ClientOptions {
  /** Read only these flags (the extension's `?flag=` query). @default every flag of the profile */
  readonly only?: readonly string[];
}

/**
 * A service's flags that follow the profile: every check goes to the latest compiled snapshot;
 * {@link LiveFlags.refreshIfStale} (called by `loadFlags()`, the middleware and the OpenFeature
 * provider, once per request) swaps in a new snapshot in the background after the poll interval.
 */
export class LiveFlags implements Flags {
  #evaluator: FlagEvaluator = NO_FLAGS;
  readonly #source: DocumentSource<FlagEvaluator>;

  constructor(target: ExtensionTarget, options: FlagsOptions) {
    this.#source = new DocumentSource<FlagEvaluator>(target, {
      ...options,
      ...(options.only === undefined ? {} : { flags: options.only }),
      parse: (raw) => new FlagEvaluator(parseFlagDocument(raw, target.profile)),
      onUpdate: (evaluator) => {
        this.#evaluator = evaluator;
      },
    });
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

  /** Start a background re-read once the poll interval has passed; never waits. */
  refreshIfStale(): void {
    this.#source.refreshIfStale();
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

/** Forget every kept flags client (tests, or a process that changes its settings). */
export function clearFlagClients(): void {
  clients.clear();
}
