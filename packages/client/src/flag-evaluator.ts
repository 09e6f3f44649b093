/**
 * Local feature-flag evaluation. Each flag is compiled once when its document is read (allow-lists
 * and groups into sets, the rollout percentage into a bucket threshold, the flag name into a hash
 * seed), so `isEnabled` does a map lookup, a few comparisons and at most one pass over the targeting
 * key: no allocation, no I/O.
 */
import { InvalidConfigDocumentError } from './errors.js';
import { type FlagDocument, parseFlagDocument } from './flag-document.js';
import { bucketOf, seedHash, SPLIT_BUCKETS } from './hash.js';
import type { CompiledVariant, RuleContext } from './rules.js';
export type { CompiledRule, CompiledVariant } from './rules.js';

/**
 * The rule language, loaded on demand: a document without rule-based flags never loads it, so it
 * costs a consumer's cold start nothing.
 */
export type RuleEngine = typeof import('./rules.js');
let ruleEngine: RuleEngine | undefined;

/**
 * Load the rule language (once); {@link createFlagEvaluator} needs it loaded for documents with
 * rule-based flags. `loadFlags`, the middleware and the OpenFeature provider load it themselves.
 *
 * @example
 * await loadRuleEngine();
 * const evaluator = createFlagEvaluator(document);
 */
export async function loadRuleEngine(): Promise<RuleEngine> {
  ruleEngine ??= await import('./rules.js');
  return ruleEngine;
}

/** Whether a parsed document holds a rule-based flag. */
export function hasRuleBasedFlags(document: FlagDocument): boolean {
  return Object.values(document).some((flag) => flag.variants !== undefined);
}

/** Who a flag is evaluated for. Build it once per request, not per check. */
export interface FlagContext {
  /** The stable identity rollouts hash and allow-lists match: a user, tenant or device id. */
  readonly targetingKey?: string;
  /** Groups the caller belongs to, matched against a flag's `groups`. */
  readonly groups?: readonly string[];
  /** Any other attribute a rule reads as `$name` (`tier`, `country`, `accountAgeDays`, ...). */
  readonly [attribute: string]: unknown;
}

/**
 * Why a flag evaluated as it did, in OpenFeature's vocabulary: `STATIC` (on, no targeting),
 * `TARGETING_MATCH` (allow-list or group), `SPLIT` (inside the rollout), `DISABLED` (flag off),
 * `DEFAULT` (on, but no rule matched), `FLAG_NOT_FOUND` (no such flag), `ERROR` (the flag's rules
 * do not compile; only from an evaluator built with `brokenFlags: 'serve-default'`, which answers
 * such a flag off, with the caller's default).
 */
export type FlagReason =
  'STATIC' | 'TARGETING_MATCH' | 'SPLIT' | 'DISABLED' | 'DEFAULT' | 'FLAG_NOT_FOUND' | 'ERROR';

/** Reading flags: what `loadFlags(service)`, `createFlagEvaluator` and the middleware's `context.flags` offer. */
export interface Flags {
  /** Whether the flag is on for this context; an unknown flag is off. */
  isEnabled(flag: string, context?: FlagContext): boolean;
  /** Why {@link Flags.isEnabled} answers as it does. */
  reason(flag: string, context?: FlagContext): FlagReason;
  /**
   * The flag's value for this context: its `value` attribute when on, its `defaultValue` attribute
   * when off; `defaultValue` here when the flag is unknown or the served value is of another kind.
   * For a boolean flag without a `value`, whether it is on.
   */
  value<T extends FlagValue>(flag: string, defaultValue: T, context?: FlagContext): T;
  /** A raw attribute of the flag (`owner`, `type`, `expires`, ...), `undefined` when absent. */
  attribute(flag: string, name: string): unknown;
  has(flag: string): boolean;
}

export type FlagValue = boolean | string | number | Readonly<Record<string, unknown>>;

/** Rollout buckets: a percentage with two decimals maps onto 0..9999. */
export const ROLLOUT_BUCKETS = SPLIT_BUCKETS;

