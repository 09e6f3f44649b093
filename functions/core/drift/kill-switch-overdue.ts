/**
 * The nightly drift run's look at kill switches: a switch flipped on by `steward kill --until` whose
 * `until` has passed is a `kill-switch-overdue` finding (ticketed and resolved like every finding, by
 * its key `kill-switch-overdue:kill-switches/<env>/<service>/<switch>`). Read per service unit, from
 * what each kill-switch environment has deployed; a read that fails is a `read-error` for that
 * environment's switches alone.
 */
import { type KillSwitchReader, overdueSwitches, readDeployedSwitches } from '../flags/deployed-switches.ts';
import { killSwitchDestination } from '../flags/kill-switch-destination.ts';
import type { KillSwitchTargets } from '../flags/kill-switch-targets.ts';
import type { DetectedFinding } from './findings.ts';

/** Where the drift run reads kill switches: the stack's ids (`STEWARD_KILL_SWITCHES`) and AppConfig. */
export interface KillSwitchDriftSource {
  readonly targets: KillSwitchTargets;
  readonly reader: KillSwitchReader;
}

/** The prefix a kill-switch finding's subject starts with; a unit that read it may resolve its tickets. */
export function killSwitchSubject(environment: string, service: string, switchName = ''): string {
  return `kill-switches/${environment}/${service}/${switchName}`;
}

/**
 * The kill-switch findings of one service in these environments, and the subjects read (for ticket
 * resolution: a ticket under a subject read this run, with no finding, is resolved).
 *
 * @example
 * const { findings, checkedPaths } = await overdueKillSwitchFindings(source, 'orders', ['production'], new Date());
 */
export async function overdueKillSwitchFindings(
  source: KillSwitchDriftSource,
  service: string,
  environments: readonly string[],
  now: Date,
): Promise<{ findings: DetectedFinding[]; checkedPaths: string[] }> {
  const findings: DetectedFinding[] = [];
  const checkedPaths: string[] = [];
  for (const environment of environments) {
    const destination = killSwitchDestination(source.targets, service, environment);
    if (!destination) continue;
    const subject = killSwitchSubject(environment, service);
    let deployed;
    try {
      deployed = await readDeployedSwitches(source.reader, destination);
    } catch (error) {
      findings.push({
        kind: 'read-error',
        parameter: subject,
        environment,
        service,
        detail: `The kill switches deployed to ${environment} could not be read: ${(error as Error).message}`,
      });
      continue;
    }
    checkedPaths.push(subject);
    for (const overdue of deployed.document ? overdueSwitches(deployed.document, now) : []) {
      findings.push({
        kind: 'kill-switch-overdue',
        parameter: killSwitchSubject(environment, service, overdue.switchName),
        environment,
        service,
        key: overdue.switchName,
        detail:
          `The kill switch ${overdue.switchName} of ${service} is still on in ${environment} after its until ` +
          `(${overdue.until}); flipped by ${overdue.flippedBy ?? 'an unknown actor'}` +
          `${overdue.reason ? ` because: ${overdue.reason}` : ''}. Turn it off ` +
          `(steward kill ${service} ${overdue.switchName} --env ${environment} --off --reason "…") or flip it again with a later --until.`,
      });
    }
  }
  return { findings, checkedPaths };
}
