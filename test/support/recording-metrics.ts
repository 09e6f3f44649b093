import type { MetricPoint, MetricsSink } from '../../functions/ports/metrics.ts';

/** The metrics port as a list of the points recorded. */
export class RecordingMetrics implements MetricsSink {
  readonly points: MetricPoint[] = [];

  record(point: MetricPoint): void {
    this.points.push(point);
  }

  /** The value of the point with this name and, when given, this `Service` dimension (else none). */
  value(name: string, service?: string): number | undefined {
    return this.points.find((p) => p.name === name && p.dimensions?.Service === service)?.value;
  }
}
