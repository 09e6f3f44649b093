/**
 * Translation of `config/` flags into AppConfig's `AWS.AppConfig.FeatureFlags` document, one per
 * environment, and back. Definitions carry typed attribute constraints; values carry `enabled` and
 * the attributes the client evaluates (`rolloutPercent`, `allow`, `groups`, `value`, `defaultValue`)
 * plus the metadata the nightly job reads (`owner`, `type`, `created`, `expires`).
 *
 * AppConfig attribute values are strings (at most 1024 characters), numbers, booleans, or arrays of
 * strings or numbers: an object-valued flag travels as a JSON string with `valueEncoding: "json"`.
 */
import { ConfigurationError } from '../errors.ts';
import {
  FLAG_TYPES_THAT_EXPIRE,
  type FlagDefinition,
  type FlagEnvironmentValue,
  type FlagType,
  type FlagVariantDefinition,
  type FlagVariantValue,
} from '../model.ts';
import {
  APPCONFIG_KEY,
  APPCONFIG_STRING_LIMIT,
  type AppConfigFlagDefinition,
  type AppConfigFlagsDocument,
  type AppConfigFlagValue,
  type AttributeValue,
  type Constraints,
  lenientFlagsDocumentSchema,
} from './flag-document-schema.ts';
import { localVariant } from './variant-list.ts';

export const FLAG_TYPES: readonly FlagType[] = [
  'release',
  'experiment',
  'operational',
  'kill-switch',
  'permission',
];

const DAY_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';

/** One flag as read back from a hosted document: its metadata and its value in that document. */
export interface DecodedFlag {
  readonly key: string;
  readonly description?: string;
  readonly owner?: string;
  /** As stored; not necessarily one of {@link FLAG_TYPES} when the document was edited by hand. */
  readonly type?: string;
  readonly created?: string;
  readonly expires?: string;
  readonly valueKind?: FlagDefinition['valueKind'];
  readonly defaultValue?: FlagVariantValue;
  readonly value: FlagEnvironmentValue;
}

/**
 * The `AWS.AppConfig.FeatureFlags` document of one environment. A flag without values for the
 * environment is present and disabled, so every environment knows every flag.
 *
 * @throws ConfigurationError when a flag or value cannot be expressed in AppConfig's format
 * @example
 * const document = toAppConfigFlags(orders.flags ?? {}, 'production');
 * // document.values['new-checkout'] → { enabled: true, rolloutPercent: 25, owner: 'team-orders', ... }
 */
export function toAppConfigFlags(
  flags: Readonly<Record<string, FlagDefinition>>,
  environment: string,
): AppConfigFlagsDocument {
  const document: AppConfigFlagsDocument = { version: '1', flags: {}, values: {} };
  for (const [key, flag] of Object.entries(flags)) {
    const problems = appConfigProblems(key, flag);
    if (problems.length > 0) {
      throw new ConfigurationError(
        `flag "${key}" cannot be expressed as an AppConfig feature flag: ${problems.join('; ')}`,
      );
    }
    document.flags[key] = encodeDefinition(key, flag);
    document.values[key] = encodeValue(flag, flag.environments[environment] ?? { enabled: false });
  }
  return document;
}

/**
 * Problems that keep a flag out of AppConfig's format: its key, string lengths, the attribute count.
 * `steward check` reports them next to the metadata rules.
 */
export function appConfigProblems(key: string, flag: FlagDefinition): string[] {
  const problems: string[] = [];
  if (!APPCONFIG_KEY.test(key)) {
    problems.push(
      'the key must start with a lower-case letter and hold at most 64 letters, digits, "_" or "-"',
    );
  }
  if ((flag.description ?? '').length > 1024) problems.push('the description is over 1024 characters');
  const tooLong = (text: string | undefined) => text !== undefined && text.length > APPCONFIG_STRING_LIMIT;
  if (tooLong(flag.owner)) problems.push('the owner is over 1024 characters');
  for (const [environment, value] of Object.entries(flag.environments)) {
    const encodedValue = encodeValue(flag, value);
    const holders = encodedValue._variants?.map((variant) => variant.attributeValues ?? {}) ?? [encodedValue];
    for (const [name, encoded] of holders.flatMap((holder) => Object.entries(holder))) {
      if (typeof encoded === 'string' && encoded.length > APPCONFIG_STRING_LIMIT) {
        problems.push(`${environment}: ${name} is over ${APPCONFIG_STRING_LIMIT} characters once encoded`);
      }
      if (Array.isArray(encoded) && encoded.some((item) => String(item).length > APPCONFIG_STRING_LIMIT)) {
        problems.push(`${environment}: an entry of ${name} is over ${APPCONFIG_STRING_LIMIT} characters`);
      }
    }
  }
  return problems;
}

