/**
 * The structured logger rotation writes to (Powertools' Logger fits it). Attributes name secrets,
 * versions, users and steps; values never reach it.
 */
export type LogAttributes = Readonly<Record<string, string | number | boolean | undefined>>;

export interface RotationLogger {
  info(message: string, attributes?: LogAttributes): void;
  warn(message: string, attributes?: LogAttributes): void;
  error(message: string, attributes?: LogAttributes): void;
}

export const silentLogger: RotationLogger = { info() {}, warn() {}, error() {} };
