/**
 * Logging and metrics of the client without Powertools at module scope: a structural logger
 * interface (a Powertools `Logger` fits it) and a CloudWatch Embedded Metric Format line writer.
 * Imported lazily, only when there is something to write (a failed refresh, a flag whose rules do
 * not compile, flag usage lines), and the one module the client imports for that: with a single lazy
 * entry, esbuild keeps what the writers share with the cold path (the metric names, the evaluator)
 * in one chunk instead of splitting it into more chunks, each a file to load at cold start.
 */
import type { ExtensionFailureReason } from './errors.js';
import { type TrackedSnapshot, writeUsageLines } from './flag-usage-lines.js';
import { METRIC_NAMESPACE } from './metric-names.js';

/** What the client logs through; `new Logger()` from `@aws-lambda-powertools/logger` satisfies it. */
export interface ClientLogger {
  warn(message: string, attributes: Record<string, unknown>): void;
  info(message: string, attributes: Record<string, unknown>): void;
}

/** Reported once per failed background refresh while the last good document keeps being served. */
export interface DegradedReport {
  readonly service: string;
  readonly profile: string;
  readonly reason: ExtensionFailureReason;
  /** Failed refreshes in a row, 1 for the first. */
  readonly consecutiveFailures: number;
  /** Milliseconds since the document being served was read. */
  readonly staleForMs: number;
}

/** The metric namespace of the client's EMF lines (declared in `metric-names.ts`). */
export { METRIC_NAMESPACE };

/** A JSON-lines logger on stdout, the format Lambda's log pipeline and Powertools agree on. */
export const stdoutLogger: ClientLogger = {
  warn(message, attributes) {
    writeLine({ level: 'WARN', message, timestamp: new Date().toISOString(), ...attributes });
  },
  info(message, attributes) {
    writeLine({ level: 'INFO', message, timestamp: new Date().toISOString(), ...attributes });
  },
};

/**
 * One Embedded Metric Format line counting a degraded refresh, with `service`, `profile` and
 * `reason` as dimensions, as Powertools Metrics would print it.
 *
 * @example
 * process.stdout.write(degradedMetricLine(report, Date.now()) + '\n');
 */
export function degradedMetricLine(report: DegradedReport, timestamp: number): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: METRIC_NAMESPACE,
          Dimensions: [['service', 'profile', 'reason']],
          Metrics: [{ Name: 'ConfigRefreshFailed', Unit: 'Count' }],
        },
      ],
    },
    service: report.service,
    profile: report.profile,
    reason: report.reason,
    ConfigRefreshFailed: 1,
  });
}

function writeLine(record: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(record) + '\n');
}

/** The default metric sink: EMF lines on stdout, which Lambda ships to CloudWatch Metrics. */
export function stdoutMetricSink(line: string): void {
  process.stdout.write(line + '\n');
}

/**
 * Report one failed background refresh: the first of an outage is logged (not every one, nor every
 * request), every one is counted as an EMF line.
 *
 * @example
 * recordFailedRefresh(report, error, { service: 'orders', profile: 'document' }, Date.now());
 */
export function recordFailedRefresh(
  report: DegradedReport,
  error: unknown,
  where: Record<string, string>,
  now: number,
  logger: ClientLogger = stdoutLogger,
  metricSink: (line: string) => void = stdoutMetricSink,
): void {
  if (report.consecutiveFailures === 1) {
    logger.warn('configuration refresh failed; serving the last good document', {
      ...where,
      reason: report.reason,
      error: error instanceof Error ? error.message : 'unknown error',
    });
  }
  metricSink(degradedMetricLine(report, now));
}

/** Log that a refresh succeeded again after `failedRefreshes` failures. */
export function logRecoveredRefresh(
  where: Record<string, string>,
  failedRefreshes: number,
  logger: ClientLogger = stdoutLogger,
): void {
  logger.info('configuration refresh recovered', { ...where, failedRefreshes });
}

/**
 * Write the flag usage counted in these snapshots as EMF lines, to each snapshot's sink or stdout;
 * returns the lines written.
 */
export function writeFlagUsageLines(tracked: readonly TrackedSnapshot[], now: number): number {
  return writeUsageLines(tracked, now, stdoutMetricSink);
}
