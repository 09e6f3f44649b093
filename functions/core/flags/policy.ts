/**
 * The feature-flag policy: a flag is expired once its `expires` day has come, expiring soon within
 * the warning window, over its type's lifetime once older than that (release and experiment 40
 * days, operational 7, kill switches and permission flags never), and unowned without an owner.
 *
 * Dates are UTC calendar days (`YYYY-MM-DD`): "today" is the UTC day of the clock, so a flag that
 * expires on 2026-12-20 is expired from 2026-12-20T00:00:00Z on, whatever the reader's time zone.
 */
import { FLAG_TYPES_THAT_EXPIRE, type FlagType } from '../model.ts';
import { FLAG_TYPES } from './appconfig-format.ts';
import { isCalendarDay } from './metadata.ts';

/** Days a flag of each type may live; `undefined` for types that may live forever. */
export const FLAG_LIFETIME_DAYS: Readonly<Record<FlagType, number | undefined>> = {
  release: 40,
  experiment: 40,
  operational: 7,
  'kill-switch': undefined,
  permission: undefined,
};

/** `never-evaluated` and `always-same` come from the usage metrics (`usage.ts`), not from the metadata. */
export type FlagFindingReason =
  | 'expired'
  | 'expiring-soon'
  | 'over-lifetime'
  | 'no-owner'
  | 'invalid-metadata'
  | 'never-evaluated'
  | 'always-same';

/** Most pressing first: the reason a ticket and event lead with. */
export const REASON_ORDER: readonly FlagFindingReason[] = [
  'expired',
  'over-lifetime',
  'no-owner',
  'invalid-metadata',
  'never-evaluated',
  'always-same',
  'expiring-soon',
];

/** The metadata the policy reads, from `config/` or from a hosted AppConfig document. */
export interface FlagMetadata {
  readonly key: string;
  readonly owner?: string;
  readonly type?: string;
  readonly created?: string;
  readonly expires?: string;
}

export interface FlagFinding {
  readonly reason: FlagFindingReason;
  readonly message: string;
}

export interface FlagAssessment {
  readonly key: string;
  /** Whole days since `created`; undefined when `created` is not a valid day. */
  readonly ageDays?: number;
  /** Whole days until `expires` (negative once past); undefined without a valid `expires`. */
  readonly daysToExpiry?: number;
  /** Ordered by {@link REASON_ORDER}; empty for a healthy flag. */
  readonly findings: readonly FlagFinding[];
}

export interface PolicyOptions {
  /** The UTC day to judge against, `YYYY-MM-DD`. */
  readonly today: string;
  /** Flags expiring within this many days (and not yet expired) are reported as a warning. */
  readonly warnWithinDays: number;
}

const DAY_MS = 86_400_000;

/** The UTC calendar day of an instant, `YYYY-MM-DD`. */
export function utcDay(instant: Date): string {
  return instant.toISOString().slice(0, 10);
}

/** Whole days from one UTC day to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * Judge one flag against the policy.
 *
 * @example
 * assessFlag({ key: 'new-checkout', owner: 'team-orders', type: 'release', created: '2026-11-02', expires: '2027-01-31' },
 *   { today: '2026-11-23', warnWithinDays: 14 }).findings; // []
 */
