/**
 * `@config-steward/client/openfeature`: an OpenFeature server provider over the same locally evaluated
 * flags. Reasons follow the evaluation (`STATIC`, `TARGETING_MATCH`, `SPLIT`, `DISABLED`, `DEFAULT`,
 * or `ERROR` with `FLAG_NOT_FOUND` / `TYPE_MISMATCH` / `TARGETING_KEY_MISSING`); variants are `on`
 * and `off` for the simple forms and the variant's name for a rule-based flag. Every attribute of
 * the evaluation context reaches the rules.
 *
 * Events: the SDK emits `PROVIDER_READY` once `initialize` has loaded the flags (and
 * `PROVIDER_ERROR` when it rejects); the provider emits `PROVIDER_CONFIGURATION_CHANGED` with the
 * changed flag keys when a refresh brings new values, `PROVIDER_STALE` when a refresh fails and
 * the last good flags are served, and `PROVIDER_READY` again when a refresh succeeds after that.
 */
import {
  ErrorCode,
  OpenFeatureEventEmitter,
  ProviderEvents,
  type EvaluationContext,
  type FlagMetadata,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
  StandardResolutionReasons,
} from '@openfeature/server-sdk';
import type { CompiledFlag, FlagContext, FlagEvaluator } from './flag-evaluator.js';
import { type FlagsEvent, type FlagsOptions, LiveFlags, loadFlags } from './flags.js';

export type StewardProviderOptions =
  | (FlagsOptions & { readonly service: string })
  /** Evaluate an already loaded client or a fixed snapshot (tests, custom sources). */
  | { readonly flags: LiveFlags | FlagEvaluator };

type Kind = 'boolean' | 'string' | 'number' | 'object';

/**
 * @example
 * await OpenFeature.setProviderAndWait(new StewardFlagProvider({ service: 'orders' }));
 * const client = OpenFeature.getClient();
 * const on = await client.getBooleanValue('new-checkout', false, { targetingKey: customerId, groups: ['beta'] });
 */
export class StewardFlagProvider implements Provider {
  readonly metadata = { name: 'config-steward' } as const;
  readonly runsOn = 'server' as const;
  readonly events = new OpenFeatureEventEmitter();
  readonly #options: StewardProviderOptions;
  #flags: LiveFlags | FlagEvaluator | undefined;
  #unsubscribe: (() => void) | undefined;

  constructor(options: StewardProviderOptions) {
    this.#options = options;
    if ('flags' in options) this.#flags = options.flags;
  }

  /**
   * Reads the flags profile before the SDK reports `PROVIDER_READY` (fail fast: OpenFeature marks
   * the provider ERROR when this rejects), then follows its refreshes as provider events.
   */
  async initialize(): Promise<void> {
    if (this.#flags === undefined) {
      const { service, ...options } = this.#options as FlagsOptions & { readonly service: string };
      this.#flags = await loadFlags(service, options);
    } else if (this.#flags instanceof LiveFlags && !this.#flags.loaded) {
      await this.#flags.load();
    }
    if (this.#flags instanceof LiveFlags && this.#unsubscribe === undefined) {
      this.#unsubscribe = this.#flags.subscribe((event) => this.#onFlagsEvent(event));
    }
  }

  /** Stops following refreshes; the flags client itself stays (other providers may share it). */
  async onClose(): Promise<void> {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #onFlagsEvent(event: FlagsEvent): void {
    if (event.type === 'changed') {
      this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged: [...event.flags] });
    } else if (event.type === 'stale') {
      this.events.emit(ProviderEvents.Stale, {
        message: `flags refresh failed (${event.reason}); serving the last good flags`,
      });
    } else {
      this.events.emit(ProviderEvents.Ready, { message: 'flags refresh recovered' });
    }
  }

  resolveBooleanEvaluation(
    flagKey: string,
    defaultValue: boolean,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<boolean>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context, 'boolean'));
  }

  resolveStringEvaluation(
    flagKey: string,
    defaultValue: string,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context, 'string'));
  }

  resolveNumberEvaluation(
    flagKey: string,
    defaultValue: number,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context, 'number'));
  }

  resolveObjectEvaluation<T extends JsonValue>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
  ): Promise<ResolutionDetails<T>> {
    return Promise.resolve(this.#resolve(flagKey, defaultValue, context, 'object'));
  }

  #evaluator(): FlagEvaluator | undefined {
    const source = this.#flags;
    if (source instanceof LiveFlags) {
      source.refreshIfStale();
      return source.evaluator;
    }
    return source;
  }

  #resolve<T>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
    kind: Kind,
  ): ResolutionDetails<T> {
    const evaluator = this.#evaluator();
    const flag = evaluator?.definition(flagKey);
    if (evaluator === undefined || flag === undefined) {
      return error(defaultValue, ErrorCode.FLAG_NOT_FOUND, `flag ${flagKey} not found`);
    }
    if (
      flag.variants === null &&
      !flag.enabled &&
      flag.value === undefined &&
      flag.defaultValue === undefined
    ) {
      // AppConfig's data plane drops a disabled flag's attributes, so nothing tells its kind: a
      // boolean flag is off, any other the caller's default, with reason DISABLED either way.
      const reason = StandardResolutionReasons.DISABLED;
      return kind === 'boolean'
        ? { value: false as T, variant: 'off', reason, flagMetadata: metadataOf(flag) }
        : { value: defaultValue, reason, flagMetadata: metadataOf(flag) };
    }
    const samples = flag.variants?.map((variant) => variant.value) ?? [flag.value ?? flag.defaultValue];
    const fits =
      kind === 'boolean'
        ? samples.every((served) => served === undefined || typeof served === 'boolean')
        : samples.every((served) => served !== undefined && isKind(served, kind));
    if (!fits) {
      return error(defaultValue, ErrorCode.TYPE_MISMATCH, `flag ${flagKey} is not a ${kind} flag`);
    }
    if (flag.needsTargetingKey && context.targetingKey === undefined) {
      // A rollout or split hashes the targeting key: without one the answer would be arbitrary.
      return error(defaultValue, ErrorCode.TARGETING_KEY_MISSING, `flag ${flagKey} needs a targeting key`);
    }
    const { on, reason, variant, served } = evaluator.resolve(flagKey, context as FlagContext)!;
    const flagMetadata = metadataOf(flag);
    if (kind === 'boolean' && served === undefined) {
      return { value: on as T, variant, reason, flagMetadata };
    }
    if (served !== undefined) return { value: served as T, variant, reason, flagMetadata };
    // No attribute covers this outcome: the caller's default, with the evaluation's reason.
    return { value: defaultValue, reason, flagMetadata };
  }
}

function isKind(value: unknown, kind: Kind): boolean {
  return kind === 'object' ? value !== null && typeof value === 'object' : typeof value === kind;
}

function error<T>(value: T, errorCode: ErrorCode, errorMessage: string): ResolutionDetails<T> {
  return { value, reason: StandardResolutionReasons.ERROR, errorCode, errorMessage };
}

function metadataOf(flag: CompiledFlag): FlagMetadata {
  const metadata: Record<string, string> = {};
  for (const name of ['owner', 'type', 'expires'] as const) {
    const attribute = flag.attributes[name];
    if (typeof attribute === 'string') metadata[name] = attribute;
  }
  return metadata;
}
