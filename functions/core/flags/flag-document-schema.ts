/**
 * The one contract of the hosted `AWS.AppConfig.FeatureFlags` document: the key pattern, attribute
 * constraints and multi-variant values declared once, and two forms built from them. The strict
 * form is what the AppConfig validator Lambda enforces before a deployment; the lenient form is
 * what Steward reads back (the flag-expiry job, `steward flags`), tolerant of attributes a console
 * edit may add but strict on what AppConfig itself enforces.
 *
 * Source: https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-type-reference-feature-flags.html
 * (flag keys `^[a-z][a-zA-Z\d_-]{0,63}$`, `_variants` with `name`, `enabled`, `rule`, `attributeValues`).
 */
import * as z from 'zod/mini';

/** Flag and attribute keys AppConfig accepts. */
export const APPCONFIG_KEY = /^[a-z][a-zA-Z\d_-]{0,63}$/;
/** The longest string attribute value AppConfig accepts. */
export const APPCONFIG_STRING_LIMIT = 1024;
/** AppConfig's longest variant rule. */
export const APPCONFIG_RULE_LIMIT = 16_384;
/** AppConfig's most variants per flag (the default variant included). */
export const APPCONFIG_VARIANT_LIMIT = 32;

/** A flag or attribute key as AppConfig accepts it. */
export const appConfigKeySchema = z
  .string()
  .check(z.regex(APPCONFIG_KEY, 'a flag key is a letter then up to 63 letters, digits, - or _'));

/** The constraints of one attribute definition. */
export const constraintsSchema = z.looseObject({
  type: z.enum(['string', 'number', 'boolean', 'array']),
  required: z.optional(z.boolean()),
  pattern: z.optional(z.string()),
  enum: z.optional(z.array(z.union([z.string(), z.number()]))),
  minimum: z.optional(z.number()),
  maximum: z.optional(z.number()),
  elements: z.optional(z.looseObject({ type: z.enum(['string', 'number']) })),
});
export type AttributeConstraints = z.output<typeof constraintsSchema>;

/** What Steward writes for an attribute's constraints (the subset it emits). */
export type Constraints =
  | { type: 'string'; required?: boolean; pattern?: string; enum?: string[] }
  | { type: 'number'; required?: boolean; minimum?: number; maximum?: number }
  | { type: 'boolean'; required?: boolean }
  | { type: 'array'; required?: boolean; elements?: { type: 'string' } | { type: 'number' } };

export type AttributeValue = string | number | boolean | string[] | number[];

/** One entry of a multi-variant flag's ordered `_variants`; the default variant is last, without a rule. */
export interface AppConfigVariant {
  name: string;
  enabled: boolean;
  rule?: string;
  attributeValues?: Record<string, AttributeValue>;
}

export interface AppConfigFlagDefinition {
  name: string;
  description?: string;
  attributes?: Record<string, { description?: string; constraints?: Constraints }>;
}

/** A flag's value: `enabled` and attributes, or (multi-variant) `_variants`. */
export interface AppConfigFlagValue {
  enabled?: boolean;
  _variants?: AppConfigVariant[];
  [attribute: string]: AttributeValue | AppConfigVariant[] | undefined;
}

/** An `AWS.AppConfig.FeatureFlags` hosted document. */
export interface AppConfigFlagsDocument {
  version: '1';
  flags: Record<string, AppConfigFlagDefinition>;
  values: Record<string, AppConfigFlagValue>;
}

/**
 * A flag value is either basic (`enabled` and attributes) or multi-variant (`_variants`). Built on
 * first use, like the two forms: a bundle uses one of them, and building at import would put both
 * on every cold start of the handlers that carry this module.
 */
function buildFlagValueSchema() {
  const variantSchema = z.looseObject({
    name: z.string().check(z.minLength(1), z.maxLength(64)),
    enabled: z.boolean(),
    rule: z.optional(z.string().check(z.maxLength(APPCONFIG_RULE_LIMIT))),
    attributeValues: z.optional(z.record(z.string(), z.unknown())),
  });
  const variantsSchema = z.array(variantSchema).check(
    z.maxLength(APPCONFIG_VARIANT_LIMIT),
    z.refine(
      (variants) => variants.length > 0 && variants.at(-1)?.rule === undefined,
      'the default variant (no rule) must come last',
    ),
  );
  return z
    .looseObject({
      enabled: z.optional(z.boolean()),
      _variants: z.optional(variantsSchema),
    })
    .check(
      z.refine((value) => typeof value.enabled === 'boolean' || value._variants !== undefined, {
        message: 'Invalid input: expected boolean (or _variants)',
        path: ['enabled'],
      }),
    );
}
let flagValueSchema: ReturnType<typeof buildFlagValueSchema> | undefined;
const flagValue = () => (flagValueSchema ??= buildFlagValueSchema());

function buildStrictFlagsDocumentSchema() {
  return z.looseObject({
    version: z.literal('1'),
    flags: z.record(
      appConfigKeySchema,
      z.looseObject({
        name: z.string().check(z.minLength(1), z.maxLength(64)),
        description: z.optional(z.string().check(z.maxLength(1024))),
        attributes: z.optional(
          z.record(appConfigKeySchema, z.looseObject({ constraints: z.optional(constraintsSchema) })),
        ),
        _deprecation: z.optional(z.looseObject({ status: z.enum(['planned']) })),
      }),
    ),
    values: z.record(z.string(), flagValue()),
  });
}
let strictSchema: ReturnType<typeof buildStrictFlagsDocumentSchema> | undefined;

/** The strict form: what the validator requires before AppConfig deploys a flags profile. Built once, on first call. */
export function strictFlagsDocumentSchema() {
  return (strictSchema ??= buildStrictFlagsDocumentSchema());
}

function buildLenientFlagsDocumentSchema() {
  return z.object({
    version: z.literal('1'),
    flags: z._default(
      z.record(
        appConfigKeySchema,
        z.looseObject({
          name: z.optional(z.string()),
          description: z.optional(z.string()),
          attributes: z.optional(z.record(z.string(), z.unknown())),
        }),
      ),
      {},
    ),
    values: z._default(z.record(appConfigKeySchema, flagValue()), {}),
  });
}
let lenientSchema: ReturnType<typeof buildLenientFlagsDocumentSchema> | undefined;

/** The lenient form: what Steward reads back; missing sections default to empty. Built once, on first call. */
export function lenientFlagsDocumentSchema() {
  return (lenientSchema ??= buildLenientFlagsDocumentSchema());
}
