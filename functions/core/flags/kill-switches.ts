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

/** A switch that is on with an `until` that has passed: the flip should have been undone. */
export interface OverdueSwitch {
  readonly switchName: string;
  readonly until: string;
  readonly reason?: string;
  readonly flippedBy?: string;
  readonly flippedAt?: string;
}

/**
 * The switches of a deployed document that are on past their `until`. A switch without `until`, or
 * off, is never overdue; an `until` that does not parse is reported, since nobody can tell when it ends.
 *
 * @example
 * overdueSwitches(deployed, new Date()); // [{ switchName: 'disable-recommendations', until: '2026-11-30T18:00:00.000Z', ... }]
 */
export function overdueSwitches(document: AppConfigFlagsDocument, now: Date): OverdueSwitch[] {
  const overdue: OverdueSwitch[] = [];
  for (const [switchName, value] of Object.entries(document.values ?? {})) {
    if (value?.enabled !== true || typeof value['until'] !== 'string') continue;
    const until = value['until'];
    const ends = Date.parse(until);
    if (!Number.isNaN(ends) && ends > now.getTime()) continue;
    const text = (name: string) => (typeof value[name] === 'string' ? (value[name] as string) : undefined);
    overdue.push({
      switchName,
      until,
      ...(text('reason') !== undefined ? { reason: text('reason') } : {}),
      ...(text('flippedBy') !== undefined ? { flippedBy: text('flippedBy') } : {}),
      ...(text('flippedAt') !== undefined ? { flippedAt: text('flippedAt') } : {}),
    });
  }
  return overdue.sort((a, b) => a.switchName.localeCompare(b.switchName));
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