// Decisions, ordered so that "on" is `>= STATIC`; REASONS is indexed by them.
const DISABLED = 0;
const NO_MATCH = 1;
const STATIC = 2;
const TARGETING_MATCH = 3;
const SPLIT = 4;
/** The reason of each decision of a simple flag (its outcome slots, see {@link CompiledFlag.evaluations}). */
export const REASONS: readonly FlagReason[] = ['DISABLED', 'DEFAULT', 'STATIC', 'TARGETING_MATCH', 'SPLIT'];

/**
 * The hash state after a flag name and the separator: computed once per flag, then every targeting
 * key is folded into it. A `split` rule without `seed::` uses the same state, so a rule-based split
 * and `rolloutPercent` put a key in the same bucket.
 *
 * @example
 * const seed = flagSeed('new-checkout');
 */
export function flagSeed(flag: string): number {
  return seedHash(flag);
}

/**
 * The rollout bucket (0..9999) of a targeting key: FNV-1a of flag, separator and key, finished with
 * murmur3's fmix32 so that keys differing only in their last characters spread evenly. The same in
 * every process and every version of this library.
 *
 * @example
 * rolloutBucket('new-checkout', 'customer-42') < 2500; // inside a 25% rollout?
 */
export function rolloutBucket(flag: string, targetingKey: string): number {
  return bucketOf(flagSeed(flag), targetingKey);
}

/** One flag, compiled for evaluation. Every instance has the same shape, keeping call sites monomorphic. */
export class CompiledFlag {
  readonly name: string;
  readonly enabled: boolean;
  readonly seed: number;
  /** Buckets below this are in the rollout; -1 without a rollout. */
  readonly threshold: number;
  readonly allow: ReadonlySet<string> | null;
  readonly groups: ReadonlySet<string> | null;
  /** Whether any targeting rule applies; without one an enabled flag is on for everyone. */
  readonly targeted: boolean;
  readonly value: unknown;
  readonly defaultValue: unknown;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Ordered variants of a rule-based flag, the default last; null for the simple forms. */
  readonly variants: readonly CompiledVariant[] | null;
  /** Whether evaluation hashes the targeting key (a partial rollout, or a split by `$targetingKey`). */
  readonly needsTargetingKey: boolean;
  /** The context attributes evaluation reads (the targeting key and groups for the simple forms). */
  readonly reads: readonly string[];
  /**
   * Evaluations since the usage metrics were last written, one slot per outcome: a simple flag's
   * decision (an index of {@link REASONS}), a rule-based flag's variant. Counting is one increment, so
   * evaluation stays free of I/O and allocation.
   */
  readonly evaluations: Float64Array;

  constructor(name: string, data: FlagDocument[string], rules?: RuleEngine) {
    this.name = name;
    this.enabled = data.enabled;
    this.seed = flagSeed(name);
    this.threshold = data.rolloutPercent === undefined ? -1 : Math.round(data.rolloutPercent * 100);
    this.allow = data.allow && data.allow.length > 0 ? new Set(data.allow) : null;
    this.groups = data.groups && data.groups.length > 0 ? new Set(data.groups) : null;
    this.targeted = this.threshold >= 0 || this.allow !== null || this.groups !== null;
    this.value = deepFreeze(data.value);
    this.defaultValue = deepFreeze(data.defaultValue);
    this.attributes = deepFreeze({ ...data });
    const partialRollout = this.threshold > 0 && this.threshold < ROLLOUT_BUCKETS;
    if (data.variants === undefined) {
      this.variants = null;
      this.needsTargetingKey = partialRollout;
      this.reads = SIMPLE_FORM_READS;
    } else {
      if (rules === undefined) throw new Error('rule engine not loaded');
      this.variants = rules.compileVariants(name, data.variants, deepFreeze);
      this.needsTargetingKey = partialRollout || this.variants.some((variant) => variant.readsTargetingKey);
      this.reads = [...new Set(this.variants.flatMap((variant) => variant.reads))];
    }
    this.evaluations = new Float64Array(this.variants === null ? REASONS.length : this.variants.length);
  }
}

/** The reason a rule-based flag serves the variant at this index for. */
export function variantReason(variants: readonly CompiledVariant[], index: number): FlagReason {
  return index === variants.length - 1 ? 'DEFAULT' : variants[index]!.split ? 'SPLIT' : 'TARGETING_MATCH';
}

