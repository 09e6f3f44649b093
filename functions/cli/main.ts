/**
 * `steward`: the command line. Each command lives in its own module, imported only when run, so
 * `steward check` and `steward help` do not load the AWS SDK. Every failure ends in one of the exit
 * codes of exit-codes.ts: 0 clean, 1 findings, 2 usage, 3 configuration, 4 AWS or network, 5 a bug.
 */
import { pathToFileURL } from 'node:url';
import { AdapterError } from '../ports/adapter-error.ts';
import { DriftReadError } from '../core/drift/read.ts';
import { ConfigurationError } from '../core/errors.ts';
import { AwsCalls, describeAwsCause, describeFailedCalls, isAwsOrNetworkError } from './aws-calls.ts';
import { UsageError } from './errors.ts';
import { ExitCode, PlanExitCode } from './exit-codes.ts';
import { type CommandName, commandHelp, generalHelp, isCommandName, usageLine } from './help.ts';
import type { Command, CommandIo } from './io.ts';
import { processIo } from './process-io.ts';

const COMMANDS: Record<CommandName, () => Promise<Command>> = {
  check: async () => (await import('./commands/check.ts')).check,
  apply: async () => (await import('./commands/apply.ts')).apply,
  plan: async () => (await import('./commands/plan.ts')).plan,
  drift: async () => (await import('./commands/drift.ts')).drift,
  flags: async () => (await import('./commands/flags.ts')).flags,
  invoke: async () => (await import('./commands/invoke.ts')).invoke,
  kill: async () => (await import('./commands/kill.ts')).kill,
  override: async () => (await import('./commands/override.ts')).override,
};

const HELP_FLAGS = new Set(['--help', '-h']);

/**
 * Run the CLI and return the exit code.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2), processIo());
 */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.err(generalHelp());
    return ExitCode.Usage;
  }
  if (name === 'help' || HELP_FLAGS.has(name)) return help(rest, io);
  if (!isCommandName(name)) {
    io.err(`steward: unknown command "${name}"\n\n${generalHelp()}`);
    return ExitCode.Usage;
  }
  if (asksForHelp(rest)) {
    io.out(commandHelp(name));
    return ExitCode.Clean;
  }
  const aws = new AwsCalls();
  try {
    const command = await COMMANDS[name]();
    return await command(rest, io, aws);
  } catch (error) {
    const code = reportFailure(name, error, aws, io);
    // plan's 2 means "changes" (exit-codes.ts PlanExitCode): each of its failures exits 1.
    return name === 'plan' ? PlanExitCode.Error : code;
  }
}

function help([topic, ...extra]: string[], io: CommandIo): number {
  if (topic === undefined || (HELP_FLAGS.has(topic) && extra.length === 0)) {
    io.out(generalHelp());
    return ExitCode.Clean;
  }
  if (isCommandName(topic) && extra.length === 0) {
    io.out(commandHelp(topic));
    return ExitCode.Clean;
  }
  io.err(`steward help: unknown command "${[topic, ...extra].join(' ')}"\n\n${generalHelp()}`);
  return ExitCode.Usage;
}

/** `--help` or `-h` anywhere before a `--` terminator. */
function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((arg) => HELP_FLAGS.has(arg));
}

/** Print what went wrong, in the operator's terms, and return its exit code. */
function reportFailure(name: CommandName, error: unknown, aws: AwsCalls, io: CommandIo): number {
  const prefix = `steward ${name}:`;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof UsageError) {
    io.err(`${prefix} ${message}\n${usageLine(name)}`);
    return ExitCode.Usage;
  }
  if (error instanceof ConfigurationError) {
    io.err(`${prefix} configuration error: ${message}`);
    return ExitCode.Configuration;
  }
  const failedCalls = describeFailedCalls(aws.failures);
  if (
    failedCalls.length > 0 ||
    error instanceof AdapterError ||
    error instanceof DriftReadError ||
    isAwsOrNetworkError(error)
  ) {
    io.err(`${prefix} AWS or network error: ${message}`);
    const causes = failedCalls.length > 0 ? failedCalls : [describeAwsCause(error)];
    for (const cause of causes) io.err(`  cause: ${cause}`);
    return ExitCode.AwsOrNetwork;
  }
  io.err(`${prefix} internal error (please report): ${error instanceof Error ? error.stack : message}`);
  return ExitCode.Internal;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2), processIo());
}
