/**
 * The AppConfig half of a plan: each service's composed document and flags document as the stack
 * builds them from `config/` (`registry.compose`, `toAppConfigFlags`, serialised as the stack does),
 * against the version deployed in AppConfig, as a unified diff of the JSON. Both sides are written
 * with sorted keys and two-space indentation, so the diff shows values, not formatting; values that
 * may not be shown become keyed fingerprints on both sides before the diff is taken.
 */
import { looksLikeCredential } from '../credentials.ts';
import { ConfigurationError } from '../errors.ts';
import { toAppConfigFlags } from '../flags/appconfig-format.ts';
import type { SchemaRegistry } from '../registry.ts';

export type ProfileKind = 'document' | 'flags';

/** The two documents the stack hosts for a service in an environment, as JSON text. */
export interface DesiredDocuments {
  readonly document: string;
  readonly flags: string;
}

/**
 * What the stack builds for one service and environment: `JSON.stringify` of the composed document
 * and of the flags document, exactly as `ConfigDelivery` hosts them.
 *
 * @throws ConfigurationError when the document does not compose (`steward check` names the issue too)
 * @example
 * const { document, flags } = desiredDocuments(registry, 'orders', 'production');
 */
export function desiredDocuments(
  registry: SchemaRegistry,
  service: string,
  environment: string,
): DesiredDocuments {
  const composed = registry.compose(service, environment);
  if (!composed.ok) {
    const issues = composed.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new ConfigurationError(`the ${environment} document of ${service} does not compose: ${issues}`);
  }
  const flags = toAppConfigFlags(registry.service(service)?.flags ?? {}, environment);
  return { document: JSON.stringify(composed.document), flags: JSON.stringify(flags) };
}

/**
 * Fields AppConfig adds to a feature-flags document on a console edit; they say when, not what, so
 * they are left out of the comparison.
 */
const APPCONFIG_TIMESTAMPS = new Set(['_createdAt', '_updatedAt']);

/** How a document's values are concealed: the top-level keys that are `sensitive`, and credential detection on every string. */
export interface Concealment {
  readonly sensitiveKeys: ReadonlySet<string>;
}

/**
 * The concealment of a profile: a service document's `sensitive` keys; a flags document has none
 * declared, and relies on credential detection.
 */
export function concealmentOf(registry: SchemaRegistry, service: string, profile: ProfileKind): Concealment {
  if (profile === 'flags') return { sensitiveKeys: new Set() };
  const keys = Object.entries(registry.documentKeys(service));
  return { sensitiveKeys: new Set(keys.filter(([, spec]) => spec.sensitive).map(([key]) => key)) };
}

/** A document parsed for comparison, or its raw text when it is not JSON. */
export type ParsedDocument = { readonly json: unknown } | { readonly text: string };

export function parseDocument(content: string, profile: ProfileKind): ParsedDocument {
  try {
    const json: unknown = JSON.parse(content);
    return { json: profile === 'flags' ? withoutTimestamps(json) : json };
  } catch {
    return { text: content };
  }
}

/**
 * Every raw value of a parsed document that may not be shown: the JSON of a `sensitive` key's value,
 * and each string that looks like a credential (by its own key's name or its content). A document that
 * is not JSON is concealed whole.
 */
export function valuesToConceal(document: ParsedDocument, concealment: Concealment): string[] {
  const found: string[] = [];
  rewrite(document, concealment, (raw) => {
    found.push(raw);
    return raw;
  });
  return found;
}

/**
 * The document's canonical text (sorted keys, two spaces), each value {@link valuesToConceal} lists
 * replaced by its fingerprint from `fingerprints`.
 */
export function canonicalText(
  document: ParsedDocument,
  concealment: Concealment,
  fingerprints: ReadonlyMap<string, string>,
): string {
  const conceal = (raw: string) => {
    const fingerprint = fingerprints.get(raw);
    if (fingerprint === undefined) throw new Error('a value to conceal has no fingerprint');
    return fingerprint;
  };
  const rewritten = rewrite(document, concealment, conceal);
  return 'text' in rewritten ? rewritten.text : JSON.stringify(sortKeys(rewritten.json), null, 2);
}

function rewrite(
  document: ParsedDocument,
  concealment: Concealment,
  conceal: (raw: string) => string,
): ParsedDocument {
  if ('text' in document) return { text: conceal(document.text) };
  const visit = (value: unknown, key: string, depth: number): unknown => {
    if (depth === 1 && concealment.sensitiveKeys.has(key)) return conceal(JSON.stringify(value));
    if (typeof value === 'string') return looksLikeCredential(key, value).matched ? conceal(value) : value;
    if (Array.isArray(value)) return value.map((item) => visit(item, key, depth + 1));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, visit(v, k, depth + 1)]),
      );
    }
    return value;
  };
  return { json: visit(document.json, '', 0) };
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

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value as Record<string, unknown>)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
