/**
 * Local feature-flag evaluation. Each flag is compiled once when its document is read (allow-lists
 * and groups into sets, the rollout percentage into a bucket threshold, the flag name into a hash
 * seed), so `isEnabled` does a map lookup, a few comparisons and at most one pass over the targeting
 * key: no allocation, no I/O.
 */
import { type FlagDocument, parseFlagDocument } from './flag-document.js';

/** Who a flag is evaluated for. Build it once per request, not per check. */
export interface FlagContext {
  /** The stable identity rollouts hash and allow-lists match: a user, tenant or device id. */
  readonly targetingKey?: string;
  /** Groups the caller belongs to, matched against a flag's `groups`. */
  readonly groups?: readonly string[];
}

/**
 * Why a flag evaluated as it did, in OpenFeature's vocabulary: `STATIC` (on, no targeting),
 * `TARGETING_MATCH` (allow-list or group), `SPLIT` (inside the rollout), `DISABLED` (flag off),
 * `DEFAULT` (on, but no rule matched), `FLAG_NOT_FOUND` (no such flag).
 */
export type FlagReason = 'STATIC' | 'TARGETING_MATCH' | 'SPLIT' | 'DISABLED' | 'DEFAULT' | 'FLAG_NOT_FOUND';

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
export const ROLLOUT_BUCKETS = 10_000;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
/** Folded between the flag name and the targeting key, so `ab`+`c` and `a`+`bc` differ. */
const SEPARATOR = 0x3a;

// Decisions, ordered so that "on" is `>= STATIC`; REASONS is indexed by them.
const DISABLED = 0;
const NO_MATCH = 1;
const STATIC = 2;
const TARGETING_MATCH = 3;
const SPLIT = 4;
const REASONS: readonly FlagReason[] = ['DISABLED', 'DEFAULT', 'STATIC', 'TARGETING_MATCH', 'SPLIT'];

/** FNV-1a (32-bit) over UTF-16 code units, continuing from `hash`. */
function fnv1a(hash: number, text: string): number {
  let h = hash;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h;
}

/**
 * The hash state after a flag name and the separator: computed once per flag, then every targeting
 * key is folded into it.
 *
 * @example
 * const seed = flagSeed('new-checkout');
 */
export function flagSeed(flag: string): number {
  return Math.imul(fnv1a(FNV_OFFSET, flag) ^ SEPARATOR, FNV_PRIME);
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

function bucketOf(seed: number, targetingKey: string): number {
  let h = fnv1a(seed, targetingKey);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % ROLLOUT_BUCKETS;
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

  constructor(name: string, data: FlagDocument[string]) {
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
  }
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

  constructor(document: FlagDocument) {
    const flags = new Map<string, CompiledFlag>();
    for (const [name, data] of Object.entries(document)) flags.set(name, new CompiledFlag(name, data));
    this.#flags = flags;
  }

  isEnabled(flag: string, context?: FlagContext): boolean {
    const compiled = this.#flags.get(flag);
    return compiled !== undefined && decide(compiled, context) >= STATIC;
  }

  reason(flag: string, context?: FlagContext): FlagReason {
    const compiled = this.#flags.get(flag);
    return compiled === undefined ? 'FLAG_NOT_FOUND' : REASONS[decide(compiled, context)]!;
  }

  value<T extends FlagValue>(flag: string, defaultValue: T, context?: FlagContext): T {
    const compiled = this.#flags.get(flag);
    if (compiled === undefined) return defaultValue;
    const on = decide(compiled, context) >= STATIC;
    const served = on ? compiled.value : compiled.defaultValue;
    if (served === undefined) return (typeof defaultValue === 'boolean' ? on : defaultValue) as T;
    return sameKind(served, defaultValue) ? (served as T) : defaultValue;
  }

  attribute(flag: string, name: string): unknown {
    return this.#flags.get(flag)?.attributes[name];
  }

  has(flag: string): boolean {
    return this.#flags.has(flag);
  }

  /** The compiled flag, for adapters such as the OpenFeature provider. */
  definition(flag: string): CompiledFlag | undefined {
    return this.#flags.get(flag);
  }

  /** The flag names of the document. */
  names(): string[] {
    return [...this.#flags.keys()];
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