function encodeDefinition(key: string, flag: FlagDefinition): AppConfigFlagDefinition {
  const kind = flag.valueKind ?? 'boolean';
  const used = (attribute: keyof FlagEnvironmentValue) =>
    Object.values(flag.environments).some(
      (value) =>
        value[attribute] !== undefined ||
        (attribute === 'value' && value.variants !== undefined && kind !== 'boolean'),
    );
  const attributes: NonNullable<AppConfigFlagDefinition['attributes']> = {
    owner: { description: 'Team that owns the flag', constraints: { type: 'string', required: true } },
    type: {
      description: 'Flag type',
      constraints: { type: 'string', required: true, enum: [...FLAG_TYPES] },
    },
    created: {
      description: 'Day introduced (YYYY-MM-DD, UTC)',
      constraints: { type: 'string', required: true, pattern: DAY_PATTERN },
    },
    expires: {
      description: 'Day the flag should be gone (YYYY-MM-DD, UTC)',
      constraints: {
        type: 'string',
        required: FLAG_TYPES_THAT_EXPIRE.includes(flag.type),
        pattern: DAY_PATTERN,
      },
    },
  };
  if (used('variants')) {
    attributes['variants'] = {
      description: 'Rules and variants as JSON texts, for local evaluation (the same rules as _variants)',
      constraints: { type: 'array', elements: { type: 'string' } },
    };
  }
  if (used('rolloutPercent')) {
    attributes['rolloutPercent'] = {
      description: 'Percentage of targeting keys that get the flag',
      constraints: { type: 'number', minimum: 0, maximum: 100 },
    };
  }
  if (used('allow')) {
    attributes['allow'] = {
      description: 'Targeting keys that always get the flag',
      constraints: { type: 'array', elements: { type: 'string' } },
    };
  }
  if (used('groups')) {
    attributes['groups'] = {
      description: 'Groups whose members always get the flag',
      constraints: { type: 'array', elements: { type: 'string' } },
    };
  }
  if (kind !== 'boolean') {
    const served = { type: kind === 'object' ? 'string' : kind } as Constraints;
    attributes['valueKind'] = {
      description: 'Kind of value served',
      constraints: { type: 'string', enum: ['boolean', 'string', 'number', 'object'] },
    };
    if (used('value')) attributes['value'] = { description: 'Value served when on', constraints: served };
    if (flag.defaultValue !== undefined) {
      attributes['defaultValue'] = { description: 'Value served when off', constraints: served };
    }
    if (kind === 'object') {
      attributes['valueEncoding'] = {
        description: 'How value and defaultValue are encoded',
        constraints: { type: 'string', enum: ['json'] },
      };
    }
  } else if (used('value')) {
    attributes['value'] = { description: 'Value served when on', constraints: { type: 'boolean' } };
  }
  return {
    name: key,
    ...(flag.description ? { description: flag.description } : {}),
    attributes,
  };
}

function encodeValue(flag: FlagDefinition, value: FlagEnvironmentValue): AppConfigFlagValue {
  const kind = flag.valueKind ?? 'boolean';
  const encode = (served: FlagVariantValue): AttributeValue =>
    kind === 'object' || (typeof served === 'object' && served !== null) ? JSON.stringify(served) : served;
  const metadata: Record<string, AttributeValue> = {
    owner: flag.owner,
    type: flag.type,
    created: flag.created,
  };
  if (flag.expires !== undefined) metadata['expires'] = flag.expires;
  if (kind !== 'boolean') metadata['valueKind'] = kind;
  if (kind !== 'boolean' && flag.defaultValue !== undefined)
    metadata['defaultValue'] = encode(flag.defaultValue);
  if (kind === 'object') metadata['valueEncoding'] = 'json';
  if (value.enabled && value.variants !== undefined)
    return encodeVariants(value.variants, kind, metadata, encode);
  const result: AppConfigFlagValue = { enabled: value.enabled, ...metadata };
  if (value.rolloutPercent !== undefined) result['rolloutPercent'] = value.rolloutPercent;
  if (value.allow !== undefined) result['allow'] = [...value.allow];
  if (value.groups !== undefined) result['groups'] = [...value.groups];
  if (value.value !== undefined) result['value'] = encode(value.value);
  return result;
}

/**
 * A multi-variant value in AppConfig's format: `_variants` in order, the default last without a
 * rule. The AppConfig agent (with a `Context` header) and the console evaluate `_variants`; every
 * variant also carries the whole list as JSON texts in `variants`, so whichever variant the agent
 * serves to a client that sends no context, the client can evaluate the same rules locally.
 */
