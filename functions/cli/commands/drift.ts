/**
 * `steward drift [--env E] [--config DIR] [--json] [--file-tickets] [--flags [--prefix P]]`: the nightly drift run, locally,
 * against whatever endpoint `AWS_ENDPOINT_URL` names (region from `AWS_REGION`): the same steps the
 * nightly state machine loops (`driftUntilDone`), in one process with no time limit. Read-only unless
 * `--file-tickets`, which also reconciles tickets and publishes the `Config Drift Detected` event.
 * `--flags` also compares the flags each environment serves with config/, as the nightly run does; the
 * applications are found by name (`<prefix><service>`), as `steward plan` finds them.
 * Exit code 0 when nothing was found, 1 when something was, 4 when part of the deployed state could
 * not be read (a `read-error` finding: the report is incomplete, so CI must not take it for drift).
 */
import * as path from 'node:path';
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AppConfigDeployedConfiguration } from '../../adapters/appconfig-deployed-configuration.ts';
import { AppConfigDeployedFlagSource } from '../../adapters/appconfig-deployed-flag-source.ts';
import { AppConfigKillSwitchStore } from '../../adapters/appconfig-kill-switch-store.ts';
import { EventBridgeEventPublisher } from '../../adapters/eventbridge-publisher.ts';
import { FINGERPRINT_CLIENT_CONFIG, KmsValueFingerprinter } from '../../adapters/kms-value-fingerprinter.ts';
import { RateLimiter } from '../../adapters/rate-limiter.ts';
import { SecretsManagerInventory } from '../../adapters/secrets-manager-inventory.ts';
import { BULK_READ_CLIENT_CONFIG } from '../../adapters/ssm-parameter-store.ts';
import { SsmParameterStoreWithOverrides } from '../../adapters/ssm-override-store.ts';
import { createTicketTracker } from '../../adapters/tickets/create-ticket-tracker.ts';
import type { DriftParameterSource } from '../../ports/drift.ts';
import type { FlagDriftSources } from '../../core/drift/flag-drift.ts';
import type { SchemaRegistry } from '../../core/registry.ts';
import type { DriftDependencies, DriftReport } from '../../core/drift/run.ts';
import { parseKillSwitchTargets } from '../../core/flags/kill-switch-targets.ts';
import { KILL_SWITCH_TARGETS_ENV } from '../../core/names.ts';
import { driftUntilDone, type StepResult } from '../../core/drift/step.ts';
import { fingerprintKeyId } from '../../core/fingerprint.ts';
import { systemClock } from '../../ports/clock.ts';
import { parseCommandArgs } from '../arguments.ts';
import { AwsCalls, cliClientConfig, describeFailedCalls } from '../aws-calls.ts';
import { loadDesiredRegistry } from '../desired-state.ts';
import { ExitCode } from '../exit-codes.ts';
import type { CommandIo } from '../io.ts';
import { count, createProgress, type Progress } from '../progress.ts';

/** The options `steward drift` accepts; its `--help` describes each (a test checks). */
export const driftOptions = {
  env: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
  'file-tickets': { type: 'boolean', default: false },
  flags: { type: 'boolean', default: false },
  prefix: { type: 'string' },
} as const;

export async function drift(argv: string[], io: CommandIo, aws = new AwsCalls()): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    options: driftOptions,
    strict: true,
  });
  const { settings, registry } = await loadDesiredRegistry(
    path.resolve(values.config ?? 'config'),
    values.env,
  );
  const progress = createProgress(io.stderr);
  const started = performance.now();
  const seen = { apiCalls: 0, parameters: 0 };
  const countCall = () => {
    seen.apiCalls++;
    showProgress(progress, seen, started);
  };
  const limiter = new RateLimiter({ requestsPerSecond: settings.drift.requestsPerSecond });
  const filing = values['file-tickets'] === true;
  const store = new SsmParameterStoreWithOverrides(
    aws.instrument(new SSMClient(cliClientConfig(BULK_READ_CLIENT_CONFIG))),
    {
      limiter,
      onRequest: countCall,
    },
  );
  const environments = values.env ? [values.env] : undefined;
  const flags = values.flags ? await flagSources(registry, values.prefix ?? '', aws, io) : undefined;
  let run: StepResult;
  try {
    run = await driftUntilDone(
      {
        registry,
        source: countingParameters(store, (n) => {
          seen.parameters += n;
          showProgress(progress, seen, started);
        }),
        secrets: new SecretsManagerInventory(aws.instrument(new SecretsManagerClient(cliClientConfig())), {
          onRequest: countCall,
        }),
        // The stack's key (STEWARD_FINGERPRINT_KEY, else its alias): fingerprints match the nightly job's.
        fingerprinter: new KmsValueFingerprinter(
          aws.instrument(new KMSClient(cliClientConfig(FINGERPRINT_CLIENT_CONFIG))),
          fingerprintKeyId(io.env, settings.eventBus.name),
          { onRequest: countCall },
        ),
        clock: systemClock,
        tracker: filing ? createTicketTracker(settings.tickets) : undefined,
        publisher: filing
          ? new EventBridgeEventPublisher(
              aws.instrument(new EventBridgeClient(cliClientConfig())),
              settings.eventBus.name,
            )
          : undefined,
        apiCalls: () => seen.apiCalls,
        flags,
        ...killSwitchesToCheck(io, aws),
      },
      // No invocation limit here: the whole run is one step.
      () => ({
        remainingMs: () => Number.POSITIVE_INFINITY,
        marginMs: 0,
        requestsPerSecond: settings.drift.requestsPerSecond,
      }),
      { environments },
    );
  } finally {
    progress.done();
  }
  const report = reportOf(run, environments ?? registry.environments, performance.now() - started, seen);

  if (values.json) {
    io.out(JSON.stringify(report, null, 2));
  } else {
    for (const finding of report.findings) {
      const values =
        finding.expected !== undefined || finding.actual !== undefined
          ? ` (expected ${show(finding.expected, finding.values)}, actual ${show(finding.actual, finding.values)})`
          : '';
      io.out(`${finding.kind.padEnd(16)} ${finding.parameter}: ${finding.detail}${values}`);
    }
    const counts = Object.entries(report.findingsByKind)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ');
    io.out(
      `steward drift: ${report.parametersScanned} parameters in ${report.environments.join(', ')}, ` +
        `${report.findings.length} findings${counts ? ` (${counts})` : ''}, ${report.apiCalls} API calls, ` +
        `${Math.round(report.durationMs)} ms` +
        (filing ? `; tickets: ${report.filed} filed, ${report.resolvedTickets.length} resolved` : ''),
    );
  }
  if (report.findingsByKind['read-error'] > 0) {
    io.err('steward drift: part of the deployed state could not be read; the report is incomplete');
    for (const cause of describeFailedCalls(aws.failures)) io.err(`  cause: ${cause}`);
    return ExitCode.AwsOrNetwork;
  }
  return report.findings.length > 0 ? ExitCode.Findings : ExitCode.Clean;
}

