/**
 * `steward flags [--config DIR] [--expired] [--json] [--today YYYY-MM-DD] [--live [--prefix P]]`:
 * every feature flag with its age and what the policy says. Offline from `config/` by default;
 * `--live` reads the flag versions deployed last (else the newest hosted) from AppConfig instead (ids from
 * `STEWARD_APPCONFIG` when set, else found by application name `<prefix><service>`). Exit 1 when a
 * flag needs cleanup (expired, over its lifetime, unowned or with broken metadata); an
 * `expiring-soon` warning alone exits 0. `--expired` lists only the expired flags.
 *
 * `steward flags refs [--src DIR...] [--config DIR] [--json]`: the flag keys the code reads (see
 * core/flags/code-references.ts), the declared flags no code reads, and references to flags `config/`
 * does not declare: those exit 1, for CI.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { flagProfileRefs, parseAppConfigTargets } from '../../core/appconfig-targets.ts';
import { locationOf } from '../../core/flags/code-reference-digest.ts';
import {
  type CodeReferenceReport,
  compareWithDeclaredFlags,
  declaredFlags,
} from '../../core/flags/code-references.ts';
import { isCalendarDay } from '../../core/flags/metadata.ts';
import {
  assessFlag,
  type FlagAssessment,
  type FlagMetadata,
  isActionable,
  utcDay,
} from '../../core/flags/policy.ts';
import { type Organisation, SHARED_SERVICE } from '../../core/model.ts';
import { APPCONFIG_TARGETS_ENV } from '../../core/names.ts';
import { parseCommandArgs } from '../arguments.ts';
import { loadDesiredState } from '../desired-state.ts';
import { AwsCalls, cliClientConfig } from '../aws-calls.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import type { CommandIo } from '../io.ts';
import { displayPath, type SourceScan, scanSources, settingsSources } from '../source-scan.ts';

export interface FlagRow {
  readonly service: string;
  readonly flag: string;
  readonly type: string;
  readonly owner: string;
  readonly created: string;
  readonly expires?: string;
  readonly ageDays?: number;
  readonly daysToExpiry?: number;
  readonly findings: FlagAssessment['findings'];
}

/** The options `steward flags` accepts; its `--help` describes each (a test checks). */
export const flagsOptions = {
  config: { type: 'string' },
  expired: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  today: { type: 'string' },
  live: { type: 'boolean', default: false },
  prefix: { type: 'string' },
} as const;

/** The options of `steward flags refs`; `steward flags --help` describes them too (a test checks). */
export const flagRefsOptions = {
  src: { type: 'string', multiple: true },
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export async function flags(argv: string[], io: CommandIo, aws = new AwsCalls()): Promise<number> {
  if (argv[0] === 'refs') return flagRefs(argv.slice(1), io);
  const { values } = parseOptions(argv);
  const configDir = existingConfigDir(values.config);
  const today = values.today ?? utcDay(new Date());
  if (!isCalendarDay(today)) throw new UsageError(`--today must be a YYYY-MM-DD day, not "${today}"`);
  const { organisation, settings } = await loadDesiredState(configDir);
  const options = { today, warnWithinDays: settings.flags.warnWithinDays };
  const flagsToJudge = values.live
    ? await hostedFlags(organisation, io, values.prefix ?? '', aws)
    : configFlags(organisation);

  let rows: FlagRow[] = flagsToJudge.map(({ service, flag }) => rowOf(service, flag, options));
  if (values.expired) rows = rows.filter((row) => row.findings.some((f) => f.reason === 'expired'));
  const failing = rows.filter((row) => row.findings.some((f) => isActionable(f.reason)));

  if (values.json) {
    io.out(JSON.stringify({ today, warnWithinDays: options.warnWithinDays, flags: rows }, null, 2));
  } else {
    report(rows, today, values.expired, io);
  }
  return failing.length === 0 ? ExitCode.Clean : ExitCode.Findings;
}

function existingConfigDir(option: string | undefined): string {
  const configDir = path.resolve(option ?? 'config');
  if (!existsSync(configDir) || !statSync(configDir).isDirectory()) {
    throw new UsageError(`config directory not found: ${configDir}`);
  }
  return configDir;
}

/** `steward flags refs`: exit 1 when the code reads a flag no service declares. */
async function flagRefs(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    options: flagRefsOptions,
    strict: true,
    allowPositionals: false,
  });
  const configDir = existingConfigDir(values.config);
  const { organisation, settings } = await loadDesiredState(configDir);
  for (const source of values.src ?? []) {
    if (!existsSync(source)) throw new UsageError(`--src ${source}: no such file or directory`);
  }
  // --src is relative to where the command runs; the setting to the project root, as synth reads it.
  const roots = values.src ?? settingsSources(settings, path.dirname(configDir)) ?? ['.'];
  const cwd = process.cwd();
  const scan = scanSources(roots, { relativeTo: cwd });
  const report = compareWithDeclaredFlags(scan.found, declaredFlags(organisation));
  const sources = roots.map((root) => displayPath(root, cwd));

  if (values.json) {
    const { found: _, ...counts } = scan;
    io.out(JSON.stringify({ sources, ...counts, ...report }, null, 2));
  } else {
    reportReferences(report, scan, sources, io);
  }
  return report.unknown.length === 0 ? ExitCode.Clean : ExitCode.Findings;
}

