/**
 * The data-plane form of an `AWS.AppConfig.FeatureFlags` profile as the AppConfig extension serves
 * it: `{ "<flag>": { "enabled": boolean, "<attribute>": value, ... } }`, validated without a schema
 * library (its zod twin is `flag-schema.ts`). Strict on what evaluation depends on (enabled, rollout,
 * allow-list, groups), lenient on descriptive attributes, so a new flag type or an extra attribute
 * never takes a consumer down.
 *
 * AppConfig attributes cannot hold objects, so an object-valued flag carries its `value` and
 * `defaultValue` as JSON strings with `valueEncoding: "json"`; they are decoded here, once, when the
 * document is read.
 */
import { InvalidConfigDocumentError } from './errors.js';

export interface FlagData {
  readonly enabled: boolean;
  readonly owner?: string | undefined;
  /** `release`, `experiment`, `operational`, `kill-switch` or `permission`. */
  readonly type?: string | undefined;
  /** YYYY-MM-DD */
  readonly created?: string | undefined;
  /** YYYY-MM-DD */
  readonly expires?: string | undefined;
  /** 0–100: the share of targeting keys, by consistent hashing, that get the flag. */
  readonly rolloutPercent?: number | undefined;
  /** Targeting keys that always get the flag when it is enabled. */
  readonly allow?: string[] | undefined;
  /** Groups whose members always get the flag when it is enabled. */
  readonly groups?: string[] | undefined;
  /** Served when the flag is on, for string, number and object flags. */
  readonly value?: unknown;
  /** Served when the flag is off or its targeting does not match. */
  readonly defaultValue?: unknown;
  /** `json` when `value` and `defaultValue` travel as JSON strings (object-valued flags). */
  readonly valueEncoding?: 'json' | undefined;
  /**
   * Ordered variants of a rule-based flag: JSON texts of `{ name, rule?, enabled, value? }`, the
   * same rules AppConfig's `_variants` carry, the last (without a rule) the default. Checked and
   * compiled by the rule engine, which only documents with such flags load.
   */
  readonly variants?: readonly unknown[] | undefined;
  readonly [attribute: string]: unknown;
}

export type FlagDocument = Record<string, FlagData>;

const STRING_ATTRIBUTES = ['owner', 'type', 'created', 'expires'] as const;
const LIST_ATTRIBUTES = ['allow', 'groups'] as const;
const ENCODED_ATTRIBUTES = ['value', 'defaultValue'] as const;

/**
 * Validate a flags document; the error names the flags and attributes at fault, never their values.
 *
 * @example
 * const document = parseFlagDocument(JSON.parse(body), 'orders-flags');
 */
export function parseFlagDocument(raw: unknown, profile = 'flags'): FlagDocument {
  const problems: string[] = [];
  let decoded: Record<string, FlagData> | undefined;
  if (!isRecord(raw)) {
    problems.push('(document)');
  } else {
    for (const [name, data] of Object.entries(raw)) {
      if (!isRecord(data)) {
        problems.push(name);
        continue;
      }
      if (typeof data['enabled'] !== 'boolean') problems.push(`${name}.enabled`);
      for (const attribute of STRING_ATTRIBUTES) {
        if (data[attribute] !== undefined && typeof data[attribute] !== 'string')
          problems.push(`${name}.${attribute}`);
      }
      const rollout = data['rolloutPercent'];
      if (rollout !== undefined && !(typeof rollout === 'number' && rollout >= 0 && rollout <= 100)) {
        problems.push(`${name}.rolloutPercent`);
      }
      for (const attribute of LIST_ATTRIBUTES) {
        const list = data[attribute];
        if (
          list !== undefined &&
          !(Array.isArray(list) && list.every((entry) => typeof entry === 'string'))
        ) {
          problems.push(`${name}.${attribute}`);
        }
      }
      const encoding = data['valueEncoding'];
      let flag: Record<string, unknown> = data;
      if (encoding === 'json') {
        flag = decodeJsonAttributes(name, data, problems);
      } else if (encoding !== undefined) {
        problems.push(`${name}.valueEncoding`);
      }
      const variants = data['variants'];
      if (variants !== undefined && !(Array.isArray(variants) && variants.length > 0))
        problems.push(`${name}.variants`);
      if (flag !== data) (decoded ??= { ...(raw as FlagDocument) })[name] = flag as FlagData;
    }
  }
  if (problems.length > 0) {
    throw new InvalidConfigDocumentError(
      `the feature flags (${profile}) are invalid: ${problems.join(', ')}`,
      problems,
    );
  }
  return decoded ?? (raw as FlagDocument);
}

/**
 * A copy of the flag with its JSON-string `value` and `defaultValue` decoded (the flag itself when
 * neither is a string). An undecodable string adds `<flag>.<attribute>` to `problems`; the parser's
 * message, which may quote the text, is dropped.
 */
function decodeJsonAttributes(
  name: string,
  data: Record<string, unknown>,
  problems: string[],
): Record<string, unknown> {
  let flag = data;
  for (const attribute of ENCODED_ATTRIBUTES) {
    const encoded = data[attribute];
    if (typeof encoded !== 'string') continue;
    const value = decodeJson(encoded);
    if (value === UNDECODABLE) {
      problems.push(`${name}.${attribute}`);
      continue;
    }
    if (flag === data) flag = { ...data };
    flag[attribute] = value;
  }
  return flag;
}

const UNDECODABLE: unique symbol = Symbol('undecodable');

function decodeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return UNDECODABLE;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
