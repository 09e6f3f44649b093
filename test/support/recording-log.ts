import type { StructuredLog } from '../../functions/ports/logger.ts';

/** The structured log port as the lines written, each as [level, message, attributes]. */
export class RecordingLog implements StructuredLog {
  readonly lines: [string, string, Readonly<Record<string, unknown>>][] = [];
  info(message: string, attributes: Readonly<Record<string, unknown>>) {
    this.lines.push(['info', message, attributes]);
  }
  warn(message: string, attributes: Readonly<Record<string, unknown>>) {
    this.lines.push(['warn', message, attributes]);
  }
  error(message: string, attributes: Readonly<Record<string, unknown>>) {
    this.lines.push(['error', message, attributes]);
  }
}
