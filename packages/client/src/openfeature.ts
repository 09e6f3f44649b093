/**
 * `@config-steward/client/openfeature`: an OpenFeature server provider over the same locally evaluated
 * flags. Reasons follow the evaluation (`STATIC`, `TARGETING_MATCH`, `SPLIT`, `DISABLED`, `DEFAULT`,
 * or `ERROR` with `FLAG_NOT_FOUND` / `TYPE_MISMATCH`); variants are `on` and `off`.
 */
import {
  ErrorCode,
  type EvaluationContext,
  type FlagMetadata,
  type JsonValue,
  type Provider,
  type ResolutionDetails,
  StandardResolutionReasons,
} from '@openfeature/server-sdk';
import type { CompiledFlag, FlagContext, FlagEvaluator } from './flag-evaluator.js';
import { type FlagsOptions, LiveFlags, loadFlags } from './flags.js';

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
  readonly #options: StewardProviderOptions;
  #flags: LiveFlags | FlagEvaluator | undefined;

  constructor(options: StewardProviderOptions) {
    this.#options = options;
    if ('flags' in options) this.#flags = options.flags;
  }

  /** Reads the flags profile (fail fast: OpenFeature marks the provider ERROR when this rejects). */
  async initialize(): Promise<void> {
    if (this.#flags !== undefined) return;
    const { service, ...options } = this.#options as FlagsOptions & { readonly service: string };
    this.#flags = await loadFlags(service, options);
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
    if (!flag.enabled && flag.value === undefined && flag.defaultValue === undefined) {
      // AppConfig's data plane drops a disabled flag's attributes, so nothing tells its kind: a
      // boolean flag is off, any other the caller's default, with reason DISABLED either way.
      const reason = StandardResolutionReasons.DISABLED;
      return kind === 'boolean'
        ? { value: false as T, variant: 'off', reason, flagMetadata: metadataOf(flag) }
        : { value: defaultValue, reason, flagMetadata: metadataOf(flag) };
    }
    const served = flag.value ?? flag.defaultValue;
    const fits =
      kind === 'boolean'
        ? served === undefined || typeof served === 'boolean'
        : served !== undefined && isKind(served, kind);
    if (!fits) {
      return error(defaultValue, ErrorCode.TYPE_MISMATCH, `flag ${flagKey} is not a ${kind} flag`);
    }
    const reason = evaluator.reason(flagKey, flagContext(context));
    const on = reason === 'STATIC' || reason === 'TARGETING_MATCH' || reason === 'SPLIT';
    const flagMetadata = metadataOf(flag);
    if (kind === 'boolean' && flag.value === undefined) {
      return { value: on as T, variant: on ? 'on' : 'off', reason, flagMetadata };
    }
    if (on && flag.value !== undefined)
      return { value: flag.value as T, variant: 'on', reason, flagMetadata };
    if (!on && flag.defaultValue !== undefined)
      return { value: flag.defaultValue as T, variant: 'off', reason, flagMetadata };
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

/** OpenFeature's context to ours: the targeting key, and `groups` when it is a list of strings. */
function flagContext(context: EvaluationContext): FlagContext {
  const groups = context['groups'];
  const targetingKey = context.targetingKey;
  return {
    ...(targetingKey === undefined ? {} : { targetingKey }),
    ...(Array.isArray(groups) ? { groups: groups.filter((g): g is string => typeof g === 'string') } : {}),
  };
}

function metadataOf(flag: CompiledFlag): FlagMetadata {
  const metadata: Record<string, string> = {};
  for (const name of ['owner', 'type', 'expires'] as const) {
    const attribute = flag.attributes[name];
    if (typeof attribute === 'string') metadata[name] = attribute;
  }
  return metadata;
}
