/**
 * `steward kill`, the use case: flip one kill switch of one service in one environment in one step.
 * The request is checked against `config/` before anything is read or written; then the switches'
 * own AppConfig environment (never busy with a document rollout) gets a new hosted version of the
 * kill-switch profile, deployed all at once with no bake; a `Kill Switch Flipped` event announces it
 * and a ticket asks to bring `config/` in line (or, when the flip returns the switch to what `config/`
 * says, the open ticket is resolved).
 */
import type { Clock } from '../../ports/clock.ts';
import type { CallerIdentity } from '../../ports/caller-identity.ts';
import type { ConfigDelivery } from '../../ports/config-delivery.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { TicketRef, TicketTracker } from '../../ports/ticket-tracker.ts';
import { looksLikeCredential } from '../credentials.ts';
import { documentVersionLabel } from '../delivery/deliver.ts';
import { StewardError } from '../errors.ts';
import { type EventDetail, stewardEvent } from '../events.ts';
import { sha256 } from '../hash.ts';
import type { Organisation } from '../model.ts';
import {
  type DeployedSwitches,
  type KillSwitchReader,
  newestDeploymentNumber,
  readDeployedSwitches,
} from './deployed-switches.ts';
import { type KillSwitchDestination, killSwitchDestination } from './kill-switch-destination.ts';
import type { KillSwitchTargets } from './kill-switch-targets.ts';
import { flipSwitch, isKillSwitch, killSwitchDocument } from './kill-switches.ts';

/** The longest reason accepted: AppConfig string attributes hold at most 1024 characters. */
export const MAX_REASON_LENGTH = 512;

/** Reads of the switches' environment before giving up when other flips keep landing in between. */
const MAX_FLIP_ATTEMPTS = 3;

/** What the operator asked for. */
export interface KillSwitchRequest {
  readonly service: string;
  readonly switchName: string;
  readonly environment: string;
  /** True engages the switch; false (`--off`) restores normal operation. */
  readonly enabled: boolean;
  readonly reason: string;
  /** ISO 8601 text as typed; only with `enabled`. */
  readonly until?: string;
}

/** The request is wrong (unknown service, switch or environment, not a switch, no reason, `until` past): nothing was read or written. */
export class KillSwitchRequestError extends StewardError {
  constructor(message: string) {
    super(message);
    this.name = 'KillSwitchRequestError';
  }
}

/**
 * A deployment runs in the switches' own environment. Only `steward kill` and the stack deploy there,
 * each all at once with no bake, so this should not happen by design; nothing was written.
 */
export class KillSwitchEnvironmentBusyError extends StewardError {
  constructor(
    readonly destination: KillSwitchDestination,
    readonly runningDeploymentNumber: number | undefined,
  ) {
    super(
      `deployment ${runningDeploymentNumber ?? '(number not listed)'} is running in the kill-switch environment ` +
        `${destination.environmentId} (${destination.service}, ${destination.environment}) of application ` +
        `${destination.applicationId}. This should not happen by design: only steward kill and the stack deploy ` +
        'there, all at once with no bake. Nothing was written; wait for it to finish ' +
        `(aws appconfig list-deployments --application-id ${destination.applicationId} --environment-id ` +
        `${destination.environmentId}) and run steward kill again.`,
    );
    this.name = 'KillSwitchEnvironmentBusyError';
  }
}

/** The switch is live, but announcing or ticketing it failed: say so, and what is missing. */
export class KillSwitchFollowUpError extends StewardError {
  constructor(
    readonly outcome: KillSwitchOutcome,
    readonly failures: readonly { step: 'ticket' | 'event'; error: Error }[],
  ) {
    super(
      `the switch IS live (deployment ${outcome.deploymentNumber}, version ${outcome.configurationVersion}), but ` +
        failures
          .map(
            (f) =>
              `${f.step === 'ticket' ? 'filing the ticket' : 'publishing the event'} failed: ${f.error.message}`,
          )
          .join('; '),
    );
    this.name = 'KillSwitchFollowUpError';
  }
}

/** `config/` as a flip is checked against: the services and the settings' environments. */
export interface DesiredSwitches {
  readonly organisation: Organisation;
  readonly environments: readonly string[];
}

export interface KillSwitchDependencies extends DesiredSwitches {
  readonly targets: KillSwitchTargets;
  /** Stores and deploys the flipped document; reads what the switches' environment serves first. */
  readonly delivery: Pick<ConfigDelivery, 'ensureHostedVersion' | 'startDeployment'> & KillSwitchReader;
  readonly identity: CallerIdentity;
  readonly publisher: EventPublisher;
  readonly tracker: TicketTracker;
  readonly clock: Clock;
}

