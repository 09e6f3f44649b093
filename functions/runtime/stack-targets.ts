/**
 * The stack's AppConfig and kill-switch ids, for every handler that needs them: from `STEWARD_APPCONFIG`
 * and `STEWARD_KILL_SWITCHES` when set (JSON: `steward invoke`, tests), else read once per container
 * from the parameters under `STEWARD_APPCONFIG_TARGETS_PATH` (what the stack sets: the ids of a fleet
 * do not fit Lambda's 4 KB of environment variables). The JSON is parsed at once, so a malformed value
 * stops the cold start with its name; the parameters are read on first use, in a lazy chunk.
 */
import type { ParameterStore } from '../ports/parameter-store.ts';
import { onceUntilFailure } from '../adapters/once-until-failure.ts';
import { type AppConfigTargets, parseAppConfigTargets } from '../core/appconfig-targets.ts';
import { ConfigurationError } from '../core/errors.ts';
import { type KillSwitchTargets, parseKillSwitchTargets } from '../core/flags/kill-switch-targets.ts';
import { APPCONFIG_TARGETS_ENV, APPCONFIG_TARGETS_PATH_ENV } from '../core/names.ts';
import type { StackTargets } from '../core/target-chunks.ts';

/** The variables the ids come from (a function's parsed settings carry them). */
export interface StackTargetVariables {
  readonly STEWARD_APPCONFIG?: string;
  readonly STEWARD_KILL_SWITCHES?: string;
  readonly STEWARD_APPCONFIG_TARGETS_PATH?: string;
}

export interface StackTargetOptions {
  /**
   * Without the JSON or the path: `fail` (at once) for a function that cannot work without AppConfig
   * (the flag-expiry job), `empty` for one that also runs where AppConfig is not set up.
   * @default 'fail'
   */
  readonly whenAbsent?: 'fail' | 'empty';
  /**
   * The store to read the path with: the function's own, so the read takes its share of the read
   * budget. @default a Parameter Store client of its own, built on first use
   */
  readonly store?: () => Promise<Pick<ParameterStore, 'getByPath'>>;
}

/** The ids, each read on first use. */
export interface StackTargetSource {
  appConfig(): Promise<AppConfigTargets>;
  /** Undefined when no service has kill switches (or the function runs without their ids). */
  killSwitches(): Promise<KillSwitchTargets | undefined>;
}

/**
 * @example
 * const targets = stackTargets(settings, { whenAbsent: 'empty' });
 * const ids = await targets.appConfig();
 */
export function stackTargets(
  variables: StackTargetVariables,
  options: StackTargetOptions = {},
): StackTargetSource {
  const appConfigJson = variables.STEWARD_APPCONFIG?.trim() ? variables.STEWARD_APPCONFIG : undefined;
  const killSwitchesJson = variables.STEWARD_KILL_SWITCHES?.trim()
    ? variables.STEWARD_KILL_SWITCHES
    : undefined;
  const path = variables.STEWARD_APPCONFIG_TARGETS_PATH?.trim() || undefined;
  const appConfig = appConfigJson === undefined ? undefined : parseAppConfigTargets(appConfigJson);
  const killSwitches = killSwitchesJson === undefined ? undefined : parseKillSwitchTargets(killSwitchesJson);
  if (appConfig === undefined && path === undefined && options.whenAbsent !== 'empty') {
    throw new ConfigurationError(`${APPCONFIG_TARGETS_ENV} is not set, nor ${APPCONFIG_TARGETS_PATH_ENV}`);
  }
  const fromPath = onceUntilFailure(async (): Promise<StackTargets | undefined> => {
    if (path === undefined) return undefined;
    const { readStackTargets } = await import('./stack-targets-from-parameters.ts');
    return readStackTargets(path, options.store);
  });
  return {
    appConfig: async () => appConfig ?? (await fromPath())?.appConfig ?? {},
    killSwitches: async () => killSwitches ?? (await fromPath())?.killSwitches,
  };
}
