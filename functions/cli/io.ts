/**
 * What every `steward` command is given and returns, apart from main.ts, so that commands never import
 * the entry point that loads them (which made one import cycle per command).
 */
import type { AwsCalls } from './aws-calls.ts';
import type { ProgressStream } from './progress.ts';

export interface CommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly env: Record<string, string | undefined>;
  /** Where progress goes; shown only if it is a terminal. @default none */
  readonly stderr?: ProgressStream;
}

/**
 * A command: parses its own options and returns its exit code; throws for what it cannot do.
 * `aws` records the AWS calls of the run (commands that use AWS instrument their clients with it).
 */
export type Command = (argv: string[], io: CommandIo, aws?: AwsCalls) => Promise<number>;