function encodeVariants(
  variants: readonly FlagVariantDefinition[],
  kind: NonNullable<FlagDefinition['valueKind']>,
  metadata: Record<string, AttributeValue>,
  encode: (served: FlagVariantValue) => AttributeValue,
): AppConfigFlagValue {
  const texts = variants.map((variant) =>
    JSON.stringify(
      localVariant(
        variant.name,
        variant.rule,
        kind === 'boolean' ? variant.value === true : true,
        kind !== 'boolean' ? variant.value : undefined,
      ),
    ),
  );
  return {
    _variants: variants.map((variant) => ({
      name: variant.name,
      enabled: kind === 'boolean' ? variant.value === true : true,
      ...(variant.rule !== undefined ? { rule: variant.rule } : {}),
      attributeValues: {
        ...metadata,
        ...(kind !== 'boolean' ? { value: encode(variant.value) } : {}),
        variants: texts,
      },
    })),
  };
}

/**
 * Read a hosted `AWS.AppConfig.FeatureFlags` document back into flags: metadata from the value
 * attributes (the data plane keeps only those), descriptions from the definitions.
 *
 * @throws ConfigurationError when the document is not a feature-flags document
 * @example
 * const flags = fromAppConfigFlags(JSON.parse(content));
 */
export function fromAppConfigFlags(raw: unknown): DecodedFlag[] {
  const parsed = lenientFlagsDocumentSchema().safeParse(raw);
  if (!parsed.success) {
    const paths = [
      ...new Set(parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(document)')),
    ];
    throw new ConfigurationError(`not an AWS.AppConfig.FeatureFlags document: ${paths.join(', ')}`);
  }
  const { flags, values } = parsed.data;
  const keys = [...new Set([...Object.keys(flags), ...Object.keys(values)])].sort();
  return keys.map((key) => decodeFlag(key, flags[key]?.description, values[key]));
}

function decodeFlag(
  key: string,
  description: string | undefined,
  raw: Record<string, unknown> | undefined,
): DecodedFlag {
  const attributes = raw === undefined ? { enabled: false } : flatten(raw);
  const text = (name: string) =>
    typeof attributes[name] === 'string' ? (attributes[name] as string) : undefined;
  const strings = (name: string) =>
    Array.isArray(attributes[name]) ? (attributes[name] as unknown[]).map(String) : undefined;
  const kindText = text('valueKind');
  const valueKind = (['boolean', 'string', 'number', 'object'] as const).find((k) => k === kindText);
  const json = text('valueEncoding') === 'json';
  const served = (name: string): FlagVariantValue | undefined => {
    const stored = attributes[name];
    if (stored === undefined) return undefined;
    if (json && typeof stored === 'string') {
      try {
        return JSON.parse(stored) as FlagVariantValue;
      } catch {
        return stored;
      }
    }
    return stored as FlagVariantValue;
  };
  const rollout = attributes['rolloutPercent'];
  const value: FlagEnvironmentValue = {
    enabled: attributes['enabled'] === true,
    ...(typeof rollout === 'number' ? { rolloutPercent: rollout } : {}),
    ...(strings('allow') ? { allow: strings('allow') } : {}),
    ...(strings('groups') ? { groups: strings('groups') } : {}),
    ...(served('value') !== undefined ? { value: served('value') } : {}),
    ...(variantsOf(attributes['variants']) ? { variants: variantsOf(attributes['variants']) } : {}),
  };
  const defaultValue = served('defaultValue');
  return {
    key,
    ...(description !== undefined ? { description } : {}),
    ...(text('owner') !== undefined ? { owner: text('owner') } : {}),
    ...(text('type') !== undefined ? { type: text('type') } : {}),
    ...(text('created') !== undefined ? { created: text('created') } : {}),
    ...(text('expires') !== undefined ? { expires: text('expires') } : {}),
    ...(valueKind !== undefined ? { valueKind } : {}),
    ...(defaultValue !== undefined ? { defaultValue } : {}),
    value,
  };
}

/**
 * A multi-variant value read as one: the default variant's attributes (metadata is the same in
 * every variant), on when any variant is on.
 */
function flatten(raw: Record<string, unknown>): Record<string, unknown> {
  const variants = raw['_variants'];
  if (!Array.isArray(variants) || variants.length === 0) return raw;
  const last = variants.at(-1) as { attributeValues?: Record<string, unknown> };
  // Each variant's own value lives in `variants`; the default's is not the flag's `value`.
  const { value: _servedByDefault, ...metadata } = last.attributeValues ?? {};
  return {
    ...metadata,
    enabled: variants.some((variant: { enabled?: unknown }) => variant?.enabled === true),
  };
}

/** The `variants` attribute's JSON texts back into definitions; undefined when absent or unreadable. */
function variantsOf(raw: unknown): FlagVariantDefinition[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  try {
    return raw.map((text) => {
      const { name, rule, enabled, value } = JSON.parse(String(text)) as {
        name: string;
        rule?: string;
        enabled: boolean;
        value?: FlagVariantValue;
      };
      return { name, ...(rule !== undefined ? { rule } : {}), value: value ?? enabled };
    });
  } catch {
    return undefined;
  }
}