/**
 * The served flags' reader and each service's AppConfig ids, found by application name; a service
 * AppConfig has no application or flags profile for is named on stderr and left out.
 */
async function flagSources(
  registry: SchemaRegistry,
  prefix: string,
  aws: AwsCalls,
  io: CommandIo,
): Promise<FlagDriftSources> {
  const client = aws.instrument(new AppConfigClient(cliClientConfig()));
  const services = registry.serviceNames();
  const located = await new AppConfigDeployedConfiguration(client).locate(services, { namePrefix: prefix });
  const targets = Object.fromEntries(
    Object.entries(located).map(([service, ids]) => [
      service,
      {
        applicationId: ids.applicationId,
        flagsProfileId: ids.flagsProfileId,
        environments: Object.fromEntries(
          Object.entries(ids.environments).map(([name, environmentId]) => [name, { environmentId }]),
        ),
      },
    ]),
  );
  const missing = services.filter((service) => located[service] === undefined);
  if (missing.length > 0) {
    io.err(`steward drift --flags: no AppConfig application "${prefix}<service>" for ${missing.join(', ')}`);
  }
  return { source: new AppConfigDeployedFlagSource(client), targets };
}

/** With `STEWARD_KILL_SWITCHES` (the stack output KillSwitchTargets), switches past their `until` too. */
function killSwitchesToCheck(io: CommandIo, aws: AwsCalls): Pick<DriftDependencies, 'killSwitches'> {
  const targets = io.env[KILL_SWITCH_TARGETS_ENV];
  if (!targets) return {};
  const reader = new AppConfigKillSwitchStore(aws.instrument(new AppConfigClient(cliClientConfig())));
  return { killSwitches: { targets: parseKillSwitchTargets(targets), reader } };
}

/** The run as `--json` prints it: every finding and ticket (the checkpoint keeps only counts). */
function reportOf(
  run: StepResult,
  environments: readonly string[],
  durationMs: number,
  seen: { apiCalls: number },
): DriftReport {
  const state = run.checkpoint;
  return {
    runId: state.runId,
    environments,
    parametersScanned: state.parametersScanned,
    findings: run.findings,
    findingsByKind: state.findingsByKind,
    tickets: run.tickets,
    filed: state.filed,
    resolvedTickets: run.resolvedTickets,
    deferred: state.deferred,
    durationMs,
    apiCalls: seen.apiCalls,
  };
}

function showProgress(progress: Progress, seen: { apiCalls: number; parameters: number }, started: number) {
  const seconds = Math.round((performance.now() - started) / 1000);
  progress.update(
    `steward drift: ${count(seen.parameters)} parameters read, ${count(seen.apiCalls)} API calls, ${seconds} s`,
  );
}

/** The source, telling `onParameters` how many parameters each path scan returned. */
function countingParameters(
  source: DriftParameterSource,
  onParameters: (n: number) => void,
): DriftParameterSource {
  return {
    describe: (path) => source.describe(path),
    getMany: (names) => source.getMany(names),
    labelledVersions: (path, label) => source.labelledVersions(path, label),
    overridesUnder: (path) => source.overridesUnder(path),
    async getByPath(path, options) {
      const parameters = await source.getByPath(path, options);
      onParameters(parameters.length);
      return parameters;
    },
  };
}

function show(value: string | undefined, encoding: 'plain' | 'fingerprint' | undefined): string {
  if (value === undefined) return '(none)';
  // `hmac-sha256:` and 12 hex digits tell two values apart; the full fingerprint is in --json.
  return encoding === 'fingerprint' ? `${value.slice(0, 24)}…` : JSON.stringify(value);
}
