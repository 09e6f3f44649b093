/**
 * The zod schema of the data-plane form of an `AWS.AppConfig.FeatureFlags` profile, the contract
 * between whoever writes flags into AppConfig and the consumer client. The client itself validates
 * with the equivalent hand-written `parseFlagDocument` (kept in step by a property test) so that
 * importing `@config-steward/client` costs no schema library at cold start.
 */
import * as z from 'zod/mini';
import type { FlagDocument } from './flag-document.js';

const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** With `valueEncoding: "json"`, a string `value` or `defaultValue` must be a JSON text (decoded by the client). */
const decodable = (data: { valueEncoding?: 'json' | undefined; value?: unknown; defaultValue?: unknown }) =>
  data.valueEncoding !== 'json' ||
  [data.value, data.defaultValue].every((attribute) => typeof attribute !== 'string' || isJson(attribute));

export const flagDataSchema = z
  .looseObject({
    enabled: z.boolean(),
    owner: z.optional(z.string()),
    /** `release`, `experiment`, `operational`, `kill-switch` or `permission`; not an enum, so a new type breaks no consumer. */
    type: z.optional(z.string()),
    created: z.optional(z.string()),
    expires: z.optional(z.string()),
    rolloutPercent: z.optional(z.number().check(z.minimum(0), z.maximum(100))),
    allow: z.optional(z.array(z.string())),
    groups: z.optional(z.array(z.string())),
    /** Served when the flag is on, for string, number and object flags. */
    value: z.optional(z.unknown()),
    /** Served when the flag is off or its targeting does not match, for string, number and object flags. */
    defaultValue: z.optional(z.unknown()),
    /** `json` when `value` and `defaultValue` are JSON strings: AppConfig attributes cannot hold objects. */
    valueEncoding: z.optional(z.literal('json')),
  })
  .check(z.refine(decodable));

/** `{ "<flag>": { "enabled": boolean, "<attribute>": value, ... } }` */
export const flagDocumentSchema = z.record(z.string(), flagDataSchema);

// The schema and the client's own types must describe the same document.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const schemaMatchesTypes: Same<z.output<typeof flagDocumentSchema>, FlagDocument> = true;
