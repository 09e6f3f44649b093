/**
 * `steward check --against <rev>`: the breaking changes between two desired states, in the spirit of
 * `buf breaking`. Pure: it takes the organisation at the other revision (what is deployed) and the one
 * in the working tree, and compares desired values only (live values need AWS).
 */
import {
  BREAKING_CHANGE_RULES,
  type BreakingChangeAcknowledgement,
  type BreakingChangeRule,
} from './breaking-change-rules.ts';
import { mayShowValues } from './disclosure.ts';
import { durationMs, type KeyBound, type KeySpec } from './keys.ts';
import { type FlagDefinition, type Organisation, type ServiceDefinition, SHARED_SERVICE } from './model.ts';

export interface BreakingChange {
  readonly rule: BreakingChangeRule;
  readonly service: string;
  /** The key, flag, `<flag>:<variant>` or secret: what an acknowledgement names. */
  readonly key: string;
  readonly message: string;
}

export interface AcknowledgedChange extends BreakingChange {
  readonly reason: string;
}

/** An acknowledgement `config/` declares that cannot be honoured: no reason, or an unknown rule. */
export interface AcknowledgementProblem {
  readonly rule: 'breaking-change-acknowledgement';
  readonly service: string;
  readonly key: string;
  readonly message: string;
}

export interface BreakingChangeReport {
  /** Unacknowledged breaking changes: any fails the check. */
  readonly findings: readonly BreakingChange[];
  readonly acknowledged: readonly AcknowledgedChange[];
  /** Malformed acknowledgements: these fail the check too, and acknowledge nothing. */
  readonly problems: readonly AcknowledgementProblem[];
}

/** The shortest reason an acknowledgement may give (the same bar as an expected override's). */
const MIN_REASON_LENGTH = 10;

/**
 * Compare the desired state at another revision (`before`, what is deployed) with the working tree's
 * (`after`), and sort the breaking changes into acknowledged (by `after`'s `breakingChanges`) and not.
 *
 * @example
 * const report = compareDesiredStates(deployed, working, ['staging', 'production']);
 * process.exitCode = report.findings.length + report.problems.length === 0 ? 0 : 1;
 */
export function compareDesiredStates(
  before: Organisation,
  after: Organisation,
  environments: readonly string[],
): BreakingChangeReport {
  const changes = breakingChanges(before, after, environments);
  const { accepted, problems } = acknowledgementsOf(after);
  const findings: BreakingChange[] = [];
  const acknowledged: AcknowledgedChange[] = [];
  for (const change of changes) {
    const reason = accepted.get(acknowledgementId(change));
    if (reason === undefined) findings.push(change);
    else acknowledged.push({ ...change, reason });
  }
  return { findings, acknowledged, problems };
}

/** Every breaking change from `before` to `after`, acknowledged or not. */
export function breakingChanges(
  before: Organisation,
  after: Organisation,
  environments: readonly string[],
): BreakingChange[] {
  const afterServices = new Map(after.services.map((service) => [service.name, service]));
  const afterShared = afterServices.get(SHARED_SERVICE);
  const changes: BreakingChange[] = [];
  for (const old of before.services) {
    const current = afterServices.get(old.name);
    changes.push(
      ...keyChanges(old, current, old.name === SHARED_SERVICE ? undefined : afterShared, environments),
    );
    changes.push(...flagChanges(old, current, environments));
    changes.push(...secretChanges(old, current));
  }
  return changes;
}

function keyChanges(
  old: ServiceDefinition,
  current: ServiceDefinition | undefined,
  shared: ServiceDefinition | undefined,
  environments: readonly string[],
): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const change = (rule: BreakingChangeRule, key: string, message: string) =>
    changes.push({ rule, service: old.name, key, message });
  for (const [key, was] of Object.entries(old.keys)) {
    const inUse = valuesInUse(old, key, was, environments);
    // A key moved to `shared` stays in the service's document.
    const now = current?.keys[key] ?? shared?.keys[key];
    if (!now) {
      if (inUse.length > 0) {
        change(
          'key-removed',
          key,
          `removed while it has a value in ${inUse.map((u) => u.environment).join(', ')}`,
        );
      }
      continue;
    }
    if (now.kind !== was.kind || now.parameterType !== was.parameterType) {
      change('key-type-changed', key, `was ${describeType(was)}, now ${describeType(now)}`);
      continue;
    }
    for (const use of inUse) {
      const outside = rangeProblem(was, now, use.value);
      if (outside)
        change(
          'key-range-narrowed',
          key,
          `${use.environment}'s value ${shown(key, was, use.value)}${outside}`,
        );
      const removed = removedEnumValue(was, now, use.value);
      if (removed)
        change(
          'enum-value-removed',
          key,
          `"${removed}" is no longer allowed and is ${use.environment}'s value`,
        );
    }
    if (was.default !== undefined && now.default === undefined) {
      const relying = environments.filter(
        (environment) => explicitValue(current, key, environment) === undefined,
      );
      if (relying.length > 0)
        change('default-removed', key, `default removed; ${relying.join(', ')} relied on it`);
    }
  }
  return changes;
}

interface ValueInUse {
  readonly environment: string;
  readonly value: unknown;
}

/** The desired value of a key in each environment: its own value, else its default. */
function valuesInUse(
  service: ServiceDefinition,
  key: string,
  spec: KeySpec,
  environments: readonly string[],
): ValueInUse[] {
  return environments.flatMap((environment) => {
    const value = explicitValue(service, key, environment) ?? spec.default;
    return value === undefined ? [] : [{ environment, value }];
  });
}

function explicitValue(service: ServiceDefinition | undefined, key: string, environment: string): unknown {
  return (service?.values[environment] as Record<string, unknown> | undefined)?.[key];
}