export interface KillSwitchOutcome {
  readonly destination: KillSwitchDestination;
  readonly actor: string;
  readonly configurationVersion: string;
  readonly deploymentNumber: number;
  /** True when the switch was already deployed as asked: nothing new was hosted or deployed. */
  readonly alreadyLive: boolean;
  /** The ticket asking to bring config/ in line, when the new state differs from it. */
  readonly ticket?: { readonly ref: TicketRef; readonly created: boolean };
  /** Tickets resolved because the switch is back where config/ has it. */
  readonly resolvedTickets: readonly TicketRef[];
  readonly event: EventDetail<'Kill Switch Flipped'>;
}

/** A checked request and where it goes. */
export interface KillSwitchPlan extends CheckedKillSwitchRequest {
  readonly destination: KillSwitchDestination;
}

/** `kill-switch:<environment>/<service>/<switch>`: one ticket per switch and environment while open. */
export function killSwitchTicketKey(environment: string, service: string, switchName: string): string {
  return `kill-switch:${environment}/${service}/${switchName}`;
}

/** A request that passed {@link checkKillSwitchRequest}: its reason trimmed, its until parsed. */
export interface CheckedKillSwitchRequest {
  readonly request: KillSwitchRequest;
  readonly until?: Date;
  /** The switch's state in config/ for the environment. */
  readonly desiredEnabled: boolean;
}

/**
 * Check a request against `config/` alone, before any AWS call; throws {@link KillSwitchRequestError}
 * naming the problem. Pure.
 *
 * @example
 * checkKillSwitchRequest({ organisation, environments: ['staging', 'production'] }, { service: 'orders', switchName: 'disable-recommendations', environment: 'production', enabled: true, reason: 'recommendations time out' }, new Date());
 */
export function checkKillSwitchRequest(
  { organisation, environments }: DesiredSwitches,
  request: KillSwitchRequest,
  now: Date,
): CheckedKillSwitchRequest {
  const services = organisation.services.map((s) => s.name);
  const service = organisation.services.find((s) => s.name === request.service);
  if (!service) {
    throw new KillSwitchRequestError(`unknown service "${request.service}" (known: ${services.join(', ')})`);
  }
  if (!environments.includes(request.environment)) {
    throw new KillSwitchRequestError(
      `unknown environment "${request.environment}" (known: ${environments.join(', ')})`,
    );
  }
  const flags = service.flags ?? {};
  const flag = Object.hasOwn(flags, request.switchName) ? flags[request.switchName] : undefined;
  const switches = Object.keys(flags).filter((key) => isKillSwitch(flags[key]!));
  if (!flag) {
    throw new KillSwitchRequestError(
      `${request.service} has no flag "${request.switchName}" (its kill switches: ${switches.join(', ') || 'none'})`,
    );
  }
  if (!isKillSwitch(flag)) {
    throw new KillSwitchRequestError(
      `${request.service} ${request.switchName} is a ${flag.type} flag, not a kill switch: change it in config/ ` +
        `(its kill switches: ${switches.join(', ') || 'none'})`,
    );
  }
  if ((flag.valueKind ?? 'boolean') !== 'boolean') {
    throw new KillSwitchRequestError(
      `${request.service} ${request.switchName} serves ${flag.valueKind} values; a kill switch is on or off`,
    );
  }
  const reason = request.reason.trim();
  if (reason === '') throw new KillSwitchRequestError('--reason is required: say why, for the audit trail');
  if (reason.length > MAX_REASON_LENGTH) {
    throw new KillSwitchRequestError(`--reason is ${reason.length} characters; at most ${MAX_REASON_LENGTH}`);
  }
  if ([reason, ...reason.split(/\s+/)].some((text) => looksLikeCredential('reason', text).matched)) {
    throw new KillSwitchRequestError(
      '--reason looks like it holds a credential; events and tickets carry it, so say why without it',
    );
  }
  const until = untilOf(request, now);
  const desiredEnabled = flag.environments[request.environment]?.enabled ?? false;
  return { request: { ...request, reason }, ...(until ? { until } : {}), desiredEnabled };
}

/**
 * {@link checkKillSwitchRequest}, then where the flip goes; a service or environment without a
 * deployed kill-switch environment is refused the same way. Pure.
 */
export function planKillSwitchFlip(
  desired: DesiredSwitches,
  targets: KillSwitchTargets,
  request: KillSwitchRequest,
  now: Date,
): KillSwitchPlan {
  const checked = checkKillSwitchRequest(desired, request, now);
  const destination = killSwitchDestination(targets, request.service, request.environment);
  if (!destination) {
    throw new KillSwitchRequestError(
      `no kill-switch environment of ${request.service} in ${request.environment} is deployed: deploy the stack first`,
    );
  }
  return { ...checked, destination };
}