function reportReferences(
  report: CodeReferenceReport,
  scan: SourceScan,
  sources: string[],
  io: CommandIo,
): void {
  for (const reference of report.unknown) {
    io.err(
      `steward flags refs: ${locationOf(reference)}: unknown flag "${reference.flag}" (${reference.call}): no service in config/ declares it`,
    );
  }
  const width = Math.max(
    0,
    ...[...report.referenced, ...report.unreferenced].map((d) => `${d.service} ${d.flag}`.length),
  );
  if (report.referenced.length > 0) io.out('referenced:');
  for (const { service, flag, references } of report.referenced) {
    io.out(`  ${`${service} ${flag}`.padEnd(width)}  ${references.map(locationOf).join(', ')}`);
  }
  if (report.unreferenced.length > 0) io.out('no reference found (removable once no environment needs it):');
  for (const { service, flag } of report.unreferenced) io.out(`  ${service} ${flag}`);
  if (report.computed.length > 0) io.out('flag calls with a computed key (not checked):');
  for (const call of report.computed) io.out(`  ${locationOf(call)} (${call.call})`);
  if (scan.skipped.length > 0) io.out('skipped:');
  for (const { file, reason } of scan.skipped) io.out(`  ${file}: ${reason}`);
  io.out(
    `steward flags refs: ${scan.files} file${scan.files === 1 ? '' : 's'} scanned in ${sources.join(', ')}: ` +
      `${report.referenced.length} flag(s) referenced, ${report.unreferenced.length} without reference, ` +
      `${report.unknown.length} reference(s) to unknown flags`,
  );
}

interface ServiceFlag {
  readonly service: string;
  readonly flag: FlagMetadata;
}

function configFlags(organisation: Organisation): ServiceFlag[] {
  return organisation.services.flatMap((service) =>
    Object.entries(service.flags ?? {}).map(([key, flag]) => ({
      service: service.name,
      flag: { key, ...flag },
    })),
  );
}

/** The flag versions deployed last (else the newest hosted); the AWS SDK is loaded only here. */
async function hostedFlags(
  organisation: Organisation,
  io: CommandIo,
  prefix: string,
  aws: AwsCalls,
): Promise<ServiceFlag[]> {
  const [{ AppConfigClient }, { AppConfigFlagSource, resolveFlagProfiles }] = await Promise.all([
    import('@aws-sdk/client-appconfig'),
    import('../../adapters/appconfig-flag-source.ts'),
  ]);
  const client = aws.instrument(new AppConfigClient(cliClientConfig()));
  const services = organisation.services.map((s) => s.name).filter((name) => name !== SHARED_SERVICE);
  const fromEnv = io.env[APPCONFIG_TARGETS_ENV];
  const { refs, missing } = fromEnv
    ? { refs: flagProfileRefs(parseAppConfigTargets(fromEnv)), missing: [] as string[] }
    : await resolveFlagProfiles(client, services, { namePrefix: prefix });
  for (const service of missing)
    io.err(`steward flags: no AppConfig flags profile found for ${prefix}${service}`);
  const source = new AppConfigFlagSource(client);
  const result: ServiceFlag[] = [];
  for (const ref of refs) {
    const hosted = await source.latest(ref);
    for (const flag of hosted?.flags ?? []) result.push({ service: ref.service, flag });
  }
  return result;
}

function rowOf(
  service: string,
  flag: FlagMetadata,
  options: { today: string; warnWithinDays: number },
): FlagRow {
  const assessment = assessFlag(flag, options);
  return {
    service,
    flag: flag.key,
    type: flag.type ?? '',
    owner: flag.owner ?? '',
    created: flag.created ?? '',
    ...(flag.expires !== undefined ? { expires: flag.expires } : {}),
    ...(assessment.ageDays !== undefined ? { ageDays: assessment.ageDays } : {}),
    ...(assessment.daysToExpiry !== undefined ? { daysToExpiry: assessment.daysToExpiry } : {}),
    findings: assessment.findings,
  };
}

function parseOptions(argv: string[]) {
  return parseCommandArgs({
    args: argv,
    options: flagsOptions,
    strict: true,
    allowPositionals: false,
  });
}

function report(rows: FlagRow[], today: string, expiredOnly: boolean, io: CommandIo): void {
  if (rows.length === 0) {
    io.out(`steward flags: ${expiredOnly ? 'no expired flags' : 'no flags'} (as of ${today}, UTC)`);
    return;
  }
  const header = ['service', 'flag', 'type', 'owner', 'created', 'expires', 'age', 'status'];
  const table = rows.map((row) => [
    row.service,
    row.flag,
    row.type || '(none)',
    row.owner || '(none)',
    row.created || '(none)',
    row.expires ?? '-',
    row.ageDays === undefined ? '?' : `${row.ageDays}d`,
    row.findings.length === 0 ? 'ok' : row.findings.map((f) => `${f.reason}: ${f.message}`).join('; '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((cells) => (cells[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  io.out(line(header));
  for (const cells of table) io.out(line(cells));
  const attention = rows.filter((row) => row.findings.some((f) => isActionable(f.reason))).length;
  io.out(
    `steward flags: ${rows.length} flag${rows.length === 1 ? '' : 's'}, ${attention} need${attention === 1 ? 's' : ''} cleanup (as of ${today}, UTC)`,
  );
}
