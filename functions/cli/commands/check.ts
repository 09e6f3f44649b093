/** `steward check [--config DIR] [--json] [--against REV]`: the desired state, validated offline. */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { type BreakingChangeReport, compareDesiredStates } from '../../core/breaking-changes.ts';
import { type CheckFinding, checkDesiredState } from '../../core/check.ts';
import { utcDay } from '../../core/flags/policy.ts';
import type { Organisation } from '../../core/model.ts';
import { parseCommandArgs } from '../arguments.ts';
import { loadDesiredState } from '../desired-state.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import type { CommandIo } from '../io.ts';
import { loadDesiredStateAt } from '../revision-config.ts';

/** The options `steward check` accepts; its `--help` describes each (a test checks). */
export const checkOptions = {
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
  against: { type: 'string' },
} as const;

export async function check(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(argv);
  const configDir = path.resolve(values.config ?? 'config');
  if (!existsSync(configDir) || !statSync(configDir).isDirectory()) {
    throw new UsageError(`config directory not found: ${configDir}`);
  }
  if (values.against === '') throw new UsageError('--against needs a git revision, e.g. origin/main');
  const { organisation, settings } = await loadDesiredState(configDir);
  const findings = checkDesiredState(organisation, settings, { today: utcDay(new Date()) });
  const breaking =
    values.against === undefined
      ? undefined
      : await compareWithRevision(configDir, values.against, organisation);
  const failed = findings.length > 0 || (breaking !== undefined && failsCheck(breaking));
  if (values.json) {
    io.out(
      JSON.stringify(
        {
          ok: !failed,
          configDir,
          findings,
          ...(breaking && { against: values.against, breakingChanges: breaking }),
        },
        null,
        2,
      ),
    );
  } else {
    report(findings, organisation.services.length, io);
    if (breaking) reportBreakingChanges(breaking, values.against ?? '', io);
  }
  return failed ? ExitCode.Findings : ExitCode.Clean;
}

/** The working tree's organisation against the one at `revision`, over the environments deployed there. */
async function compareWithRevision(
  configDir: string,
  revision: string,
  organisation: Organisation,
): Promise<BreakingChangeReport> {
  const deployed = await loadDesiredStateAt(configDir, revision);
  const environments = deployed.settings.environments.map((environment) => environment.name);
  return compareDesiredStates(deployed.organisation, organisation, environments);
}

function failsCheck(report: BreakingChangeReport): boolean {
  return report.findings.length > 0 || report.problems.length > 0;
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

function reportBreakingChanges(breaking: BreakingChangeReport, revision: string, io: CommandIo): void {
  for (const f of breaking.findings) io.out(`✗ ${f.service}/${f.key}: ${f.message} [${f.rule}]`);
  for (const p of breaking.problems) io.out(`✗ ${p.service}/${p.key}: ${p.message} [${p.rule}]`);
  for (const a of breaking.acknowledged) {
    io.out(`✓ ${a.service}/${a.key}: ${a.message} [${a.rule}, acknowledged: ${a.reason}]`);
  }
  const failing = breaking.findings.length + breaking.problems.length;
  io.out(
    `steward check --against ${revision}: ${failing} breaking change${failing === 1 ? '' : 's'}, ${breaking.acknowledged.length} acknowledged`,
  );
}
