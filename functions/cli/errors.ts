/** Errors the CLI raises itself; each maps to one exit code (see exit-codes.ts). */

/** The command line is wrong: printed with the command's usage, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
