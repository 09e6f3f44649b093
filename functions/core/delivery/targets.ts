/**
 * Where each service's configuration is delivered: the AppConfig ids in `STEWARD_APPCONFIG`, parsed by
 * `core/flags/appconfig-targets.ts` (one parser for the variable). Delivery treats an absent variable
 * as "nothing to deliver to", so the validator also runs where AppConfig is not set up.
 */
import {
  type AppConfigTargets,
  parseAppConfigTargets as parseRequiredTargets,
} from '../flags/appconfig-targets.ts';

export type { AppConfigTargets } from '../flags/appconfig-targets.ts';
export type ServiceTarget = AppConfigTargets[string];

/**
 * Parse `STEWARD_APPCONFIG`; absent or empty means no delivery is configured (an empty map).
 *
 * @example
 * const targets = parseAppConfigTargets(process.env.STEWARD_APPCONFIG);
 */
export function parseAppConfigTargets(text: string | undefined): AppConfigTargets {
  return text === undefined || text.trim() === '' ? {} : parseRequiredTargets(text);
}

/** The service whose AppConfig application has this id. */
export function serviceOfApplication(
  targets: AppConfigTargets,
  applicationId: string,
): { service: string; target: ServiceTarget } | undefined {
  const found = Object.entries(targets).find(([, target]) => target.applicationId === applicationId);
  return found ? { service: found[0], target: found[1] } : undefined;
}
