/**
 * Usage-aware cleanup: what the consumer client's evaluation counts say about each flag over the last
 * N days (`flags.usage.windowDays`, default 30). A class claims only what the series prove:
 *
 * - `active`: two or more variants served in the window;
 * - `always-same`: one variant served for the whole window (removable: the code can keep that branch);
 * - `never-evaluated`: no evaluation in the whole window (dead: nothing reads it);
 * - `no-data`: neither can be told, because the window is not covered: the service's telemetry shows
 *   no evaluation of any of its flags on or before the window's first day (telemetry not deployed for
 *   N days, opted out, or a series missing), or none inside the window (every consumer stopped
 *   reporting, or opted out since), or the flag was created inside the window.
 *
 * `never-evaluated` needs evidence that the telemetry was live in the window: another flag of the
 * same service evaluated in it. So a service none of whose flags is evaluated at all is `no-data`
 * for good: a silent service and one whose consumers have no telemetry look the same in CloudWatch,
 * and Steward claims "dead" only on evidence (the flag's age and `steward flags refs` still apply).
 *
 * When telemetry started is read from the data, not configured: the first day with any evaluation of
 * the service, looked for over twice the window, so a service idle on the window's first day still
 * counts as covered when it evaluated flags before. A missing metric is therefore never "never
 * evaluated" before the service has reported N days.
 */
import type { DailyEvaluations, DayRange, FlagUsageReader, UsageSeries } from '../../ports/flag-usage.ts';
import { FLAG_TYPES_THAT_EXPIRE } from '../model.ts';
import { DEFAULT_FLAG_USAGE_DAYS } from '../names.ts';
import type { DecodedFlag } from './appconfig-format.ts';
import { isCalendarDay } from './metadata.ts';
import type { FlagFinding } from './policy.ts';

export type FlagUsageClass = 'always-same' | 'never-evaluated' | 'active' | 'no-data';

export const DEFAULT_USAGE_WINDOW_DAYS = DEFAULT_FLAG_USAGE_DAYS;

/** The classification of one flag with the figures it rests on. */
export interface FlagUsage {
  readonly classification: FlagUsageClass;
  readonly windowDays: number;
  /** Evaluations in the window, every variant together. */
  readonly evaluations: number;
  /** Variants served in the window, most evaluated first. */
  readonly variantsSeen: readonly string[];
  /** Days of the window with at least one evaluation of the flag. */
  readonly daysEvaluated: number;
  /** The first day with any evaluation of the service (over twice the window); absent when none. */
  readonly telemetrySince?: string;
}

/** The days judged (the N full UTC days before today) and the longer range telemetry is looked for in. */
export interface UsageWindow {
  readonly windowDays: number;
  readonly window: DayRange;
  readonly lookback: DayRange;
}

const DAY_MS = 86_400_000;

