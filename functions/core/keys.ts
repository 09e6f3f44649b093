/**
 * Typed configuration keys and their strict string codecs.
 *
 * Parameter Store holds strings. Each key kind decides, strictly, which strings are values of that kind:
 * booleans only from `true`/`false`, integers only from canonical decimals, JSON only for object and array
 * keys, strings as they are. Validation issues name a path and a problem, never the value itself.
 */
import * as z from 'zod/mini';
import './zod-messages.ts';

export type KeyKind = 'integer' | 'boolean' | 'enum' | 'url' | 'duration' | 'json' | 'string';
export type ParameterType = 'String' | 'SecureString' | 'StringList';
export type ParameterTier = 'Standard' | 'Advanced';

/** The largest value each Parameter Store tier accepts, in bytes (AWS documentation). */
export const TIER_VALUE_LIMIT_BYTES: Record<ParameterTier, number> = { Standard: 4096, Advanced: 8192 };

export interface ValidationIssue {
  /** Where the problem is: the parameter or document key, then any path inside a JSON value. */
  readonly path: string;
  readonly message: string;
}

export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly ValidationIssue[] };

export interface KeySpec<T = unknown> {
  readonly kind: KeyKind;
  /** The schema of the typed value (zod/mini), used for composed documents and JSON Schema. */
  readonly schema: z.ZodMiniType<T>;
  /** `SecureString` keys hold secrets: their desired value never sits in git or in a template. */
  readonly parameterType: 'String' | 'SecureString';
  /**
   * The value never travels: no value in events, tickets, drift reports or CLI output, only its keyed
   * fingerprint. True for `sensitive` plain keys and for every `SecureString` key.
   */
  readonly sensitive: boolean;
  readonly default?: T;
  readonly description?: string;
  /** What the schema allows, as data: read by `steward check --against` rather than zod's internals. */
  readonly constraints?: KeyConstraints;
  /** Parse a stored string strictly into a typed value. */
  decode(raw: string, path?: string): DecodeResult<T>;
  /** The canonical stored string of a typed value. */
  encode(value: T): string;
}

/** A bound as comparable number (milliseconds for durations) and as written in config/. */
export interface KeyBound {
  readonly value: number;
  readonly label: string;
}

export interface KeyConstraints {
  /** integer and duration keys: the inclusive bounds. */
  readonly min?: KeyBound;
  readonly max?: KeyBound;
  /** enum keys: the values allowed. */
  readonly values?: readonly string[];
}

interface KeyOptions<T> {
  default?: T;
  description?: string;
  /** Store as a `SecureString` (a secret-shaped value). */
  secure?: boolean;
}

/**
 * For kinds whose values are free-form (string, url, json, integer, duration). Booleans and enums take
 * no `sensitive`: their few possible values are listed in the schema, so hiding one hides nothing.
 */
interface SensitiveKeyOptions<T> extends KeyOptions<T> {
  /**
   * A plain `String` whose value must not travel (an internal hostname, a customer identifier, a value
   * a credential detector would miss): events, tickets, drift reports and CLI output carry only its
   * keyed fingerprint. It is still delivered in the service's AppConfig document and, like every plain
   * desired value, sits in git: a secret belongs in `secure` or a Secrets Manager secret instead.
   */
  sensitive?: boolean;
}

const CANONICAL_INTEGER = /^(0|-?[1-9][0-9]*)$/;
const DURATION = /^(0|[1-9][0-9]*)(ms|s|m|h|d)$/;

function issuesOf(error: z.core.$ZodError, path: string): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: [path, ...issue.path.map(String)].filter((part) => part !== '').join('.'),
    message: issue.message,
  }));
}

function fail(path: string, message: string): DecodeResult<never> {
  return { ok: false, issues: [{ path, message }] };
}

function makeKey<T>(
  kind: KeyKind,
  schema: z.ZodMiniType<T>,
  parse: (raw: string, path: string) => DecodeResult<unknown>,
  encode: (value: T) => string,
  options: SensitiveKeyOptions<T>,
  constraints?: KeyConstraints,
): KeySpec<T> {
  if (options.default !== undefined) {
    const checked = z.safeParse(schema, options.default);
    if (!checked.success) throw new TypeError(`default does not satisfy its own ${kind} schema`);
  }
  return {
    kind,
    schema,
    parameterType: options.secure ? 'SecureString' : 'String',
    sensitive: options.secure === true || options.sensitive === true,
    default: options.default,
    description: options.description,
    constraints,
    encode,
    decode(raw, path = '') {
      const parsed = parse(raw, path);
      if (!parsed.ok) return parsed;
      const checked = z.safeParse(schema, parsed.value);
      return checked.success
        ? { ok: true, value: checked.data }
        : { ok: false, issues: issuesOf(checked.error, path) };
    },
  };
}

const asString = (raw: string): DecodeResult<string> => ({ ok: true, value: raw });

/** tsc refuses `sensitive` on booleans and enums; a config written in JavaScript learns it here. */
function withoutSensitive<T>(kind: KeyKind, options: KeyOptions<T>): KeyOptions<T> {
  if ((options as SensitiveKeyOptions<T>).sensitive) {
    throw new TypeError(
      `${kind} keys cannot be sensitive: their possible values are listed in the schema, so hiding one hides nothing`,
    );
  }
  return options;
}

