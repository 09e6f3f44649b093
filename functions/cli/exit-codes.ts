/**
 * The exit codes of every `steward` command, one meaning each, so CI can tell findings from an outage.
 * `steward help` and the README's "CLI exit codes" print this table.
 */
export const ExitCode = {
  /** Nothing to report. */
  Clean: 0,
  /** The command ran and found something: check findings, drift, flags needing cleanup, a handler that failed. */
  Findings: 1,
  /** The command line is wrong: unknown command or option, a missing argument, a path that does not exist. */
  Usage: 2,
  /** The configuration cannot be used: a broken settings file, a `config/` that does not load, a broken template. */
  Configuration: 3,
  /** AWS or the network failed: no region, no credentials, an unreachable endpoint, an AWS error, an unreadable environment. */
  AwsOrNetwork: 4,
  /** A bug in steward itself: the message and stack trace are printed; please report them. */
  Internal: 5,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** One line per exit code, for `steward help`. */
export const EXIT_CODE_HELP: readonly string[] = [
  '0  clean: nothing to report',
  '1  findings: check findings, drift, flags needing cleanup, an invoked handler that failed',
  '2  usage: unknown command or option, missing argument, a path that does not exist',
  '3  configuration error: broken settings file, config/ that does not load, unreadable template',
  '4  AWS or network error: no region, no credentials, unreachable endpoint, an AWS error, an unreadable environment',
  '5  internal error: a bug in steward (message and stack trace printed)',
];

/**
 * `steward plan`'s exit codes, as `terraform plan -detailed-exitcode` has them, so a CI step can tell
 * "this merge changes something" from "the plan failed": every failure is 1, whatever its kind.
 */
export const PlanExitCode = {
  NoChanges: 0,
  Error: 1,
  Changes: 2,
} as const;
