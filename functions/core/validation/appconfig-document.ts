/**
 * Re-validation of every document AWS AppConfig deploys, by the same registry that judges single
 * values, so no invalid document reaches a consumer by any path (console, CLI, another pipeline).
 * Issues name keys and problems, never values.
 */
import * as z from 'zod/mini';
import type { ProfileLocator } from '../../ports/config-delivery.ts';
import { type AppConfigTargets, serviceOfApplication } from '../appconfig-targets.ts';
import { MalformedEventError, StewardError } from '../errors.ts';
import type { ValidationIssue } from '../keys.ts';
import type { SchemaRegistry } from '../registry.ts';
import {
  type AttributeConstraints as Constraints,
  constraintsSchema as constraints,
  strictFlagsDocumentSchema,
} from '../flags/flag-document-schema.ts';
import { variantListIssues } from '../flags/variant-list.ts';
import '../zod-messages.ts';

/** AppConfig's validator invocation, in its camelCase form or the older PascalCase one. */
const nonEmpty = z.string().check(z.minLength(1));
const version = z.pipe(z.union([z.string(), z.number()]), z.transform(String));
const camelCase = z.looseObject({
  applicationId: nonEmpty,
  configurationProfileId: nonEmpty,
  configurationVersion: version,
  content: z.string(),
  uri: z.optional(z.string()),
});
const pascalCase = z.pipe(
  z.looseObject({
    ApplicationId: nonEmpty,
    ConfigurationProfileId: nonEmpty,
    ConfigurationVersion: version,
    Content: z.string(),
    Uri: z.optional(z.string()),
  }),
  z.transform((e) => ({
    applicationId: e.ApplicationId,
    configurationProfileId: e.ConfigurationProfileId,
    configurationVersion: e.ConfigurationVersion,
    content: e.Content,
    uri: e.Uri,
  })),
);

export interface ValidatorInvocation {
  readonly applicationId: string;
  readonly configurationProfileId: string;
  readonly configurationVersion: string;
  /** Decoded from base64. */
  readonly content: string;
}

/**
 * @example
 * const invocation = parseValidatorInvocation(event); // camelCase or PascalCase keys
 */
export function parseValidatorInvocation(raw: unknown): ValidatorInvocation {
  const parsed = z.union([camelCase, pascalCase]).safeParse(raw);
  if (!parsed.success) {
    throw new MalformedEventError(
      'malformed AppConfig validator invocation: expected applicationId, configurationProfileId, configurationVersion and base64 content (camelCase or PascalCase)',
    );
  }
  return { ...parsed.data, content: Buffer.from(parsed.data.content, 'base64').toString('utf8') };
}

/** The hosted `AWS.AppConfig.FeatureFlags` format: flag definitions and their values (built on first use). */
export const featureFlagsDocumentSchema = strictFlagsDocumentSchema;

type RawFlags = Record<string, { attributes?: Record<string, { constraints?: unknown }> }>;