/** The index of the variant served: the first whose rule matches, else the default (last). */
function selectVariant(variants: readonly CompiledVariant[], context: FlagContext | undefined): number {
  const attributes: RuleContext = context ?? EMPTY_CONTEXT;
  const last = variants.length - 1;
  for (let i = 0; i < last; i++) {
    if (variants[i]!.matches!(attributes)) return i;
  }
  return last;
}

const EMPTY_CONTEXT: RuleContext = Object.freeze({});
const SIMPLE_FORM_READS: readonly string[] = Object.freeze(['targetingKey', 'groups']);

/**
 * What an evaluator does with a flag whose rules do not compile: refuse the whole document
 * (`reject`, the default of {@link createFlagEvaluator}), or keep the other flags and answer that
 * one off with the caller's default and reason `ERROR` (`serve-default`, what `loadFlags` and the
 * OpenFeature provider use, so one bad flag does not hold back the rest of a new document).
 */
export interface FlagEvaluatorOptions {
  readonly brokenFlags?: 'reject' | 'serve-default';
}

/** What one evaluation gives: whether the flag is on, why, the variant's name and the served value. */
export interface FlagResolution {
  readonly on: boolean;
  readonly reason: FlagReason;
  /** `on`/`off` for the simple forms, the variant's name for a rule-based flag. */
  readonly variant: string;
  /** The attribute served (`value` or `defaultValue`, or the variant's value); undefined when none. */
  readonly served: unknown;
}

function decide(flag: CompiledFlag, context: FlagContext | undefined): number {
  if (!flag.enabled) return DISABLED;
  if (!flag.targeted) return STATIC;
  if (context === undefined) return flag.threshold >= ROLLOUT_BUCKETS ? SPLIT : NO_MATCH;
  const key = context.targetingKey;
  if (key !== undefined && flag.allow?.has(key) === true) return TARGETING_MATCH;
  const groups = context.groups;
  if (groups !== undefined && flag.groups !== null) {
    for (let i = 0; i < groups.length; i++) {
      if (flag.groups.has(groups[i]!)) return TARGETING_MATCH;
    }
  }
  if (flag.threshold >= ROLLOUT_BUCKETS) return SPLIT;
  if (flag.threshold > 0 && key !== undefined && bucketOf(flag.seed, key) < flag.threshold) return SPLIT;
  return NO_MATCH;
}

/** The outcome of one evaluation: a rule-based flag's variant index, else a simple flag's decision. */
function outcome(flag: CompiledFlag, context: FlagContext | undefined): number {
  const variants = flag.variants;
  return variants === null ? decide(flag, context) : selectVariant(variants, context);
}

/** Evaluate and count (`reason()` explains an evaluation without counting one). */
function resolve(flag: CompiledFlag, context: FlagContext | undefined): FlagResolution {
  const index = outcome(flag, context);
  flag.evaluations[index]!++;
  const variants = flag.variants;
  if (variants !== null) {
    const variant = variants[index]!;
    return {
      on: variant.enabled,
      reason: variantReason(variants, index),
      variant: variant.name,
      served: variant.value,
    };
  }
  const on = index >= STATIC;
  return {
    on,
    reason: REASONS[index]!,
    variant: on ? 'on' : 'off',
    served: on ? flag.value : flag.defaultValue,
  };
}

function sameKind(served: unknown, fallback: unknown): boolean {
  const kind = typeof fallback;
  if (typeof served !== kind) return false;
  if (kind !== 'object') return true;
  return served !== null && fallback !== null && Array.isArray(served) === Array.isArray(fallback);
}

/**
 * An immutable snapshot of one flags document, compiled for evaluation.
 *
 * @example
 * const evaluator = createFlagEvaluator({ 'new-checkout': { enabled: true, rolloutPercent: 25 } });
 * evaluator.isEnabled('new-checkout', { targetingKey: 'customer-42' });
 */
export class FlagEvaluator implements Flags {
  readonly #flags: ReadonlyMap<string, CompiledFlag>;
  /** Flags whose rules do not compile (with `brokenFlags: 'serve-default'`), and why. */
  readonly #broken: ReadonlyMap<string, string>;

