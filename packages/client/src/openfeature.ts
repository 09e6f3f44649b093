/**
 * `@config-steward/client/openfeature`: an OpenFeature server provider over the same locally evaluated
 * flags. Reasons follow the evaluation (`STATIC`, `TARGETING_MATCH`, `SPLIT`, `DISABLED`, `DEFAULT`),
 * `STALE` while a refresh has failed and the last good flags are served (the evaluation's own reason
 * in the flag metadata as `evaluationReason`), or `ERROR` with `FLAG_NOT_FOUND` / `TYPE_MISMATCH` /
 * `TARGETING_KEY_MISSING` / `INVALID_CONTEXT` (an attribute a rule reads holds an object or a
 * function) / `PARSE_ERROR` (the flag's rules do not compile; the rest of the document is served) /
 * `PROVIDER_NOT_READY` (the first read failed, so no flag is known: not `FLAG_NOT_FOUND`).
 * `CACHED` is never answered: every evaluation is computed from the current document, none is
 * replayed from a cache. Variants are `on` and `off` for the simple forms and the variant's name for
 * a rule-based flag. Every attribute of the evaluation context reaches the rules.
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
      return source.loaded ? source.evaluator : undefined;
    }
    return source;
  }

  /**
   * The evaluation's reason, or `STALE` while a refresh has failed and the last good flags are
   * served (the evaluation's reason then goes into the metadata as `evaluationReason`).
   */
  #reportedReason(reason: string, flagMetadata: Record<string, string>): string {
    if (!(this.#flags instanceof LiveFlags && this.#flags.stale)) return reason;
    flagMetadata['evaluationReason'] = reason;
    return StandardResolutionReasons.STALE;
  }

  #resolve<T>(
    flagKey: string,
    defaultValue: T,
    context: EvaluationContext,
    kind: Kind,
  ): ResolutionDetails<T> {
    const evaluator = this.#evaluator();
    if (evaluator === undefined) {
      // The first read failed (initialize rejected): no flag is known, none is missing either.
      return error(defaultValue, ErrorCode.PROVIDER_NOT_READY, 'flags not loaded: their first read failed');
    }
    const flag = evaluator.definition(flagKey);
    if (flag === undefined) {
      if (evaluator.problem(flagKey) !== undefined) {
        return error(defaultValue, ErrorCode.PARSE_ERROR, `flag ${flagKey}: ${evaluator.problem(flagKey)}`);
      }
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
      evaluator.resolve(flagKey); // counts the evaluation (off, DISABLED) for the usage metrics
      const flagMetadata = metadataOf(flag);
      const reason = this.#reportedReason(StandardResolutionReasons.DISABLED, flagMetadata);
      return kind === 'boolean'
        ? { value: false as T, variant: 'off', reason, flagMetadata }
        : { value: defaultValue, reason, flagMetadata };
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
    const unusable = unusableAttribute(flag, context);
    if (unusable !== undefined) {
      // Name the attribute only: its value may be personal data.
      return error(
        defaultValue,
        ErrorCode.INVALID_CONTEXT,
        `flag ${flagKey} reads ${unusable}, which must be a string, number, boolean, date or list of them`,
      );
    }
    const resolution = evaluator.resolve(flagKey, contextForRules(flag, context))!;
    const { on, variant, served } = resolution;
    const flagMetadata = metadataOf(flag);
    const reason = this.#reportedReason(resolution.reason, flagMetadata);
    if (kind === 'boolean' && served === undefined) {
      return { value: on as T, variant, reason, flagMetadata };
    }
    if (served !== undefined) return { value: served as T, variant, reason, flagMetadata };
    // No attribute covers this outcome: the caller's default, with the evaluation's reason.
    return { value: defaultValue, reason, flagMetadata };
  }
}

/** A value a rule can compare: a scalar, a date, or a list of scalars (for `in` and `contains`). */
function usable(value: unknown): boolean {
  if (value === undefined || value === null || value instanceof Date) return true;
  const kind = typeof value;
  if (kind === 'string' || kind === 'boolean') return true;
  if (kind === 'number') return Number.isFinite(value);
  return Array.isArray(value) && value.every((item) => typeof item === 'string' || typeof item === 'number');
}

/** The first attribute the flag reads whose value no rule can compare, or undefined. */
function unusableAttribute(flag: CompiledFlag, context: EvaluationContext): string | undefined {
  return flag.reads.find((attribute) => !usable(context[attribute]));
}

/**
 * The context as the rules read it: OpenFeature contexts may carry dates, which the rule language
 * compares as ISO timestamps. Copies only when a date is read.
 */
function contextForRules(flag: CompiledFlag, context: EvaluationContext): FlagContext {
  if (!flag.reads.some((attribute) => context[attribute] instanceof Date)) return context as FlagContext;
  const copy: Record<string, unknown> = { ...context };
  for (const attribute of flag.reads) {
    const value = copy[attribute];
    if (value instanceof Date) copy[attribute] = value.toISOString();
  }
  return copy as FlagContext;
}

function isKind(value: unknown, kind: Kind): boolean {
  return kind === 'object' ? value !== null && typeof value === 'object' : typeof value === kind;
}

function error<T>(value: T, errorCode: ErrorCode, errorMessage: string): ResolutionDetails<T> {
  return { value, reason: StandardResolutionReasons.ERROR, errorCode, errorMessage };
}

function metadataOf(flag: CompiledFlag): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const name of ['owner', 'type', 'expires'] as const) {
    const attribute = flag.attributes[name];
    if (typeof attribute === 'string') metadata[name] = attribute;
  }
  return metadata;
}
