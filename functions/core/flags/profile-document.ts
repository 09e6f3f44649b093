/**
 * The flags profile document of one service in one environment, built from `config/`: what the
 * delivery hosts and deploys (and the stack hashes to tell the reconcile which changed), what
 * `steward plan` shows and what the nightly drift run compares each environment's deployed version
 * with. One builder for all, so a change to what the profile holds (kill switches moving to a
 * profile of their own, say) changes the deployment and the comparison together.
 */
import type { ServiceDefinition } from '../model.ts';
import { toAppConfigFlags } from './appconfig-format.ts';
import type { AppConfigFlagsDocument } from './flag-document-schema.ts';
import { flagsWithoutKillSwitches } from './kill-switches.ts';

/**
 * @throws ConfigurationError when a flag cannot be expressed in AppConfig's format
 * @example
 * const document = serviceFlagsDocument(registry.service('orders'), 'production');
 */
export function serviceFlagsDocument(
  service: Pick<ServiceDefinition, 'flags'> | undefined,
  environment: string,
): AppConfigFlagsDocument {
  // Kill switches ship in their own profile and environment (lib/constructs/kill-switches.ts).
  return toAppConfigFlags(flagsWithoutKillSwitches(service?.flags), environment);
}