/** Checks across definitions and values, run even when the structure has other problems. */
async function crossCheckFlags(document: unknown): Promise<ValidationIssue[]> {
  const { flags, values } = (document ?? {}) as { flags?: unknown; values?: unknown };
  if (typeof flags !== 'object' || flags === null || typeof values !== 'object' || values === null) return [];
  const issues: ValidationIssue[] = [];
  const valuesOf = values as Record<string, Record<string, unknown> | undefined>;
  for (const [key, flag] of Object.entries(flags as RawFlags)) {
    const flagValues = valuesOf[key];
    if (!flagValues || typeof flagValues !== 'object') {
      issues.push({ path: `values.${key}`, message: 'flag has no values' });
      continue;
    }
    const variants = flagValues['_variants'];
    // A multi-variant flag's attributes live in each variant's attributeValues.
    const holders: [string, Record<string, unknown>][] = Array.isArray(variants)
      ? variants.map((variant: { attributeValues?: Record<string, unknown> }, index) => [
          `values.${key}._variants.${index}`,
          variant?.attributeValues ?? {},
        ])
      : [[`values.${key}`, flagValues]];
    const checkable: [string, Constraints, RegExp | undefined][] = [];
    for (const [attribute, definition] of Object.entries(flag?.attributes ?? {})) {
      const parsed = constraints.safeParse(definition?.constraints);
      if (!parsed.success) continue;
      const pattern = parsed.data.pattern === undefined ? undefined : regularExpression(parsed.data.pattern);
      if (pattern === null) {
        // Checking values against it would throw; the definition is what is wrong.
        issues.push({
          path: `flags.${key}.attributes.${attribute}.constraints.pattern`,
          message: 'not a valid regular expression',
        });
        continue;
      }
      // Compiled once per attribute, not once per variant holding a value.
      checkable.push([attribute, parsed.data, pattern]);
    }
    for (const [path, holder] of holders) {
      for (const [attribute, definition, pattern] of checkable) {
        const problem = attributeProblem(holder[attribute], definition, pattern);
        if (problem) issues.push({ path: `${path}.${attribute}`, message: problem });
      }
    }
    if (Array.isArray(variants))
      issues.push(...(await ruleIssues(key, variants)), ...variantListIssues(key, variants));
  }
  for (const key of Object.keys(valuesOf)) {
    if (!(key in (flags as object)))
      issues.push({ path: `values.${key}`, message: 'values for an undefined flag' });
  }
  return issues;
}

type RuleLanguage = typeof import('@config-steward/client/rules');
let ruleLanguage: Promise<RuleLanguage> | undefined;

/**
 * The client's rule language, imported the first time a document has a rule (a lazy chunk,
 * lib/bundling.ts): most flag documents have none, and the validator's cold start stays without it.
 * A failed import is tried again on the next document.
 */
function loadRuleLanguage(): Promise<RuleLanguage> {
  ruleLanguage ??= import('@config-steward/client/rules').catch((error: unknown) => {
    ruleLanguage = undefined;
    throw error;
  });
  return ruleLanguage;
}

/** Every variant rule must parse; the message names the variant and the fault, never context values. */
async function ruleIssues(key: string, variants: readonly unknown[]): Promise<ValidationIssue[]> {
  const rules = variants.flatMap((variant, index) => {
    const rule = (variant as { rule?: unknown } | null)?.rule;
    return typeof rule === 'string' ? [{ rule, index }] : [];
  });
  if (rules.length === 0) return [];
  const { parseRule, RuleSyntaxError } = await loadRuleLanguage();
  const issues: ValidationIssue[] = [];
  for (const { rule, index } of rules) {
    try {
      parseRule(rule);
    } catch (error) {
      const message = error instanceof RuleSyntaxError ? error.message : 'does not parse';
      issues.push({ path: `values.${key}._variants.${index}.rule`, message: `malformed rule: ${message}` });
    }
  }
  return issues;
}

/** The compiled pattern, or null when it is not a valid regular expression. */
function regularExpression(pattern: string): RegExp | null {
  try {
    return new RegExp(pattern);
  } catch {
    return null;
  }
}

/** What is wrong with an attribute value under its constraints; the message never quotes the value. */
function attributeProblem(
  value: unknown,
  c: Constraints | undefined,
  pattern: RegExp | undefined,
): string | undefined {
  if (!c) return undefined;
  if (value === undefined) return c.required ? 'required attribute missing' : undefined;
  if (c.type === 'array') {
    if (!Array.isArray(value)) return 'expected an array';
    const element = c.elements?.type;
    if (element && !value.every((v) => typeof v === element)) return `expected an array of ${element}s`;
    return undefined;
  }
  if (typeof value !== c.type) return `expected a ${c.type}`;
  if (typeof value === 'string') {
    if (pattern !== undefined && !pattern.test(value)) return 'does not match the pattern';
    if (c.enum && !c.enum.includes(value)) return 'not one of the allowed values';
  }
  if (typeof value === 'number') {
    if (c.minimum !== undefined && value < c.minimum) return `below the minimum ${c.minimum}`;
    if (c.maximum !== undefined && value > c.maximum) return `above the maximum ${c.maximum}`;
    if (c.enum && !c.enum.includes(value)) return 'not one of the allowed values';
  }
  return undefined;
}

