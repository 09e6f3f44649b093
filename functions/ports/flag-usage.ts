/**
 * Where the nightly flag job reads how often each flag was evaluated: the daily sums of the
 * `FlagEvaluations` metric the consumer client writes (per service, flag and variant, and per
 * service). The core turns them into a usage class (`core/flags/usage.ts`).
 */

/**
 * One series: a variant of a flag of a service, or with neither flag nor variant the service's total
 * (every evaluation of any of its flags, which tells when its telemetry started).
 */
export interface UsageSeries {
  readonly service: string;
  readonly flag?: string;
  readonly variant?: string;
}

/** Evaluations on one UTC day (`YYYY-MM-DD`). */
export interface DailyEvaluations {
  readonly day: string;
  readonly evaluations: number;
}

/** UTC days from `from` (inclusive) to `to` (exclusive), both `YYYY-MM-DD`. */
export interface DayRange {
  readonly from: string;
  readonly to: string;
}

export interface FlagUsageReader {
  /**
   * The daily evaluations of each series over the range, in the order asked, oldest day first. A
   * day without evaluations is absent, as is every day of a series never written.
   */
  dailyEvaluations(series: readonly UsageSeries[], range: DayRange): Promise<DailyEvaluations[][]>;
}
