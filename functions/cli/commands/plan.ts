/**
 * `steward plan [--env E] [--config DIR] [--json | --format github] [--prefix P] [--deployer ARN...]`:
 * what the next deploy of `config/` would do, read from live Parameter Store and AppConfig (whatever
 * endpoint `AWS_ENDPOINT_URL` names) and never written. Exit codes follow `terraform plan
 * -detailed-exitcode` so CI can gate on them: 0 no change, 2 changes, 1 any error (main.ts maps every
 * failure of this command to 1).
 */
import * as path from 'node:path';
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient } from '@aws-sdk/client-ssm';
import {
  AppConfigDeployedConfiguration,
  DEPLOYED_CONFIGURATION_CLIENT_CONFIG,
} from '../../adapters/appconfig-deployed-configuration.ts';
import { FINGERPRINT_CLIENT_CONFIG, KmsValueFingerprinter } from '../../adapters/kms-value-fingerprinter.ts';
import { RateLimiter } from '../../adapters/rate-limiter.ts';
import { systemClock } from '../../ports/clock.ts';
import { SsmParameterStoreWithOverrides } from '../../adapters/ssm-override-store.ts';
import { BULK_READ_CLIENT_CONFIG } from '../../adapters/ssm-parameter-store.ts';
import { parseAppConfigTargets } from '../../core/appconfig-targets.ts';
import { fingerprintKeyId } from '../../core/fingerprint.ts';
import { APPCONFIG_TARGETS_ENV, RECONCILER_PRINCIPAL_ENV } from '../../core/names.ts';
import { planChanges } from '../../core/plan/plan.ts';
import type { ServiceProfiles } from '../../ports/deployed-configuration.ts';
import { parseCommandArgs } from '../arguments.ts';
import { AwsCalls, cliClientConfig } from '../aws-calls.ts';
import { loadDesiredRegistry } from '../desired-state.ts';
import { UsageError } from '../errors.ts';
import { PlanExitCode } from '../exit-codes.ts';
import type { CommandIo } from '../io.ts';
import { ConfigSourceLines } from './plan-source-lines.ts';
import { planWarnings, renderPlanGithub, renderPlanJson, renderPlanText } from './plan-render.ts';

/** The options `steward plan` accepts; its `--help` describes each (a test checks). */
export const planOptions = {
  env: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
  format: { type: 'string' },
  prefix: { type: 'string' },
  deployer: { type: 'string', multiple: true },
} as const;

const FORMATS = ['text', 'github'] as const;

export async function plan(argv: string[], io: CommandIo, aws = new AwsCalls()): Promise<number> {
  const { values } = parseCommandArgs({ args: argv, options: planOptions, strict: true });
  const format = values.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got "${format}")`);
  }
  if (values.json && format !== 'text') throw new UsageError('--json and --format github exclude each other');
  const configDir = path.resolve(values.config ?? 'config');
  const { settings, registry, selected } = await loadDesiredRegistry(configDir, values.env);
  const targetsJson = io.env[APPCONFIG_TARGETS_ENV];
  const reconciler = io.env[RECONCILER_PRINCIPAL_ENV]?.trim();

  // A bulk read of every environment, as `steward drift` does it: the SDK backs off on throttling.
  const parameters = new SsmParameterStoreWithOverrides(
    aws.instrument(new SSMClient(cliClientConfig(BULK_READ_CLIENT_CONFIG))),
    { limiter: new RateLimiter({ requestsPerSecond: settings.drift.requestsPerSecond }) },
  );
  const result = await planChanges(
    {
      registry,
      environments: settings.environments,
      parameters,
      // The deploy keeps what an active break-glass override holds: so does the plan.
      overrides: { store: parameters, now: () => systemClock.now() },
      appConfig: new AppConfigDeployedConfiguration(
        aws.instrument(new AppConfigClient(cliClientConfig(DEPLOYED_CONFIGURATION_CLIENT_CONFIG))),
      ),
      // The stack's key, as for drift: fingerprints in a plan match those in events and tickets.
      fingerprinter: new KmsValueFingerprinter(
        aws.instrument(new KMSClient(cliClientConfig(FINGERPRINT_CLIENT_CONFIG))),
        fingerprintKeyId(io.env, settings.eventBus.name),
      ),
    },
    {
      environments: selected,
      namePrefix: values.prefix ?? '',
      deployers: [...(values.deployer ?? []), ...(reconciler ? [reconciler] : [])],
      ...(targetsJson?.trim() ? { targets: profilesOf(parseAppConfigTargets(targetsJson)) } : {}),
    },
  );

  const sources = new ConfigSourceLines(configDir);
  for (const warning of planWarnings(result, values.prefix ?? '')) io.err(warning);
  if (values.json) io.out(renderPlanJson(result, sources));
  else if (format === 'github') for (const line of renderPlanGithub(result, sources)) io.out(line);
  else for (const line of renderPlanText(result)) io.out(line);
  return result.changes > 0 ? PlanExitCode.Changes : PlanExitCode.NoChanges;
}

/** `STEWARD_APPCONFIG` (what the stack gives its functions) as the plan's AppConfig ids. */
function profilesOf(targets: ReturnType<typeof parseAppConfigTargets>): Record<string, ServiceProfiles> {
  return Object.fromEntries(
    Object.entries(targets).map(([service, target]) => [
      service,
      {
        applicationId: target.applicationId,
        documentProfileId: target.documentProfileId,
        flagsProfileId: target.flagsProfileId,
        environments: Object.fromEntries(
          Object.entries(target.environments).map(([name, env]) => [name, env.environmentId]),
        ),
      },
    ]),
  );
}