function describeType(spec: KeySpec): string {
  return spec.parameterType === 'SecureString' ? `${spec.kind} (SecureString)` : spec.kind;
}

/** Why a value in use falls outside the new bounds, or undefined when it fits. */
function rangeProblem(was: KeySpec, now: KeySpec, value: unknown): string | undefined {
  const comparable = comparableNumber(now, value);
  if (comparable === undefined) return undefined;
  const { min, max } = now.constraints ?? {};
  const range = `${boundText(min)}–${boundText(max)} (was ${boundText(was.constraints?.min)}–${boundText(was.constraints?.max)})`;
  if (min !== undefined && comparable < min.value) return ` is below the new range ${range}`;
  if (max !== undefined && comparable > max.value) return ` is above the new range ${range}`;
  return undefined;
}

function comparableNumber(spec: KeySpec, value: unknown): number | undefined {
  if (spec.kind === 'integer' && typeof value === 'number') return value;
  if (spec.kind === 'duration' && typeof value === 'string') {
    try {
      return durationMs(value);
    } catch {
      return undefined; // not a duration at all: `steward check` reports the value itself
    }
  }
  return undefined;
}

function boundText(bound: KeyBound | undefined): string {
  return bound?.label ?? '∞';
}

function removedEnumValue(was: KeySpec, now: KeySpec, value: unknown): string | undefined {
  const allowed = now.constraints?.values;
  if (was.kind !== 'enum' || !allowed || typeof value !== 'string') return undefined;
  return allowed.includes(value) ? undefined : value;
}

/** The value as `steward check` would show it, or nothing when it may not be shown. */
function shown(key: string, spec: KeySpec, value: unknown): string {
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  const visible = mayShowValues({
    key,
    sensitive: spec.sensitive,
    values: [{ type: spec.parameterType, value: raw }],
  });
  return visible ? raw : '(not shown)';
}

function flagChanges(
  old: ServiceDefinition,
  current: ServiceDefinition | undefined,
  environments: readonly string[],
): BreakingChange[] {
  const changes: BreakingChange[] = [];
  const oldFlags = old.flags ?? {};
  const newFlags = current?.flags ?? {};
  const added = Object.entries(newFlags).filter(([name]) => !(name in oldFlags));
  for (const [flag, was] of Object.entries(oldFlags)) {
    const now = newFlags[flag];
    if (!now) {
      // A rename is a removal and an addition; the same description is how it is told apart.
      const renamedTo = added.find(([, definition]) => definition.description === was.description)?.[0];
      changes.push(
        renamedTo === undefined
          ? { rule: 'flag-removed', service: old.name, key: flag, message: 'flag removed' }
          : { rule: 'flag-renamed', service: old.name, key: flag, message: `flag renamed to "${renamedTo}"` },
      );
      continue;
    }
    for (const [variant, where] of removedVariants(was, now, environments)) {
      changes.push({
        rule: 'variant-removed',
        service: old.name,
        key: `${flag}:${variant}`,
        message: `variant "${variant}" removed from ${where.join(', ')}`,
      });
    }
  }
  return changes;
}

/** Variant name → the environments whose variants no longer include it. */
function removedVariants(
  was: FlagDefinition,
  now: FlagDefinition,
  environments: readonly string[],
): Map<string, string[]> {
  const removed = new Map<string, string[]>();
  for (const environment of environments) {
    const kept = new Set((now.environments[environment]?.variants ?? []).map((v) => v.name));
    for (const variant of was.environments[environment]?.variants ?? []) {
      if (kept.has(variant.name)) continue;
      removed.set(variant.name, [...(removed.get(variant.name) ?? []), environment]);
    }
  }
  return removed;
}

function secretChanges(old: ServiceDefinition, current: ServiceDefinition | undefined): BreakingChange[] {
  const changes: BreakingChange[] = [];
  for (const [secret, was] of Object.entries(old.secrets ?? {})) {
    const now = current?.secrets?.[secret];
    if (!now || now.rotation.strategy === was.rotation.strategy) continue;
    changes.push({
      rule: 'secret-strategy-changed',
      service: old.name,
      key: secret,
      message: `rotation strategy changed from ${was.rotation.strategy} to ${now.rotation.strategy}`,
    });
  }
  return changes;
}

function acknowledgementId(change: { service: string; rule: string; key: string }): string {
  return JSON.stringify([change.service, change.rule, change.key]);
}

/** The acknowledgements `after` declares, keyed by what they accept, and the ones it cannot honour. */
function acknowledgementsOf(after: Organisation): {
  accepted: Map<string, string>;
  problems: AcknowledgementProblem[];
} {
  const declared = [
    ...after.services.flatMap((service) =>
      (service.breakingChanges ?? []).map((ack) => ({ ...ack, service: service.name })),
    ),
    ...(after.breakingChanges ?? []),
  ];
  const accepted = new Map<string, string>();
  const problems: AcknowledgementProblem[] = [];
  for (const ack of declared as (BreakingChangeAcknowledgement & { service: string })[]) {
    const problem = !(BREAKING_CHANGE_RULES as readonly string[]).includes(ack.rule)
      ? `unknown rule "${String(ack.rule)}" (known: ${BREAKING_CHANGE_RULES.join(', ')})`
      : typeof ack.reason !== 'string' || ack.reason.trim().length < MIN_REASON_LENGTH
        ? `an acknowledgement of ${ack.rule} needs a reason of at least ${MIN_REASON_LENGTH} characters`
        : undefined;
    if (problem === undefined) accepted.set(acknowledgementId(ack), ack.reason.trim());
    else
      problems.push({
        rule: 'breaking-change-acknowledgement',
        service: ack.service,
        key: String(ack.key),
        message: problem,
      });
  }
  return { accepted, problems };
}
