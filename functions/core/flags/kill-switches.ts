/**
 * Kill switches apart from the other flags: which flags are switches, the `AWS.AppConfig.FeatureFlags`
 * document of a service's switches in one environment, and what a flip writes into it. A switch is
 * all or nothing: a flip sets `enabled` for everyone (rollout, allow-lists and variants are dropped)
 * and records who flipped it, when, why and until when, as attributes the document declares.
 */
import type { FlagDefinition } from '../model.ts';
import { toAppConfigFlags } from './appconfig-format.ts';
import type {
  AppConfigFlagDefinition,
  AppConfigFlagsDocument,
  AppConfigFlagValue,
  AttributeValue,
} from './flag-document-schema.ts';

/** The flag type `steward kill` flips. */
export const KILL_SWITCH_TYPE = 'kill-switch';

/** Attributes a flip records on the switch's value; declared on every switch so AppConfig accepts them. */
export const FLIP_ATTRIBUTES = {
  reason: {
    description: 'Why the switch was last flipped (steward kill --reason)',
    constraints: { type: 'string' },
  },
  until: {
    description:
      'When the flip should be undone (ISO 8601, UTC); the nightly drift run reports it after that',
    constraints: { type: 'string' },
  },
  flippedBy: { description: 'Who last flipped the switch (STS caller ARN)', constraints: { type: 'string' } },
  flippedAt: {
    description: 'When the switch was last flipped (ISO 8601, UTC)',
    constraints: { type: 'string' },
  },
} as const satisfies AppConfigFlagDefinition['attributes'];

/** Attributes of a plain value that a flip replaces rather than keeps. */
const REPLACED_BY_FLIP = new Set([
  'enabled',
  'rolloutPercent',
  'allow',
  'groups',
  'variants',
  'value',
  ...Object.keys(FLIP_ATTRIBUTES),
]);

export function isKillSwitch(flag: Pick<FlagDefinition, 'type'>): boolean {
  return flag.type === KILL_SWITCH_TYPE;
}

/** The service's kill switches, by key. */
export function killSwitchesOf(
  flags: Readonly<Record<string, FlagDefinition>> | undefined,
): Record<string, FlagDefinition> {
  return Object.fromEntries(Object.entries(flags ?? {}).filter(([, flag]) => isKillSwitch(flag)));
}

/**
 * The flags that ship in the service's flags profile: every flag but the kill switches, which ship in
 * their own profile ({@link killSwitchDocument}).
 */
export function flagsWithoutKillSwitches(
  flags: Readonly<Record<string, FlagDefinition>> | undefined,
): Record<string, FlagDefinition> {
  return Object.fromEntries(Object.entries(flags ?? {}).filter(([, flag]) => !isKillSwitch(flag)));
}

/**
 * The kill-switch document of one environment, from `config/`: the switches in AppConfig's format,
 * each declaring the flip attributes.
 *
 * @example
 * const document = killSwitchDocument(orders.flags, 'production');
 * // document.values['disable-recommendations'] → { enabled: false, owner: 'team-orders', type: 'kill-switch', ... }
 */
export function killSwitchDocument(
  flags: Readonly<Record<string, FlagDefinition>> | undefined,
  environment: string,
): AppConfigFlagsDocument {
  const document = toAppConfigFlags(killSwitchesOf(flags), environment);
  for (const definition of Object.values(document.flags)) declareFlipAttributes(definition);
  return document;
}

/** What one flip sets on one switch. */
export interface SwitchFlip {
  readonly switchName: string;
  readonly enabled: boolean;
  readonly reason: string;
  /** Undefined for a flip without an end (and for every flip off). */
  readonly until?: Date;
  readonly actor: string;
  readonly at: Date;
}

/**
 * The document with one switch flipped, built on `current` (what the switches' environment has
 * deployed, so earlier flips of other switches stay) and falling back to `fromConfig` for a switch
 * `current` does not hold yet. Neither input is changed.
 *
 * @example
 * const next = flipSwitch(deployed, killSwitchDocument(orders.flags, 'production'), {
 *   switchName: 'disable-recommendations', enabled: true, reason: 'recommendations timing out', actor, at: now,
 * });
 */
export function flipSwitch(
  current: AppConfigFlagsDocument | undefined,
  fromConfig: AppConfigFlagsDocument,
  flip: SwitchFlip,
): AppConfigFlagsDocument {
  const base = structuredClone(current ?? fromConfig);
  const key = flip.switchName;
  const definition = base.flags[key] ?? structuredClone(fromConfig.flags[key]) ?? { name: key };
  declareFlipAttributes(definition);
  base.flags[key] = definition;
  const metadata = metadataOf(base.values[key] ?? fromConfig.values[key] ?? {});
  base.values[key] = {
    ...metadata,
    enabled: flip.enabled,
    reason: flip.reason,
    ...(flip.until ? { until: flip.until.toISOString() } : {}),
    flippedBy: flip.actor,
    flippedAt: flip.at.toISOString(),
  };
  return base;
}

function declareFlipAttributes(definition: AppConfigFlagDefinition): void {
  definition.attributes = { ...definition.attributes, ...structuredClone(FLIP_ATTRIBUTES) };
}

/** The metadata attributes (owner, type, created, …) of a value, whether plain or multi-variant. */
function metadataOf(value: AppConfigFlagValue): Record<string, AttributeValue> {
  const holder = value._variants?.at(-1)?.attributeValues ?? value;
  const metadata: Record<string, AttributeValue> = {};
  for (const [name, attribute] of Object.entries(holder)) {
    if (REPLACED_BY_FLIP.has(name) || name === '_variants' || attribute === undefined) continue;
    metadata[name] = attribute as AttributeValue;
  }
  return metadata;
}
