/**
 * The drift job's view of the kill switches: the stack's ids (`STEWARD_KILL_SWITCHES`, parsed at cold
 * start so a malformed value is named there) and a reader whose AppConfig client is loaded on first
 * use (a lazy chunk: only service units with switches read it).
 */
import { onceUntilFailure } from '../adapters/once-until-failure.ts';
import type { KillSwitchDriftSource } from '../core/drift/kill-switch-overdue.ts';
import { parseKillSwitchTargets } from '../core/flags/kill-switch-targets.ts';
import { lazyAppConfigClient } from './lazy-appconfig-client.ts';

/**
 * @example
 * const killSwitches = killSwitchDriftSource(settings.STEWARD_KILL_SWITCHES); // undefined without the variable
 */
export function killSwitchDriftSource(targets: string | undefined): KillSwitchDriftSource | undefined {
  if (targets === undefined) return undefined;
  const delivery = onceUntilFailure(async () => {
    const [client, { AppConfigKillSwitchStore }] = await Promise.all([
      lazyAppConfigClient(),
      import('../adapters/appconfig-kill-switch-store.ts'),
    ]);
    return new AppConfigKillSwitchStore(client);
  });
  return {
    targets: parseKillSwitchTargets(targets),
    reader: {
      servedDeployment: async (target) => (await delivery()).servedDeployment(target),
      hostedContent: async (version) => (await delivery()).hostedContent(version),
    },
  };
}