function untilOf(request: KillSwitchRequest, now: Date): Date | undefined {
  if (request.until === undefined) return undefined;
  if (!request.enabled) {
    throw new KillSwitchRequestError('--until goes with engaging a switch, not with --off');
  }
  // An offset or Z is required: "18:00" in whose time zone is exactly the doubt an incident cannot afford.
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
  const until = new Date(request.until);
  if (!iso.test(request.until) || Number.isNaN(until.getTime()) || !isCalendarTime(request.until, until)) {
    throw new KillSwitchRequestError(
      `--until must be an ISO 8601 time with a zone, e.g. 2026-12-01T18:00Z, not "${request.until}"`,
    );
  }
  if (until.getTime() <= now.getTime()) {
    throw new KillSwitchRequestError(
      `--until ${request.until} is not in the future (now ${now.toISOString()})`,
    );
  }
  return until;
}

/**
 * Whether the typed date and time exist as written: `Date` rolls 2026-02-30 over to March 2nd and
 * 24:00 over to the next day, and an operator must not get a different end than the one typed.
 */
function isCalendarTime(text: string, parsed: Date): boolean {
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(text);
  const offsetMinutes = offset
    ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]))
    : 0;
  const wallClock = new Date(parsed.getTime() + offsetMinutes * 60_000).toISOString();
  return wallClock.slice(0, 16) === text.slice(0, 16);
}

/**
 * Flip the switch: read what the switches' environment serves, store the flipped document as a
 * new hosted version, deploy it all at once, then ticket and announce it.
 *
 * @throws KillSwitchRequestError before anything is read, for a bad request
 * @throws KillSwitchEnvironmentBusyError when a deployment runs in the switches' environment, or other
 *   flips keep being deployed between this one's read and its deployment (nothing deployed)
 * @throws KillSwitchFollowUpError when the switch is live but the ticket or the event failed
 */
export async function flipKillSwitch(
  request: KillSwitchRequest,
  deps: KillSwitchDependencies,
): Promise<KillSwitchOutcome> {
  const now = deps.clock.now();
  const plan = planKillSwitchFlip(deps, deps.targets, request, now);
  const { destination } = plan;
  const target = {
    applicationId: destination.applicationId,
    environmentId: destination.environmentId,
    configurationProfileId: destination.profileId,
  };
  const actor = await deps.identity.callerArn();
  const service = deps.organisation.services.find((s) => s.name === request.service);
  const fromConfig = killSwitchDocument(service?.flags, request.environment);
  const switchState = request.enabled ? 'on' : 'off';
  for (let attempt = 1; ; attempt += 1) {
    // Read before anything is written: a running deployment, or a served document that is not one, stops here.
    // The flip builds on the served document: a newer deployment that was rolled back is not live, and
    // building on it would revive the flip it carried.
    const deployed = await readDeployedSwitches(deps.delivery, destination);
    if (deployed.runningDeploymentNumber !== undefined) {
      throw new KillSwitchEnvironmentBusyError(destination, deployed.runningDeploymentNumber);
    }
    const live = alreadyLive(deployed, plan);
    if (live) {
      // A retried or repeated run: deploying the same state again only adds a version and a deployment.
      // The ticket is deduplicated and the event carries the live deployment, so the follow-up is safe to repeat.
      return followUp(plan, deps, { actor, ...live, alreadyLive: true });
    }
    const flipped = flipSwitch(deployed.document, fromConfig, {
      switchName: request.switchName,
      enabled: request.enabled,
      reason: plan.request.reason,
      ...(plan.until ? { until: plan.until } : {}),
      actor,
      at: now,
    });
    const content = JSON.stringify(flipped);
    const configurationVersion = await deps.delivery.ensureHostedVersion({
      ...target,
      content,
      contentType: 'application/json',
      description: `steward kill: ${request.switchName} ${switchState} in ${request.environment}`,
      versionLabel: documentVersionLabel(sha256(content)),
    });
    // Another operator's flip deployed since the read would be dropped by deploying this document:
    // start again on top of it. AppConfig has no compare-and-set on deployments; this narrows the
    // window to one round trip. Newest against newest, in any state: a rolled-back deployment that
    // was there at the read is no news.
    const latest = newestDeploymentNumber(await deps.delivery.servedDeployment(target));
    if (latest !== deployed.newestDeploymentNumber) {
      if (attempt < MAX_FLIP_ATTEMPTS) continue;
      throw new KillSwitchEnvironmentBusyError(destination, latest);
    }
    const started = await deps.delivery.startDeployment({
      ...target,
      configurationVersion,
      deploymentStrategyId: destination.deploymentStrategyId,
      description: `steward kill: ${request.switchName} ${switchState}`,
    });
    if (started.status === 'busy') {
      throw new KillSwitchEnvironmentBusyError(destination, started.runningDeploymentNumber);
    }
    return followUp(plan, deps, {
      actor,
      configurationVersion,
      deploymentNumber: started.deploymentNumber,
      alreadyLive: false,
    });
  }
}

