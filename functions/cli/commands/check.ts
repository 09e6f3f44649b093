/** `steward check [--config DIR] [--json]`: the desired state, validated offline. */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { type CheckFinding, checkDesiredState } from '../../core/check.ts';
import { parseCommandArgs } from '../arguments.ts';
import { loadDesiredState } from '../desired-state.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import type { CommandIo } from '../io.ts';

/** The options `steward check` accepts; its `--help` describes each (a test checks). */
export const checkOptions = {
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export async function check(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(argv);
  const configDir = path.resolve(values.config ?? 'config');
  if (!existsSync(configDir) || !statSync(configDir).isDirectory()) {
    throw new UsageError(`config directory not found: ${configDir}`);
  }
  const { organisation, settings } = await loadDesiredState(configDir);
  const findings = checkDesiredState(organisation, settings);
  if (values.json) {
    io.out(JSON.stringify({ ok: findings.length === 0, configDir, findings }, null, 2));
  } else {
    report(findings, organisation.services.length, io);
  }
  return findings.length === 0 ? ExitCode.Clean : ExitCode.Findings;
}

function parseOptions(argv: string[]) {
  return parseCommandArgs({
    args: argv,
    options: checkOptions,
    strict: true,
    allowPositionals: false,
  });
}

export function report(findings: CheckFinding[], services: number, io: CommandIo): void {
  if (findings.length === 0) {
    io.out(`steward check: ${services} services, no findings`);
    return;
  }
  for (const f of findings) {
    io.out(
      `✗ ${f.subject}: ${f.message}${f.value === undefined ? '' : ` (value: ${JSON.stringify(f.value)})`} [${f.rule}]`,
    );
  }
  io.out(`steward check: ${findings.length} finding${findings.length === 1 ? '' : 's'}`);
}
