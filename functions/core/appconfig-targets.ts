/**
 * Where each service's configuration lives in AppConfig: the ids the config-delivery construct creates
 * and writes into `STEWARD_APPCONFIG` (`{ [service]: { applicationId, documentProfileId, flagsProfileId,
 * environments: { [env]: { environmentId, deploymentStrategyId } } } }`). The one type and the one
 * parser of that variable, for the stack that writes it and every function that reads it.
 */
import * as z from 'zod/mini';
import type { FlagProfileRef } from '../ports/flag-source.ts';
import { ConfigurationError } from './errors.ts';
import { parseJsonVariable } from './json-variable.ts';
import { APPCONFIG_TARGETS_ENV } from './names.ts';

/** The ids of one environment of one service's application. */
export interface EnvironmentTarget {
  readonly environmentId: string;
  readonly deploymentStrategyId: string;
}

/** The ids of one service's AppConfig resources (CDK tokens until deployment). */
export interface ServiceTarget {
  readonly applicationId: string;
  readonly documentProfileId: string;
  readonly flagsProfileId: string;
  readonly environments: Record<string, EnvironmentTarget>;
}

/** Every service's AppConfig ids, by service name. */
export type AppConfigTargets = Record<string, ServiceTarget>;

const id = z.string().check(z.minLength(1));

/** The schema of {@link AppConfigTargets}, also of one chunk of them (core/target-chunks.ts). */
export const appConfigTargetsSchema = z.record(
  z.string(),
  z.object({
    applicationId: id,
    documentProfileId: id,
    flagsProfileId: id,
    environments: z.record(z.string(), z.object({ environmentId: id, deploymentStrategyId: id })),
  }),
);

export interface ParseAppConfigTargetsOptions {
  /**
   * What an absent or empty variable means: `fail` for a function that cannot work without AppConfig
   * (the flag-expiry job), `empty` for one that also runs where AppConfig is not set up (delivery and
   * the AppConfig validator: nothing to deliver to, AppConfig's own names to locate profiles by).
   * @default 'fail'
   */
  readonly whenAbsent?: 'fail' | 'empty';
}

/**
 * Parse the JSON text of `STEWARD_APPCONFIG`; a missing or malformed value is named, never echoed.
 *
 * @example
 * const targets = parseAppConfigTargets(process.env.STEWARD_APPCONFIG);
 * const maybeNone = parseAppConfigTargets(process.env.STEWARD_APPCONFIG, { whenAbsent: 'empty' });
 */
export function parseAppConfigTargets(
  text: string | undefined,
  options: ParseAppConfigTargetsOptions = {},
): AppConfigTargets {
  if (text === undefined || text.trim() === '') {
    if (options.whenAbsent === 'empty') return {};
    throw new ConfigurationError(`${APPCONFIG_TARGETS_ENV} is not set`);
  }
  return parseJsonVariable(APPCONFIG_TARGETS_ENV, text, appConfigTargetsSchema);
}

/**
 * The flag profile of every service, in a stable order.
 *
 * @example
 * const refs = flagProfileRefs(parseAppConfigTargets(process.env.STEWARD_APPCONFIG));
 */
export function flagProfileRefs(targets: AppConfigTargets): FlagProfileRef[] {
  return Object.entries(targets)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, target]) => ({
      service,
      applicationId: target.applicationId,
      flagsProfileId: target.flagsProfileId,
      environmentIds: Object.values(target.environments).map((e) => e.environmentId),
    }));
}

/**
 * The service whose AppConfig application has this id.
 *
 * @example
 * const found = serviceOfApplication(targets, event.applicationId); // { service: 'orders', target } | undefined
 */
export function serviceOfApplication(
  targets: AppConfigTargets,
  applicationId: string,
): { service: string; target: ServiceTarget } | undefined {
  const found = Object.entries(targets).find(([, target]) => target.applicationId === applicationId);
  return found ? { service: found[0], target: found[1] } : undefined;
}
