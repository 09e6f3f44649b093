/**
 * `STEWARD_APPCONFIG`: the AppConfig ids of every service, as the config-delivery construct writes
 * them (`{ [service]: { applicationId, documentProfileId, flagsProfileId, environments: { [env]:
 * { environmentId, deploymentStrategyId } } } }`). Functions that deploy or read AppConfig parse it here.
 */
import * as z from 'zod/mini';
import type { FlagProfileRef } from '../../ports/flag-source.ts';
import { ConfigurationError } from '../errors.ts';

const id = z.string().check(z.minLength(1));

export const appConfigTargetsSchema = z.record(
  z.string(),
  z.object({
    applicationId: id,
    documentProfileId: id,
    flagsProfileId: id,
    environments: z.record(z.string(), z.object({ environmentId: id, deploymentStrategyId: id })),
  }),
);

export type AppConfigTargets = z.output<typeof appConfigTargetsSchema>;

/**
 * Parse the JSON text of `STEWARD_APPCONFIG`; a missing or malformed value is named, never echoed.
 *
 * @example
 * const targets = parseAppConfigTargets(process.env.STEWARD_APPCONFIG);
 */
export function parseAppConfigTargets(text: string | undefined): AppConfigTargets {
  if (!text) throw new ConfigurationError('STEWARD_APPCONFIG is not set');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigurationError('STEWARD_APPCONFIG is not JSON');
  }
  const parsed = appConfigTargetsSchema.safeParse(json);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(root)');
    throw new ConfigurationError(`STEWARD_APPCONFIG: malformed at ${[...new Set(paths)].join(', ')}`);
  }
  return parsed.data;
}

/** The flag profile of every service, in a stable order. */
export function flagProfileRefs(targets: AppConfigTargets): FlagProfileRef[] {
  return Object.entries(targets)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([service, target]) => ({
      service,
      applicationId: target.applicationId,
      flagsProfileId: target.flagsProfileId,
    }));
}