export type DocumentVerdict =
  | { readonly ok: true; readonly service: string; readonly profile: 'document' | 'flags' }
  | {
      readonly ok: false;
      readonly service?: string;
      readonly profile?: 'document' | 'flags';
      readonly issues: readonly ValidationIssue[];
    };

/** Locates profiles from `STEWARD_APPCONFIG`, when the function has it. */
export function targetsLocator(targets: AppConfigTargets): ProfileLocator {
  return {
    async locate(applicationId, configurationProfileId) {
      const found = serviceOfApplication(targets, applicationId);
      if (!found) return undefined;
      if (configurationProfileId === found.target.documentProfileId)
        return { service: found.service, profile: 'document' };
      if (configurationProfileId === found.target.flagsProfileId)
        return { service: found.service, profile: 'flags' };
      return undefined;
    },
  };
}

/** Try each locator in turn. */
export function firstLocator(...locators: readonly ProfileLocator[]): ProfileLocator {
  return {
    async locate(applicationId, configurationProfileId) {
      for (const locator of locators) {
        const found = await locator.locate(applicationId, configurationProfileId);
        if (found) return found;
      }
      return undefined;
    },
  };
}

/**
 * Validate a document AppConfig is about to deploy: the service's composed-document schema for its
 * document profile, the feature-flag format for its flags profile.
 *
 * @example
 * const verdict = await validateDeliveredDocument(invocation, { registry, locator });
 * if (!verdict.ok) throw new InvalidDocumentError(verdict.issues, verdict);
 */
export async function validateDeliveredDocument(
  invocation: ValidatorInvocation,
  deps: { readonly registry: SchemaRegistry; readonly locator: ProfileLocator },
): Promise<DocumentVerdict> {
  const location = await deps.locator.locate(invocation.applicationId, invocation.configurationProfileId);
  if (!location || !deps.registry.service(location.service)) {
    return {
      ok: false,
      issues: [
        {
          path: '(profile)',
          message: `profile ${invocation.configurationProfileId} of application ${invocation.applicationId} is not a Steward profile`,
        },
      ],
    };
  }
  const { service, profile } = location;
  let document: unknown;
  try {
    document = JSON.parse(invocation.content);
  } catch {
    return { ok: false, service, profile, issues: [{ path: '(document)', message: 'not valid JSON' }] };
  }
  const issues =
    profile === 'document' ? deps.registry.validateDocument(service, document) : await flagIssues(document);
  return issues.length === 0 ? { ok: true, service, profile } : { ok: false, service, profile, issues };
}

async function flagIssues(document: unknown): Promise<ValidationIssue[]> {
  const checked = featureFlagsDocumentSchema().safeParse(document);
  const structural = checked.success
    ? []
    : checked.error.issues.map((i) => ({
        path: i.path.map(String).join('.') || '(document)',
        message: i.message,
      }));
  return [...structural, ...(await crossCheckFlags(document))];
}

/** Thrown to make AppConfig reject a deployment; the message names keys and problems, never values. */
export class InvalidDocumentError extends StewardError {
  constructor(
    readonly issues: readonly ValidationIssue[],
    context: { service?: string; profile?: string; configurationVersion?: string },
  ) {
    const what = `${context.service ?? 'unknown service'} ${context.profile ?? 'configuration'}`;
    super(
      `invalid ${what}${context.configurationVersion ? ` version ${context.configurationVersion}` : ''}: ` +
        issues.map((i) => `${i.path || '(document)'}: ${i.message}`).join('; '),
    );
    this.name = 'InvalidDocumentError';
  }
}