  /**
   * @throws InvalidConfigDocumentError naming each rule-based flag whose rules do not parse, or
   * whose document arrives before {@link loadRuleEngine} has loaded the rule language
   */
  constructor(
    document: FlagDocument,
    rules: RuleEngine | undefined = ruleEngine,
    options: FlagEvaluatorOptions = {},
  ) {
    const flags = new Map<string, CompiledFlag>();
    const broken = new Map<string, string>();
    for (const [name, data] of Object.entries(document)) {
      try {
        flags.set(name, new CompiledFlag(name, data, rules));
      } catch {
        // The parser's message may quote the rule's constants: name the attribute only.
        broken.set(name, 'its variants do not compile');
      }
    }
    if (broken.size > 0 && options.brokenFlags !== 'serve-default') {
      const problems = [...broken.keys()].map((name) => `${name}.variants`);
      throw new InvalidConfigDocumentError(
        `flag rules do not compile (or loadRuleEngine() was not called): ${problems.join(', ')}`,
        problems,
      );
    }
    this.#flags = flags;
    this.#broken = broken;
  }

  /** Why a flag of the document cannot be evaluated (its rules do not compile), or undefined. */
  problem(flag: string): string | undefined {
    return this.#broken.get(flag);
  }

  /** The flags of the document that cannot be evaluated. */
  brokenFlags(): string[] {
    return [...this.#broken.keys()];
  }

  isEnabled(flag: string, context?: FlagContext): boolean {
    const compiled = this.#flags.get(flag);
    if (compiled === undefined) return false;
    const index = outcome(compiled, context);
    compiled.evaluations[index]!++;
    const variants = compiled.variants;
    return variants === null ? index >= STATIC : variants[index]!.enabled;
  }

  reason(flag: string, context?: FlagContext): FlagReason {
    const compiled = this.#flags.get(flag);
    if (compiled === undefined) return this.#broken.has(flag) ? 'ERROR' : 'FLAG_NOT_FOUND';
    const index = outcome(compiled, context);
    const variants = compiled.variants;
    return variants === null ? REASONS[index]! : variantReason(variants, index);
  }

  value<T extends FlagValue>(flag: string, defaultValue: T, context?: FlagContext): T {
    const compiled = this.#flags.get(flag);
    if (compiled === undefined) return defaultValue;
    const { on, served } = resolve(compiled, context);
    if (served === undefined) return (typeof defaultValue === 'boolean' ? on : defaultValue) as T;
    return sameKind(served, defaultValue) ? (served as T) : defaultValue;
  }

  /**
   * The whole evaluation of one flag: on or off, the reason, the variant and the value served;
   * undefined for an unknown flag. Allocates one small object (the OpenFeature provider uses it).
   */
  resolve(flag: string, context?: FlagContext): FlagResolution | undefined {
    const compiled = this.#flags.get(flag);
    return compiled === undefined ? undefined : resolve(compiled, context);
  }

  attribute(flag: string, name: string): unknown {
    return this.#flags.get(flag)?.attributes[name];
  }

  has(flag: string): boolean {
    return this.#flags.has(flag) || this.#broken.has(flag);
  }

  /** The compiled flag, for adapters such as the OpenFeature provider. */
  definition(flag: string): CompiledFlag | undefined {
    return this.#flags.get(flag);
  }

  /** Every compiled flag of the document (the usage metrics read their counts). */
  compiledFlags(): IterableIterator<CompiledFlag> {
    return this.#flags.values();
  }

  /** The flag names of the document. */
  names(): string[] {
    return [...this.#flags.keys(), ...this.#broken.keys()];
  }
}

/**
 * Validate a data-plane flags document and compile it. Throws an `InvalidConfigDocumentError`
 * naming the flags at fault.
 *
 * @example
 * const evaluator = createFlagEvaluator(JSON.parse(body));
 * if (evaluator.isEnabled('new-checkout', { targetingKey: userId })) renderNewCheckout();
 */
export function createFlagEvaluator(document: unknown, profile?: string): FlagEvaluator {
  return new FlagEvaluator(parseFlagDocument(document, profile));
}

/** An evaluator with no flags: everything off, every value the caller's default. */
export const NO_FLAGS: FlagEvaluator = new FlagEvaluator({});

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const nested of Object.values(value)) deepFreeze(nested);
  }
  return value;
}
