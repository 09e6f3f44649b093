import { describe, expect, it } from 'vitest';
import { applyOptions } from '../../functions/cli/commands/apply.ts';
import { checkOptions } from '../../functions/cli/commands/check.ts';
import { driftOptions } from '../../functions/cli/commands/drift.ts';
import { flagRefsOptions, flagsOptions } from '../../functions/cli/commands/flags.ts';
import { invokeOptions } from '../../functions/cli/commands/invoke.ts';
import { overrideOptions } from '../../functions/cli/commands/override.ts';
import { planOptions } from '../../functions/cli/commands/plan.ts';
import { killOptions } from '../../functions/cli/commands/kill.ts';
import { ExitCode } from '../../functions/cli/exit-codes.ts';
import { COMMAND_HELP } from '../../functions/cli/help.ts';
import { main } from '../../functions/cli/main.ts';
import { recordingIo } from '../support/command-io.ts';

/** Each command's parser options, as the command module declares them. */
const PARSED_OPTIONS: Record<keyof typeof COMMAND_HELP, object> = {
  check: checkOptions,
  apply: applyOptions,
  plan: planOptions,
  drift: driftOptions,
  // `steward flags --help` describes `flags refs` too.
  flags: { ...flagsOptions, ...flagRefsOptions },
  invoke: invokeOptions,
  kill: killOptions,
  override: overrideOptions,
};
const COMMANDS = Object.keys(COMMAND_HELP) as (keyof typeof COMMAND_HELP)[];

async function run(argv: string[]) {
  const { io, out, err } = recordingIo();
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('CLI: steward help', () => {
  it.each([['help'], ['--help'], ['-h']])(
    '%s prints every command and the exit codes on stdout, exit 0',
    async (flag) => {
      // Act
      const { code, out, err } = await run([flag]);

      // Assess
      expect(code).toBe(0);
      expect(err).toBe('');
      for (const command of COMMANDS) expect(out).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
      for (const exit of Object.values(ExitCode)) expect(out).toMatch(new RegExp(`^  ${exit}  \\w`, 'm'));
    },
  );

  it.each(COMMANDS.flatMap((command) => [[command, '--help'] as const, [command, '-h'] as const]))(
    '%s %s prints its usage and describes every option it accepts, exit 0',
    async (command, flag) => {
      // Act
      const { code, out, err } = await run([command, flag]);

      // Assess
      expect(code).toBe(0);
      expect(err).toBe('');
      expect(out).toContain(`usage: steward ${command}`);
      for (const option of Object.keys(PARSED_OPTIONS[command])) {
        expect(out, `--${option} of ${command}`).toMatch(new RegExp(`^  --${option}\\b.*? {2,}\\S`, 'm'));
      }
      expect(out).toMatch(/^exit codes: 0 /m);
    },
  );

  it('answers --help even after other options, and "help <command>" the same', async () => {
    // Act
    const afterOptions = await run(['drift', '--env', 'staging', '--help']);
    const viaHelp = await run(['help', 'drift']);

    // Assess
    expect(afterOptions.code).toBe(0);
    expect(viaHelp).toEqual(afterOptions);
  });

  it('exits 2 for no command, an unknown command or help on an unknown command, on stderr', async () => {
    // Act
    const results = await Promise.all([run([]), run(['frobnicate', '--help']), run(['help', 'frobnicate'])]);

    // Assess
    expect(results.map((r) => r.code)).toEqual([2, 2, 2]);
    for (const { out, err } of results) {
      expect(out).toBe('');
      expect(err).toContain('usage: steward <command> [options]');
    }
    expect(results[1]?.err).toContain('unknown command "frobnicate"');
  });
});