/** An integer written as a canonical decimal (`"1e3"`, `" 5"`, `"05"` and `"5.0"` are not), within bounds. */
export function integer(
  bounds: { min: number; max: number },
  options: SensitiveKeyOptions<number> = {},
): KeySpec<number> {
  const schema = z.int().check(z.minimum(bounds.min), z.maximum(bounds.max));
  return makeKey(
    'integer',
    schema,
    (raw, path) =>
      CANONICAL_INTEGER.test(raw)
        ? { ok: true, value: Number(raw) }
        : fail(path, 'expected a canonical decimal integer'),
    (value) => String(value),
    options,
    {
      min: { value: bounds.min, label: String(bounds.min) },
      max: { value: bounds.max, label: String(bounds.max) },
    },
  );
}

/** A boolean, from exactly `true` or `false`: `"yes"`, `"1"` and `"False"` are invalid. */
export function boolean(options: KeyOptions<boolean> = {}): KeySpec<boolean> {
  return makeKey(
    'boolean',
    z.boolean(),
    (raw, path) =>
      raw === 'true' || raw === 'false'
        ? { ok: true, value: raw === 'true' }
        : fail(path, 'expected true or false'),
    (value) => String(value),
    withoutSensitive('boolean', options),
  );
}

/** One of a fixed set of strings. */
export function oneOf<const V extends readonly [string, ...string[]]>(
  values: V,
  options: KeyOptions<V[number]> = {},
): KeySpec<V[number]> {
  return makeKey(
    'enum',
    z.enum(values) as unknown as z.ZodMiniType<V[number]>,
    asString,
    String,
    withoutSensitive('enum', options),
    { values },
  );
}

/** An absolute http(s) URL without embedded credentials. */
export function url(options: SensitiveKeyOptions<string> = {}): KeySpec<string> {
  const schema = z
    .url({ protocol: /^https?$/ })
    .check(z.refine((value) => !/^[a-z]+:\/\/[^/]*@/i.test(value), 'URL must not embed credentials'));
  return makeKey('url', schema, asString, String, options);
}

/** A duration such as `250ms`, `5s`, `2m`, `1h` or `7d`, with bounds in milliseconds. */
export function duration(
  bounds: { min?: string; max?: string } = {},
  options: SensitiveKeyOptions<string> = {},
): KeySpec<string> {
  const checks: z.core.$ZodCheck<string>[] = [
    z.regex(DURATION, 'expected a duration such as 250ms, 5s, 2m, 1h or 7d'),
  ];
  const { min, max } = bounds;
  if (min !== undefined)
    checks.push(
      z.refine(
        (d: string) => !DURATION.test(d) || durationMs(d) >= durationMs(min),
        `must be at least ${min}`,
      ),
    );
  if (max !== undefined)
    checks.push(
      z.refine(
        (d: string) => !DURATION.test(d) || durationMs(d) <= durationMs(max),
        `must be at most ${max}`,
      ),
    );
  const schema = z.string().check(...checks);
  const bound = (label: string | undefined) =>
    label === undefined ? undefined : { value: durationMs(label), label };
  return makeKey('duration', schema, asString, String, options, { min: bound(min), max: bound(max) });
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds of a duration string that matched {@link duration}'s pattern. */
export function durationMs(value: string): number {
  const match = DURATION.exec(value);
  if (!match) throw new TypeError('not a duration');
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/**
 * A JSON object or array, checked against its schema. Scalars are not JSON keys: use the typed kinds.
 *
 * The schema must be zod/mini (`import * as z from 'zod/mini'`): config/ is bundled into the
 * Lambdas, and a classic `zod` schema would bring classic zod with it. `tsc` cannot tell the two
 * apart; `steward check` refuses a classic schema and prints its zod/mini form.
 *
 * @example
 * json(z.strictObject({ standard: z.number().check(z.nonnegative()) }));
 */
export function json<T extends object>(
  schema: z.ZodMiniType<T>,
  options: SensitiveKeyOptions<T> = {},
): KeySpec<T> {
  return makeKey(
    'json',
    schema,
    (raw, path) => {
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        return fail(path, 'expected a JSON object or array');
      }
      return typeof value === 'object' && value !== null
        ? { ok: true, value }
        : fail(path, 'expected a JSON object or array');
    },
    (value) => JSON.stringify(value),
    options,
  );
}

/** A free string, taken as it is, optionally constrained by a schema. */
export function string(
  options: SensitiveKeyOptions<string> & { pattern?: RegExp; maxLength?: number; minLength?: number } = {},
): KeySpec<string> {
  const checks: z.core.$ZodCheck<string>[] = [];
  if (options.minLength !== undefined) checks.push(z.minLength(options.minLength));
  if (options.maxLength !== undefined) checks.push(z.maxLength(options.maxLength));
  if (options.pattern) checks.push(z.regex(options.pattern));
  const schema = z.string().check(...checks);
  return makeKey('string', schema, asString, String, options);
}

/** The typed value a key holds. */
export type ValueOf<S> = S extends KeySpec<infer T> ? T : never;
