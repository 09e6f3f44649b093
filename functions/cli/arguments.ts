/** Command-line options for every `steward` command: `parseArgs`, with what it rejects as a usage error. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './errors.ts';

/**
 * `parseArgs(config)`, throwing {@link UsageError} (exit 2) for an unknown or malformed option.
 *
 * @example
 * const { values } = parseCommandArgs({ args: argv, options: { json: { type: 'boolean' } }, strict: true });
 */
export function parseCommandArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
