/**
 * `steward kill <service> <switch> --env E --reason TEXT [--until TIME] [--off]`: flip one kill switch
 * in one environment, in one step (core/flags/flip-kill-switch.ts): a new hosted version of the
 * service's kill-switch profile, deployed all at once with no bake into the switches' own AppConfig
 * environment, a `Kill Switch Flipped` event and a ticket to bring `config/` in line. The request is
 * checked against `config/` before any AWS call: a bad one exits 2 and touches nothing.
 */
import * as path from 'node:path';
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { STSClient } from '@aws-sdk/client-sts';
import { AppConfigKillSwitchStore } from '../../adapters/appconfig-kill-switch-store.ts';
import { resolveKillSwitchTargets } from '../../adapters/appconfig-kill-switch-targets.ts';
import { EventBridgeEventPublisher } from '../../adapters/eventbridge-publisher.ts';
import { StsCallerIdentity } from '../../adapters/sts-caller-identity.ts';
import { createTicketTracker } from '../../adapters/tickets/create-ticket-tracker.ts';
import {
  checkKillSwitchRequest,
  flipKillSwitch,
  KillSwitchEnvironmentBusyError,
  KillSwitchFollowUpError,
  type KillSwitchOutcome,
  type KillSwitchRequest,
  KillSwitchRequestError,
} from '../../core/flags/flip-kill-switch.ts';
import { parseKillSwitchTargets } from '../../core/flags/kill-switch-targets.ts';
import { KILL_SWITCH_TARGETS_ENV, killSwitchEnvironmentName } from '../../core/names.ts';
import { systemClock } from '../../ports/clock.ts';
import { parseCommandArgs } from '../arguments.ts';
import { AwsCalls, cliClientConfig } from '../aws-calls.ts';
import { loadDesiredState } from '../desired-state.ts';
import { UsageError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import type { CommandIo } from '../io.ts';

/** The options `steward kill` accepts; its `--help` describes each (a test checks). */
export const killOptions = {
  env: { type: 'string' },
  reason: { type: 'string' },
  until: { type: 'string' },
  off: { type: 'boolean', default: false },
  config: { type: 'string' },
  prefix: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export async function kill(argv: string[], io: CommandIo, aws = new AwsCalls()): Promise<number> {
  const { values, positionals } = parseCommandArgs({
    args: argv,
    options: killOptions,
    strict: true,
    allowPositionals: true,
  });
  const [service, switchName, ...extra] = positionals;
  if (service === undefined || switchName === undefined) {
    throw new UsageError(
      'name the service and the switch: steward kill <service> <switch> --env E --reason TEXT',
    );
  }
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (values.env === undefined)
    throw new UsageError('--env is required: the environment to flip the switch in');
  const { settings, organisation } = await loadDesiredState(path.resolve(values.config ?? 'config'));
  const desired = { organisation, environments: settings.environments.map((e) => e.name) };
  const request: KillSwitchRequest = {
    service,
    switchName,
    environment: values.env,
    enabled: !values.off,
    reason: values.reason ?? '',
    ...(values.until !== undefined ? { until: values.until } : {}),
  };
  try {
    // Before any AWS call: a bad request touches nothing, even with AWS unreachable.
    checkKillSwitchRequest(desired, request, systemClock.now());
    const appConfig = aws.instrument(new AppConfigClient(cliClientConfig()));
    const fromEnv = io.env[KILL_SWITCH_TARGETS_ENV];
    const targets = fromEnv
      ? parseKillSwitchTargets(fromEnv)
      : await resolveKillSwitchTargets(appConfig, service, values.env, values.prefix ?? '');
    const outcome = await flipKillSwitch(request, {
      ...desired,
      targets,
      delivery: new AppConfigKillSwitchStore(appConfig),
      identity: new StsCallerIdentity(aws.instrument(new STSClient(cliClientConfig()))),
      publisher: new EventBridgeEventPublisher(
        aws.instrument(new EventBridgeClient(cliClientConfig())),
        settings.eventBus.name,
      ),
      tracker: createTicketTracker(settings.tickets),
      clock: systemClock,
    });
    report(outcome, settings.eventBus.name, values.json, io);
    return ExitCode.Clean;
  } catch (error) {
    if (error instanceof KillSwitchRequestError) throw new UsageError(error.message);
    if (error instanceof KillSwitchEnvironmentBusyError) {
      io.err(`steward kill: nothing deployed: ${error.message}`);
      return ExitCode.AwsOrNetwork;
    }
    if (error instanceof KillSwitchFollowUpError) {
      report(error.outcome, undefined, values.json, io);
      io.err(`steward kill: ${error.message}`);
      return ExitCode.AwsOrNetwork;
    }
    throw error;
  }
}

function report(outcome: KillSwitchOutcome, bus: string | undefined, json: boolean, io: CommandIo): void {
  const { event, destination } = outcome;
  if (json) {
    io.out(JSON.stringify({ ...event, resolvedTickets: outcome.resolvedTickets }, null, 2));
    return;
  }
  io.out(
    `steward kill: ${event.service} ${event.switch} is ${event.enabled ? 'ON' : 'OFF'} in ${event.environment}: ` +
      (outcome.alreadyLive ? 'already live as asked, nothing new deployed; ' : '') +
      `deployment ${event.deploymentNumber} of version ${event.configurationVersion} to ` +
      `${killSwitchEnvironmentName(destination.environment)} (${event.environmentId}), all at once, no bake`,
  );
  io.out(`  by ${event.actor}: ${event.reason}`);
  if (event.until) io.out(`  until ${event.until}: the nightly drift run reports the switch after that`);
  if (outcome.ticket) {
    io.out(
      `  ticket ${outcome.ticket.ref.id}${outcome.ticket.created ? '' : ' (already open)'}: bring config/ in line`,
    );
  }
  for (const ref of outcome.resolvedTickets) io.out(`  ticket ${ref.id} resolved: config/ has the switch so`);
  if (bus) io.out(`  event Kill Switch Flipped published on ${bus}`);
}
