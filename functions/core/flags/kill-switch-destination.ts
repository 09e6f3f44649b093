/**
 * Where one service's kill switches live in one environment, looked up in the targets. Apart from
 * the targets' parser so that the drift job's lazy kill-switch check does not carry its schema.
 */
import type { KillSwitchTargets } from './kill-switch-targets.ts';

/** The ids of one flip's destination. */
export interface KillSwitchDestination {
  readonly service: string;
  readonly environment: string;
  readonly applicationId: string;
  readonly profileId: string;
  readonly environmentId: string;
  readonly deploymentStrategyId: string;
}

/**
 * The destination of a flip of `service` in `environment`; undefined when the targets hold neither.
 *
 * @example
 * killSwitchDestination(targets, 'orders', 'production'); // { applicationId, profileId, environmentId, ... }
 */
export function killSwitchDestination(
  targets: KillSwitchTargets,
  service: string,
  environment: string,
): KillSwitchDestination | undefined {
  const target = Object.hasOwn(targets.services, service) ? targets.services[service] : undefined;
  if (!target || !Object.hasOwn(target.environments, environment)) return undefined;
  const environmentId = target.environments[environment] as string;
  return {
    service,
    environment,
    applicationId: target.applicationId,
    profileId: target.profileId,
    environmentId,
    deploymentStrategyId: targets.deploymentStrategyId,
  };
}