export function assessFlag(flag: FlagMetadata, options: PolicyOptions): FlagAssessment {
  const findings: FlagFinding[] = [];
  const type = FLAG_TYPES.find((known) => known === flag.type);
  const created = flag.created !== undefined && isCalendarDay(flag.created) ? flag.created : undefined;
  const expires = flag.expires !== undefined && isCalendarDay(flag.expires) ? flag.expires : undefined;
  const ageDays = created === undefined ? undefined : daysBetween(created, options.today);
  const daysToExpiry = expires === undefined ? undefined : daysBetween(options.today, expires);

  if (daysToExpiry !== undefined && daysToExpiry <= 0) {
    findings.push({
      reason: 'expired',
      message:
        daysToExpiry === 0 ? `expires today (${expires})` : `expired ${-daysToExpiry} days ago (${expires})`,
    });
  }
  const lifetime = type === undefined ? undefined : FLAG_LIFETIME_DAYS[type];
  if (lifetime !== undefined && ageDays !== undefined && ageDays > lifetime) {
    findings.push({
      reason: 'over-lifetime',
      message: `${ageDays} days old, over the ${lifetime}-day lifetime of a ${type} flag`,
    });
  }
  if (!flag.owner?.trim()) findings.push({ reason: 'no-owner', message: 'has no owner' });

  const invalid: string[] = [];
  if (flag.type === undefined) invalid.push('no type');
  else if (type === undefined) invalid.push(`unknown type "${flag.type}"`);
  if (flag.created === undefined) invalid.push('no created day');
  else if (created === undefined) invalid.push('created is not a YYYY-MM-DD day');
  if (flag.expires !== undefined && expires === undefined) invalid.push('expires is not a YYYY-MM-DD day');
  else if (flag.expires === undefined && type !== undefined && FLAG_TYPES_THAT_EXPIRE.includes(type)) {
    invalid.push(`a ${type} flag needs an expires day`);
  }
  if (invalid.length > 0) findings.push({ reason: 'invalid-metadata', message: invalid.join(', ') });

  if (daysToExpiry !== undefined && daysToExpiry > 0 && daysToExpiry <= options.warnWithinDays) {
    findings.push({
      reason: 'expiring-soon',
      message: `expires in ${daysToExpiry} day${daysToExpiry === 1 ? '' : 's'} (${expires})`,
    });
  }
  findings.sort((a, b) => REASON_ORDER.indexOf(a.reason) - REASON_ORDER.indexOf(b.reason));
  return {
    key: flag.key,
    ...(ageDays !== undefined ? { ageDays } : {}),
    ...(daysToExpiry !== undefined ? { daysToExpiry } : {}),
    findings,
  };
}

/**
 * Why a flag definition plans to outlive its type, or undefined when it does not: `expires` may lie
 * at most the type's lifetime after `created`. `steward check` enforces it so that a definition it
 * accepts cannot be reported as over its lifetime before its own `expires` day, and so that the
 * verdict depends on the definition alone, never on the day the check runs.
 *
 * @example
 * plannedLifetimeProblem({ type: 'operational', created: '2026-11-18', expires: '2026-12-31' });
 * // 'expires 43 days after created (2026-11-18 to 2026-12-31), over the 7-day lifetime of an
 * //  operational flag: expire it on 2026-11-25 at the latest'
 */
export function plannedLifetimeProblem(flag: {
  readonly type?: string;
  readonly created?: string;
  readonly expires?: string;
}): string | undefined {
  const type = FLAG_TYPES.find((known) => known === flag.type);
  if (type === undefined) return undefined;
  const lifetime = FLAG_LIFETIME_DAYS[type];
  const { created, expires } = flag;
  if (lifetime === undefined || created === undefined || expires === undefined) return undefined;
  if (!isCalendarDay(created) || !isCalendarDay(expires)) return undefined;
  const planned = daysBetween(created, expires);
  if (planned <= lifetime) return undefined;
  const latest = utcDay(new Date(Date.parse(`${created}T00:00:00Z`) + lifetime * DAY_MS));
  const article = /^[aeiou]/.test(type) ? 'an' : 'a';
  return (
    `expires ${planned} days after created (${created} to ${expires}), over the ${lifetime}-day ` +
    `lifetime of ${article} ${type} flag: expire it on ${latest} at the latest`
  );
}

/**
 * Why a flag's `created` day cannot be true, or undefined: a day after today. The lifetime is counted
 * from `created` (the day the flag entered git, which `config/` records), so a `created` in the future
 * would let `expires` lie further out than the type allows. Time passing can only clear this problem,
 * never raise it, so `steward check` stays green on every later day.
 *
 * @example
 * futureCreatedProblem({ created: '2026-12-24' }, '2026-11-30');
 * // 'created 2026-12-24 is after today (2026-11-30, UTC): the lifetime counts from created, the day the flag entered git'
 */
export function futureCreatedProblem(flag: { readonly created?: string }, today: string): string | undefined {
  const { created } = flag;
  if (created === undefined || !isCalendarDay(created) || daysBetween(today, created) <= 0) return undefined;
  return `created ${created} is after today (${today}, UTC): the lifetime counts from created, the day the flag entered git`;
}

/** True when a finding calls for cleanup rather than a heads-up. */
export function isActionable(reason: FlagFindingReason): boolean {
  return reason !== 'expiring-soon';
}

/**
 * The value at a percentile (nearest-rank) of a list of numbers; undefined for an empty list.
 *
 * @example
 * percentile([1, 2, 3, 4], 50); // 2
 */
export function percentile(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}
