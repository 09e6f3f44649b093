/**
 * The AppConfig half of a plan: each service's composed document and flags document as the deploy
 * leaves them (`registry.compose` over the values the deploy's delivery reads, `serviceFlagsDocument`,
 * serialised as the delivery does), against the version deployed in AppConfig, as a
 * unified diff of the JSON. Both sides are written
 * with sorted keys and two-space indentation, so the diff shows values, not formatting; values that
 * may not be shown become keyed fingerprints on both sides before the diff is taken.
 */
import { looksLikeCredential } from '../credentials.ts';
import { ConfigurationError } from '../errors.ts';
import { serviceFlagsDocument } from '../flags/profile-document.ts';
import type { RawValueLookup, SchemaRegistry } from '../registry.ts';

export type ProfileKind = 'document' | 'flags';

/** The two documents the delivery hosts for a service in an environment, as JSON text. */
export interface DesiredDocuments {
  readonly document: string;
  readonly flags: string;
}

/**
 * What is built for one service and environment: `JSON.stringify` of the composed document and of
 * the flags document, exactly as `ConfigDelivery` hosts them from `config/` or, given `lookup` (the
 * stored strings by owner and key), as the delivery composes the document from Parameter Store.
 *
 * @throws ConfigurationError when the document does not compose (naming paths and rules, no values)
 * @example
 * const { document, flags } = desiredDocuments(registry, 'orders', 'production');
 */
export function desiredDocuments(
  registry: SchemaRegistry,
  service: string,
  environment: string,
  lookup?: RawValueLookup,
): DesiredDocuments {
  const composed = registry.compose(service, environment, ...(lookup ? [lookup] : []));
  if (!composed.ok) {
    const issues = composed.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    const from = lookup ? ' from the live values after the planned writes' : '';
    throw new ConfigurationError(
      `the ${environment} document of ${service} does not compose${from}: ${issues}`,
    );
  }
  const flags = serviceFlagsDocument(registry.service(service), environment);
  return { document: JSON.stringify(composed.document), flags: JSON.stringify(flags) };
}

/**
 * Fields AppConfig adds to a feature-flags document on a console edit; they say when, not what, so
 * they are left out of the comparison.
 */
const APPCONFIG_TIMESTAMPS = new Set(['_createdAt', '_updatedAt']);

/**
 * How a document's values are concealed: the top-level keys that are `sensitive` or that no service
 * declares, and credential detection (a top-level value as its stored string, deeper strings by field).
 */
export interface Concealment {
  readonly sensitiveKeys: ReadonlySet<string>;
  /**
   * The top-level keys the service declares; a key outside it (one config/ removed, or a hand-made
   * version's) counts as sensitive, as `mayShowValues` counts an undeclared key. Undefined for a
   * flags document, whose top level is AppConfig's format, not keys: its strings are judged by field.
   */
  readonly declaredKeys?: ReadonlySet<string>;
}

/**
 * The concealment of a profile: a service document's `sensitive` keys; a flags document has none
 * declared, and relies on credential detection.
 *
 * @example
 * concealmentOf(registry, 'orders', 'document'); // { sensitiveKeys: Set { 'backend-host' } }
 */
export function concealmentOf(registry: SchemaRegistry, service: string, profile: ProfileKind): Concealment {
  if (profile === 'flags') return { sensitiveKeys: new Set() };
  const keys = Object.entries(registry.documentKeys(service));
  return {
    sensitiveKeys: new Set(keys.filter(([, spec]) => spec.sensitive).map(([key]) => key)),
    declaredKeys: new Set(keys.map(([key]) => key)),
  };
}

/** A document parsed for comparison, or its raw text when it is not JSON. */
export type ParsedDocument = { readonly json: unknown } | { readonly text: string };

