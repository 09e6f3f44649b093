/**
 * Where each service's kill switches live in AppConfig: the ids the kill-switch construct creates,
 * carried as `STEWARD_KILL_SWITCHES` (`{ deploymentStrategyId, services: { [service]: { applicationId,
 * profileId, environments: { [env]: environmentId } } } }`), the stack output `KillSwitchTargets`.
 * The one type and parser of that text, for the stack, `steward kill` and the drift job.
 */
import * as z from 'zod/mini';
import { parseJsonVariable } from '../json-variable.ts';
import { KILL_SWITCH_TARGETS_ENV } from '../names.ts';

/** One service's kill-switch profile and its environment per Steward environment. */
export interface ServiceKillSwitchTarget {
  readonly applicationId: string;
  readonly profileId: string;
  /** The kill-switch environment's id, by Steward environment name. */
  readonly environments: Readonly<Record<string, string>>;
}

export interface KillSwitchTargets {
  /** The all-at-once, zero-bake strategy every flip deploys with. */
  readonly deploymentStrategyId: string;
  readonly services: Readonly<Record<string, ServiceKillSwitchTarget>>;
}

const id = z.string().check(z.minLength(1));
/** The schema of {@link KillSwitchTargets}, also of one chunk of them (core/target-chunks.ts). */
export const killSwitchTargetsSchema = z.object({
  deploymentStrategyId: id,
  services: z.record(
    z.string(),
    z.object({ applicationId: id, profileId: id, environments: z.record(z.string(), id) }),
  ),
});

/**
 * Parse `STEWARD_KILL_SWITCHES`; a malformed value is named, never echoed.
 *
 * @example
 * const targets = parseKillSwitchTargets(process.env.STEWARD_KILL_SWITCHES);
 */
export function parseKillSwitchTargets(text: string): KillSwitchTargets {
  return parseJsonVariable(KILL_SWITCH_TARGETS_ENV, text, killSwitchTargetsSchema);
}
