/**
 * Logging and metrics of the client without Powertools at module scope: a structural logger
 * interface (a Powertools `Logger` fits it) and a CloudWatch Embedded Metric Format line writer.
 */
import type { ExtensionFailureReason } from './errors.js';
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
