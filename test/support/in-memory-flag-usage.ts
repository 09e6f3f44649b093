/**
 * An in-memory {@link FlagUsageReader}: daily evaluation counts per service, flag and variant, with the
 * service's total kept as CloudWatch keeps the client's `service` roll-up. Fed by hand (`record`) or
 * with the client's own EMF lines (`ingest`), as CloudWatch would extract them.
 */
import type {
  DailyEvaluations,
  DayRange,
  FlagUsageReader,
  UsageSeries,
} from '../../functions/ports/flag-usage.ts';

interface EmfLine {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: readonly { readonly Dimensions: readonly (readonly string[])[] }[];
  };
  readonly service: string;
  readonly flag: string;
  readonly variant: string;
  readonly FlagEvaluations: number;
}

export class InMemoryFlagUsage implements FlagUsageReader {
  private readonly counts = new Map<string, Map<string, number>>();
  /** The ranges and series asked, one entry a call. */
  readonly calls: { series: readonly UsageSeries[]; range: DayRange }[] = [];
  /** When set, every read rejects with it. */
  failWith: Error | undefined;

  /** Count evaluations of a flag's variant on a UTC day (and in the service's total). */
  record(service: string, flag: string, variant: string, day: string, evaluations: number): this {
    this.add(keyOf({ service, flag, variant }), day, evaluations);
    this.add(keyOf({ service }), day, evaluations);
    return this;
  }

  /** Count what one of the client's EMF lines reports, by the roll-ups it declares. */
  ingest(line: string): this {
    const parsed = JSON.parse(line) as EmfLine;
    const day = new Date(parsed._aws.Timestamp).toISOString().slice(0, 10);
    for (const directive of parsed._aws.CloudWatchMetrics) {
      for (const dimensions of directive.Dimensions) {
        const names = dimensions.join(',');
        if (names === 'service,flag,variant') this.add(keyOf(parsed), day, parsed.FlagEvaluations);
        if (names === 'service') this.add(keyOf({ service: parsed.service }), day, parsed.FlagEvaluations);
      }
    }
    return this;
  }

  async dailyEvaluations(series: readonly UsageSeries[], range: DayRange): Promise<DailyEvaluations[][]> {
    this.calls.push({ series, range });
    if (this.failWith) throw this.failWith;
    return series.map((one) =>
      [...(this.counts.get(keyOf(one)) ?? [])]
        .filter(([day, evaluations]) => day >= range.from && day < range.to && evaluations > 0)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([day, evaluations]) => ({ day, evaluations })),
    );
  }

  private add(key: string, day: string, evaluations: number): void {
    const days = this.counts.get(key) ?? new Map<string, number>();
    days.set(day, (days.get(day) ?? 0) + evaluations);
    this.counts.set(key, days);
  }
}

function keyOf(series: UsageSeries): string {
  return JSON.stringify([series.service, series.flag ?? null, series.variant ?? null]);
}
