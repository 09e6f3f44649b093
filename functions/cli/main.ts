/**
 * `steward`: the command line. Each command lives in its own module, imported only when run, so
 * `steward check` does not load the AWS SDK. Exit codes: 0 clean, 1 findings, 2 usage error.
 */
import { pathToFileURL } from 'node:url';

export interface CommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Record<string, string | undefined>;
}

export type Command = (argv: string[], io: CommandIo) => Promise<number>;

/** Thrown for a usage error: printed with the usage text, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  invoke: {
    summary: 'invoke <handler> --event FILE [--settings FILE] [--timeout S]   run a stack handler locally',
    load: async () => (await import('./commands/invoke.ts')).invoke,
  },
  drift: {
    summary: 'drift [--env E] [--config DIR] [--json] [--file-tickets]   compare deployed and desired config',
    load: async () => (await import('./commands/drift.ts')).drift,
  },
  check: {
    summary: 'check [--config DIR] [--json]   validate the whole desired state offline',
    load: async () => (await import('./commands/check.ts')).check,
  },
  flags: {
    summary:
      'flags [--config DIR] [--expired] [--json] [--today YYYY-MM-DD] [--live [--prefix P]]   feature flags and their expiry',
    load: async () => (await import('./commands/flags.ts')).flags,
  },
  apply: {
    summary:
      'apply [--env E] [--config DIR] [--dry-run] [--rate N]   write desired plain parameters that differ',
    load: async () => (await import('./commands/apply.ts')).apply,
  },
};

export function usage(): string {
  return [
    'usage: steward <command> [options]',
    '',
    ...Object.values(COMMANDS).map((c) => `  steward ${c.summary}`),
  ].join('\n');
}

/** Run the CLI and return the exit code. */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    io.err(name && name !== '--help' ? `steward: unknown command "${name}"\n\n${usage()}` : usage());
    return name === '--help' ? 0 : 2;
  }
  try {
    return await (
      await command.load()
    )(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`steward ${name}: ${error.message}\n\n${usage()}`);
      return 2;
    }
    io.err(`steward ${name}: ${(error as Error).name}: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const io: CommandIo = { out: (l) => console.log(l), err: (l) => console.error(l), env: process.env };
  process.exitCode = await main(process.argv.slice(2), io);
}
