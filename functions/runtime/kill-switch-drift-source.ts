/**
 * The drift job's reader of the kill switches' environments, whose AppConfig client is loaded on first
 * use (a lazy chunk: only service units with switches read it). The switches' ids come from
 * runtime/stack-targets.ts.
 */
import { onceUntilFailure } from '../adapters/once-until-failure.ts';
import type { KillSwitchDriftSource } from '../core/drift/kill-switch-overdue.ts';
import { lazyAppConfigClient } from './lazy-appconfig-client.ts';

/**
 * @example
 * const reader = killSwitchDriftReader();
 * const killSwitches = targets ? { targets, reader } : undefined;
 */
export function killSwitchDriftReader(): KillSwitchDriftSource['reader'] {
  const delivery = onceUntilFailure(async () => {
    const [client, { AppConfigKillSwitchStore }] = await Promise.all([
      lazyAppConfigClient(),
      import('../adapters/appconfig-kill-switch-store.ts'),
    ]);
    return new AppConfigKillSwitchStore(client);
  });
  return {
    servedDeployment: async (target) => (await delivery()).servedDeployment(target),
    hostedContent: async (version) => (await delivery()).hostedContent(version),
  };
}
