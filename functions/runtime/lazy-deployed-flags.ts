/**
 * The drift run's reader of the flags each environment serves, loaded on first use: the AppConfig
 * client and adapter are a lazy chunk, so they stay out of the drift step's cold start (flag units
 * come last in a run, and a run without AppConfig targets never loads them).
 */
import { onceUntilFailure } from '../adapters/once-until-failure.ts';
import type { DeployedFlagSource } from '../ports/flag-source.ts';
import { lazyAppConfigClient } from './lazy-appconfig-client.ts';

/**
 * @example
 * const flags = { source: lazyDeployedFlagSource(), targets: parseAppConfigTargets(settings.STEWARD_APPCONFIG) };
 */
export function lazyDeployedFlagSource(): DeployedFlagSource {
  const load = onceUntilFailure(async () => {
    const [client, { AppConfigDeployedFlagSource }] = await Promise.all([
      lazyAppConfigClient(),
      import('../adapters/appconfig-deployed-flag-source.ts'),
    ]);
    return new AppConfigDeployedFlagSource(client);
  });
  return { deployed: async (ref, environment) => (await load()).deployed(ref, environment) };
}