function dayBefore(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * @example
 * usageWindow('2026-11-23', 30); // window 2026-10-24..2026-11-23 (exclusive), lookback from 2026-09-24
 */
export function usageWindow(today: string, windowDays: number): UsageWindow {
  return {
    windowDays,
    window: { from: dayBefore(today, windowDays), to: today },
    lookback: { from: dayBefore(today, 2 * windowDays), to: today },
  };
}

/**
 * The variants a flag may be counted under: `on` and `off` (the simple forms) and the names of its
 * rule-based variants. Both, whatever its form today: an environment may serve the other form.
 */
export function flagVariants(flag: DecodedFlag): string[] {
  return [...new Set(['on', 'off', ...(flag.value.variants ?? []).map((variant) => variant.name)])];
}

/** Classify one flag from its variants' daily series and its service's total. */
export function classifyFlagUsage(input: {
  readonly created?: string;
  readonly variants: ReadonlyMap<string, readonly DailyEvaluations[]>;
  readonly serviceTotal: readonly DailyEvaluations[];
  readonly window: UsageWindow;
}): FlagUsage {
  const { from, to } = input.window.window;
  const inWindow = (point: DailyEvaluations) => point.day >= from && point.day < to && point.evaluations > 0;
  const perVariant = [...input.variants].map(([variant, series]) => ({
    variant,
    evaluations: series.filter(inWindow).reduce((sum, point) => sum + point.evaluations, 0),
  }));
  const served = perVariant.filter((v) => v.evaluations > 0).sort((a, b) => b.evaluations - a.evaluations);
  const days = new Set(
    [...input.variants.values()].flatMap((series) => series.filter(inWindow).map((p) => p.day)),
  );
  const telemetrySince = input.serviceTotal
    .filter((point) => point.evaluations > 0)
    .map((point) => point.day)
    .sort()[0];
  const created = input.created !== undefined && isCalendarDay(input.created) ? input.created : undefined;
  const reportedInWindow = input.serviceTotal.some(inWindow);
  const covered =
    telemetrySince !== undefined &&
    telemetrySince <= from &&
    reportedInWindow &&
    (created === undefined || created <= from);
  const classification: FlagUsageClass =
    served.length > 1
      ? 'active'
      : !covered
        ? 'no-data'
        : served.length === 1
          ? 'always-same'
          : 'never-evaluated';
  return {
    classification,
    windowDays: input.window.windowDays,
    evaluations: served.reduce((sum, v) => sum + v.evaluations, 0),
    variantsSeen: served.map((v) => v.variant),
    daysEvaluated: days.size,
    ...(telemetrySince !== undefined ? { telemetrySince } : {}),
  };
}

/** The flags of one service whose usage is read. */
export interface ServiceFlags {
  readonly service: string;
  readonly flags: readonly DecodedFlag[];
}

/**
 * Read every service's series in one batch (the reader splits it as its backend needs) and classify
 * each flag. Keys: service, then flag.
 *
 * @example
 * const usage = await readFlagUsage(reader, [{ service: 'orders', flags }], usageWindow('2026-11-23', 30));
 * usage.get('orders')?.get('new-checkout')?.classification; // 'always-same'
 */
export async function readFlagUsage(
  reader: FlagUsageReader,
  services: readonly ServiceFlags[],
  window: UsageWindow,
): Promise<Map<string, Map<string, FlagUsage>>> {
  const series: UsageSeries[] = [];
  for (const { service, flags } of services) {
    series.push({ service });
    for (const flag of flags) {
      for (const variant of flagVariants(flag)) series.push({ service, flag: flag.key, variant });
    }
  }
  const answers = await reader.dailyEvaluations(series, window.lookback);
  const byKey = new Map(series.map((s, i) => [seriesKey(s), answers[i] ?? []]));
  const usage = new Map<string, Map<string, FlagUsage>>();
  for (const { service, flags } of services) {
    const serviceTotal = byKey.get(seriesKey({ service })) ?? [];
    const ofService = new Map<string, FlagUsage>();
    for (const flag of flags) {
      const variants = new Map(
        flagVariants(flag).map((variant) => [
          variant,
          byKey.get(seriesKey({ service, flag: flag.key, variant })) ?? [],
        ]),
      );
      ofService.set(
        flag.key,
        classifyFlagUsage({
          ...(flag.created !== undefined ? { created: flag.created } : {}),
          variants,
          serviceTotal,
          window,
        }),
      );
    }
    usage.set(service, ofService);
  }
  return usage;
}

function seriesKey(series: UsageSeries): string {
  return JSON.stringify([series.service, series.flag ?? null, series.variant ?? null]);
}

/**
 * The cleanup finding a usage class calls for, if any: a flag no code evaluates is dead whatever its
 * type; one variant served for the whole window makes a release, experiment or operational flag
 * removable, while a kill switch or permission flag serving one side is doing its job.
 */
export function usageFinding(flag: DecodedFlag, usage: FlagUsage): FlagFinding | undefined {
  if (usage.classification === 'never-evaluated') {
    return {
      reason: 'never-evaluated',
      message: `not evaluated once in the last ${usage.windowDays} days (telemetry since ${usage.telemetrySince})`,
    };
  }
  const expiring = FLAG_TYPES_THAT_EXPIRE.some((type) => type === flag.type);
  if (usage.classification === 'always-same' && expiring) {
    return {
      reason: 'always-same',
      message:
        `served only \`${usage.variantsSeen[0]}\` for the last ${usage.windowDays} days ` +
        `(${count(usage.evaluations)} evaluations on ${usage.daysEvaluated} of them)`,
    };
  }
  return undefined;
}

/**
 * One line for a ticket: the class and its figures.
 *
 * @example
 * usageSummary(usage); // '**Usage** (last 30 days): always-same, 12,345 evaluations on 28 days, variants served: `on`; telemetry since 2026-09-01'
 */
export function usageSummary(usage: FlagUsage): string {
  const since = usage.telemetrySince
    ? `telemetry since ${usage.telemetrySince}`
    : 'no telemetry from this service';
  const variants =
    usage.variantsSeen.length > 0 ? usage.variantsSeen.map((v) => `\`${v}\``).join(', ') : 'none';
  const why =
    usage.classification === 'no-data'
      ? ` (too little telemetry to judge: ${usage.windowDays} days of it are needed, an evaluation of some flag of the service inside them, and a flag created before them)`
      : '';
  return (
    `**Usage** (last ${usage.windowDays} days): ${usage.classification}${why}, ` +
    `${count(usage.evaluations)} evaluations on ${usage.daysEvaluated} days, variants served: ${variants}; ${since}`
  );
}

function count(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
