/**
 * Where the core reports its numbers (the nightly jobs' counts, ages and durations). The core names
 * each point and its dimensions; an adapter decides how they reach CloudWatch.
 */

export type MetricUnit = 'Count' | 'Milliseconds' | 'None';

/** One metric point. */
export interface MetricPoint {
  readonly name: string;
  readonly value: number;
  readonly unit: MetricUnit;
  /**
   * Dimensions of this point alone, named as CloudWatch shows them (e.g. `{ Service: 'orders' }`);
   * absent for a total, which goes with the invocation's other metrics.
   */
  readonly dimensions?: Readonly<Record<string, string>>;
}

export interface MetricsSink {
  record(point: MetricPoint): void;
}
