/**
 * Break-glass overrides (`steward override`): an audited emergency value for one parameter, recorded
 * beside the parameter as tags so that every part of the pipeline reads the same record:
 * - the deploy-time reconcile does not overwrite a parameter whose override is active;
 * - delivery ships a document holding an override not yet deployed all at once;
 * - the nightly drift run reports an active override as `override`, not as value drift, and an
 *   expired one whose value still differs from git as `override-expired` (fold it back into git).
 * validate-change reads no tags: an override is judged like every other write, against its schema.
 *
 * Why tags: they belong to the parameter, not to a version, survive later writes, are readable by
 * every function with `ssm:ListTagsForResource`, and `DescribeParameters` filters on them, so finding
 * the overrides of a path is one call. An AppConfig label or a parameter description would either be
 * lost with the next version or need a read per parameter.
 */

/** Tag keys of an override record. Keys and values use only the characters SSM allows in tags. */
export const OVERRIDE_TAGS = {
  /** Always `true`: the tag `DescribeParameters` filters on to find the overrides of a path. */
  marker: 'steward:override',
  until: 'steward:override-until',
  appliedAt: 'steward:override-at',
  actor: 'steward:override-actor',
  reason: 'steward:override-reason',
  approvedBy: 'steward:override-approved-by',
} as const;

export const OVERRIDE_MARKER_VALUE = 'true';

/** Whether a tag key belongs to an override record (the parameter's other tags are not ours). */
export function isOverrideTagKey(key: string): boolean {
  return (Object.values(OVERRIDE_TAGS) as string[]).includes(key);
}

/**
 * The longest any override can last (the ceiling of the settings' `overrides.maxDurationHours`). The
 * readers cap a record to it: the tags can be written by hand (`ssm:AddTagsToResource`), and a record
 * without a cap would keep the reconcile off the parameter for as long as its `until` says.
 */
export const OVERRIDE_MAX_DURATION_HOURS = 168;

/**
 * How far ahead of the reader's clock an `appliedAt` may lie: it is the operator's clock (the CLI's),
 * a few minutes off is normal. A record applied later than that is a hand-written one and holds nothing.
 */
const APPLIED_AT_SKEW_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;

/**
 * The predefined AppConfig strategy an override is delivered with: 100 % at once, then AppConfig's
 * 10 minutes of bake during which the environment's rollback alarms still roll it back.
 */
export const OVERRIDE_DEPLOYMENT_STRATEGY_ID = 'AppConfig.AllAtOnce';

/** One override, as recorded on its parameter. */
export interface OverrideRecord {
  readonly parameter: string;
  readonly until: Date;
  readonly appliedAt: Date;
  /** The caller identity (STS GetCallerIdentity ARN) that applied it. */
  readonly actor: string;
  /** The reason as stored in the tag (`tagSafe` in override-plan.ts); the event carries it in full. */
  readonly reason: string;
  /** The second principal the operator named; an assertion recorded for audit, not a signature. */
  readonly approvedBy?: string;
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

/**
 * The override a parameter's tags record, or undefined when they record none (or a malformed one: a
 * hand-edited tag must not stop the reconcile from doing its job, so it counts as no override).
 */
export function parseOverrideTags(
  parameter: string,
  tags: Readonly<Record<string, string>>,
): OverrideRecord | undefined {
  if (tags[OVERRIDE_TAGS.marker] !== OVERRIDE_MARKER_VALUE) return undefined;
  const until = new Date(tags[OVERRIDE_TAGS.until] ?? '');
  const appliedAt = new Date(tags[OVERRIDE_TAGS.appliedAt] ?? '');
  if (Number.isNaN(until.getTime()) || Number.isNaN(appliedAt.getTime())) return undefined;
  const ceiling = appliedAt.getTime() + OVERRIDE_MAX_DURATION_HOURS * HOUR_MS;
  const approvedBy = tags[OVERRIDE_TAGS.approvedBy];
  return {
    parameter,
    until: until.getTime() > ceiling ? new Date(ceiling) : until,
    appliedAt,
    actor: tags[OVERRIDE_TAGS.actor] ?? 'unknown',
    reason: tags[OVERRIDE_TAGS.reason] ?? '',
    ...(approvedBy === undefined ? {} : { approvedBy }),
  };
}

/**
 * Active until `until` (exclusive): an override ends at the instant it names. One applied later than
 * now (beyond clock skew) is not active: `until` is capped from `appliedAt`, so a forged future
 * `appliedAt` would otherwise lift the cap.
 */
export function isActive(record: OverrideRecord, now: Date): boolean {
  return (
    record.until.getTime() > now.getTime() && record.appliedAt.getTime() <= now.getTime() + APPLIED_AT_SKEW_MS
  );
}

/** The names whose override is active now. */
export function activeOverrideNames(records: readonly OverrideRecord[], now: Date): Set<string> {
  return new Set(records.filter((r) => isActive(r, now)).map((r) => r.parameter));
}

/**
 * Whether a delivery should bypass the environment's progressive strategy: one of the document's
 * parameters carries an active override applied after the newest deployment started (so that
 * deployment cannot have shipped it). Later deliveries of the same document go progressively again.
 *
 * @example
 * const strategy = needsImmediateDelivery(records, now, latest?.startedAt) ? OVERRIDE_DEPLOYMENT_STRATEGY_ID : env.deploymentStrategyId;
 */
export function needsImmediateDelivery(
  records: readonly OverrideRecord[],
  now: Date,
  latestDeploymentStartedAt: Date | undefined,
): boolean {
  return records.some(
    (record) =>
      isActive(record, now) &&
      (latestDeploymentStartedAt === undefined ||
        record.appliedAt.getTime() >= latestDeploymentStartedAt.getTime()),
  );
}

/**
 * What the drift run makes of an override: `active` until it expires; then `due-fold-back` while the
 * live value still differs from git (or git holds no value for it: the override created it, or the key
 * lives on its default), `settled` once they agree (folded back into git, or the reconcile restored
 * git's value).
 *
 * @example
 * overrideState(record, now, '50', '5'); // 'active' before record.until, 'due-fold-back' after
 */
export function overrideState(
  record: OverrideRecord,
  now: Date,
  live: string | undefined,
  desired: string | undefined,
): 'active' | 'due-fold-back' | 'settled' {
  if (isActive(record, now)) return 'active';
  return desired === undefined || live !== desired ? 'due-fold-back' : 'settled';
}
