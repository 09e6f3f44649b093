/** `loadConfig`: the service's composed document, validated by the service's own zod schema. */
import type * as z from 'zod/v4/core';

/** Any zod 4 schema, classic (`zod`) or mini (`zod/mini`): both carry `safeParse`. */
export type ConfigSchema<T = unknown> = z.$ZodType<T> & {
  safeParse(data: unknown): { success: true; data: T } | { success: false; error: z.$ZodError };
};
import { DocumentSource } from './document-source.js';
import { type ClientOptions, resolveTarget } from './extension.js';

interface CachedSource {
  readonly schema: ConfigSchema;
  readonly source: DocumentSource<unknown>;
}

const sources = new Map<string, CachedSource>();

/**
 * The source behind {@link loadConfig}, one per extension URL and schema for the life of the
 * process, so warm invocations reuse the kept document.
 *
 * @example
 * const source = configSource('orders', ordersSchema);
 * const config = await source.get();
 */
export function configSource<S extends ConfigSchema>(
  service: string,
  schema: S,
  options: ClientOptions = {},
): DocumentSource<z.output<S>> {
  const target = resolveTarget(service, 'config', options);
  const key = `${target.port} ${target.application} ${target.environment} ${target.profile} ${target.localFile ?? ''}`;
  const cached = sources.get(key);
  if (cached !== undefined && cached.schema === schema) return cached.source as DocumentSource<z.output<S>>;
  const source = new DocumentSource<z.output<S>>(target, {
    ...options,
    parse: (raw) => parseDocument(schema, raw, service, target.profile),
  });
  sources.set(key, { schema, source: source as DocumentSource<unknown> });
  return source;
}

/**
 * Read the service's configuration document from the AppConfig extension and validate it with
 * `schema`. The first call in a process reads and fails fast with an error naming every bad key
 * (never a value); later calls answer from memory and, once the poll interval has passed, start a
 * background re-read without waiting for it. If the extension is slow, down, answers 5xx or serves
 * an invalid document later on, the last good document keeps being served. Define `schema` once at
 * module scope: documents are kept per extension URL and schema object.
 *
 * @example
 * const ordersSchema = z.object({ 'max-retries': z.number().int(), currency: z.enum(['EUR', 'USD']) });
 * export const handler = async () => {
 *   const config = await loadConfig('orders', ordersSchema);
 *   return config['max-retries'];
 * };
 */
export async function loadConfig<S extends ConfigSchema>(
  service: string,
  schema: S,
  options?: ClientOptions,
): Promise<z.output<S>> {
  // async: a bad setting rejects like every other failure, as with loadFlags, instead of throwing.
  return configSource(service, schema, options).get();
}

/** Forget every kept document (tests, or a process that changes its settings). */
export function clearConfigSources(): void {
  sources.clear();
}

/**
 * Validate a raw document with the service's schema. A document that fails it rejects with an
 * `InvalidConfigDocumentError` naming each offending key and the kind of problem, never a value;
 * the wording is loaded only then (`document-issues.ts`), off a healthy consumer's cold start.
 *
 * @example
 * const config = await parseDocument(ordersSchema, JSON.parse(body), 'orders', 'document');
 */
export async function parseDocument<S extends ConfigSchema>(
  schema: S,
  raw: unknown,
  service: string,
  profile: string,
): Promise<z.output<S>> {
  const parsed = schema.safeParse(raw);
  // The schema's own output type; safeParse is typed loosely to accept classic and mini alike.
  if (parsed.success) return parsed.data as z.output<S>;
  const { invalidDocumentError } = await import('./document-issues.js');
  throw invalidDocumentError(parsed.error.issues, service, profile);
}