/**
 * Parse a document for comparison; a flags document loses the timestamps AppConfig adds. Content that
 * is not JSON (a hand-made version) is kept as text and compared, concealed, as a whole.
 *
 * @example
 * parseDocument('{"max-retries":3}', 'document'); // { json: { 'max-retries': 3 } }
 */ export function parseDocument(content: string, profile: ProfileKind): ParsedDocument {
  try {
    const json: unknown = JSON.parse(content);
    return { json: profile === 'flags' ? withoutTimestamps(json) : json };
  } catch {
    return { text: content };
  }
}

/**
 * Where a document holds a value that may not be shown: a top-level key that is `sensitive`, is not
 * declared, or whose value (as Parameter Store holds it: a JSON value as its JSON) looks like a
 * credential, which is what hides the key's parameter write too; below that, each string that looks
 * like a credential by its own field's name or its content. Paths are JSON pointers; a document that
 * is not JSON is concealed whole (path `''`). Conceal the union of both sides' paths on both sides:
 * showing one of two values beside "they differ" says something about the other.
 */
export function pathsToConceal(document: ParsedDocument, concealment: Concealment): Set<string> {
  const paths = new Set<string>();
  if ('text' in document) return paths.add('');
  const { sensitiveKeys, declaredKeys } = concealment;
  walk(document.json, '', '', 0, (value, key, pointer, depth) => {
    const topLevel =
      depth === 1 &&
      (sensitiveKeys.has(key) ||
        (declaredKeys !== undefined &&
          (!declaredKeys.has(key) || looksLikeCredential(key, rawOf(value)).matched)));
    if (topLevel || (typeof value === 'string' && looksLikeCredential(key, value).matched)) {
      paths.add(pointer);
      return true;
    }
    return false;
  });
  return paths;
}

/**
 * The raw value at each concealed path, as the fingerprint is taken of it: a string as it is (as
 * Parameter Store holds a string key's value), anything else as its JSON.
 */
export function valuesAt(document: ParsedDocument, paths: ReadonlySet<string>): string[] {
  if ('text' in document) return paths.has('') ? [document.text] : [];
  const found: string[] = [];
  walk(document.json, '', '', 0, (value, _key, pointer) => {
    if (!paths.has(pointer)) return false;
    found.push(rawOf(value));
    return true;
  });
  return found;
}

/**
 * The document's canonical text (sorted keys, two spaces), each value at a concealed path replaced by
 * its fingerprint from `fingerprints`.
 */
export function canonicalText(
  document: ParsedDocument,
  paths: ReadonlySet<string>,
  fingerprints: ReadonlyMap<string, string>,
): string {
  const conceal = (raw: string) => {
    const fingerprint = fingerprints.get(raw);
    if (fingerprint === undefined) throw new Error('a value to conceal has no fingerprint');
    return fingerprint;
  };
  if ('text' in document) return paths.has('') ? conceal(document.text) : document.text;
  const rewrite = (value: unknown, pointer: string): unknown => {
    if (paths.has(pointer)) return conceal(rawOf(value));
    if (Array.isArray(value)) return value.map((item, i) => rewrite(item, `${pointer}/${i}`));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.keys(value as Record<string, unknown>)
          .sort()
          .map((k) => [k, rewrite((value as Record<string, unknown>)[k], `${pointer}/${escapePointer(k)}`)]),
      );
    }
    return value;
  };
  return JSON.stringify(rewrite(document.json, ''), null, 2);
}

function rawOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * Visit every value with its nearest object key, JSON pointer and depth; `stop` returning true skips
 * the value's children.
 */
function walk(
  value: unknown,
  key: string,
  pointer: string,
  depth: number,
  stop: (value: unknown, key: string, pointer: string, depth: number) => boolean,
): void {
  if (stop(value, key, pointer, depth)) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, key, `${pointer}/${i}`, depth + 1, stop));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      walk(v, k, `${pointer}/${escapePointer(k)}`, depth + 1, stop);
    }
  }
}

function escapePointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function withoutTimestamps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimestamps);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => !APPCONFIG_TIMESTAMPS.has(key))
      .map(([key, v]) => [key, withoutTimestamps(v)]),
  );
}