/**
 * The live deployment when the switch is already deployed as asked (same state, reason and until),
 * whoever flipped it; undefined when the flip changes something.
 */
function alreadyLive(
  deployed: DeployedSwitches,
  plan: KillSwitchPlan,
): { configurationVersion: string; deploymentNumber: number } | undefined {
  const value = deployed.document?.values[plan.request.switchName];
  if (deployed.version === undefined || deployed.deploymentNumber === undefined || !value) return undefined;
  const same =
    value.enabled === plan.request.enabled &&
    value['reason'] === plan.request.reason &&
    value['until'] === plan.until?.toISOString();
  return same
    ? { configurationVersion: deployed.version, deploymentNumber: deployed.deploymentNumber }
    : undefined;
}

/** Ticket (or resolve the ticket), then announce; failures after the deployment do not hide that it is live. */
async function followUp(
  plan: KillSwitchPlan,
  deps: KillSwitchDependencies,
  deployed: { actor: string; configurationVersion: string; deploymentNumber: number; alreadyLive: boolean },
): Promise<KillSwitchOutcome> {
  const { request, destination } = plan;
  const failures: { step: 'ticket' | 'event'; error: Error }[] = [];
  const dedupKey = killSwitchTicketKey(request.environment, request.service, request.switchName);
  let ticket: KillSwitchOutcome['ticket'];
  const resolvedTickets: TicketRef[] = [];
  try {
    if (request.enabled !== plan.desiredEnabled) {
      ticket = await deps.tracker.file(ticketRequest(plan, deployed.actor, dedupKey));
    } else {
      for (const open of await deps.tracker.listOpen(dedupKey)) {
        if (open.dedupKey !== dedupKey) continue;
        await deps.tracker.resolve(
          open.ref,
          `Resolved by steward kill: ${request.switchName} is ${request.enabled ? 'on' : 'off'} in ${request.environment} again, as config/ has it (${deployed.actor}).`,
        );
        resolvedTickets.push(open.ref);
      }
    }
  } catch (error) {
    failures.push({ step: 'ticket', error: error as Error });
  }
  const event: EventDetail<'Kill Switch Flipped'> = {
    service: request.service,
    switch: request.switchName,
    environment: request.environment,
    enabled: request.enabled,
    reason: request.reason,
    ...(plan.until ? { until: plan.until.toISOString() } : {}),
    actor: deployed.actor,
    applicationId: destination.applicationId,
    environmentId: destination.environmentId,
    configurationProfileId: destination.profileId,
    configurationVersion: deployed.configurationVersion,
    deploymentNumber: deployed.deploymentNumber,
    ...(ticket ? { ticket: ticket.ref } : {}),
  };
  try {
    await deps.publisher.publish([stewardEvent('Kill Switch Flipped', event)]);
  } catch (error) {
    failures.push({ step: 'event', error: error as Error });
  }
  const outcome: KillSwitchOutcome = {
    destination,
    actor: deployed.actor,
    configurationVersion: deployed.configurationVersion,
    deploymentNumber: deployed.deploymentNumber,
    alreadyLive: deployed.alreadyLive,
    ...(ticket ? { ticket } : {}),
    resolvedTickets,
    event,
  };
  if (failures.length > 0) throw new KillSwitchFollowUpError(outcome, failures);
  return outcome;
}

function ticketRequest(plan: KillSwitchPlan, actor: string, dedupKey: string) {
  const { request } = plan;
  const state = request.enabled ? 'on' : 'off';
  return {
    dedupKey,
    title: `Kill switch ${request.switchName} of ${request.service} is ${state} in ${request.environment}: bring config/ in line`,
    body: [
      `\`steward kill\` turned the kill switch **${request.switchName}** of **${request.service}** ${state} in **${request.environment}**.`,
      '',
      '| field | value |',
      '| --- | --- |',
      `| flipped by | ${actor} |`,
      `| reason | ${request.reason.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`,
      ...(plan.until ? [`| until | ${plan.until.toISOString()} |`] : []),
      '',
      `\`config/\` still has it ${plan.desiredEnabled ? 'on' : 'off'}, and the next deploy of the stack ships ` +
        `config/'s kill-switch document. Either set \`flags['${request.switchName}'].environments.${request.environment}.enabled\` ` +
        `to \`${request.enabled}\` in config/services/${request.service}.ts, or flip it back with ` +
        `\`steward kill ${request.service} ${request.switchName} --env ${request.environment} ${request.enabled ? '--off ' : ''}--reason "…"\`.`,
      ...(plan.until ? ['', 'The nightly drift run reports the switch once `until` has passed.'] : []),
    ].join('\n'),
    severity: 'high' as const,
    category: 'flags',
  };
}
