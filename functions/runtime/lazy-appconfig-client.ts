/**
 * The AppConfig client of a function's lazy readers (the drift job's served flags and its kill
 * switches), loaded on first use: the SDK client is a lazy chunk, and the readers share one client
 * and its connections instead of building one each.
 */
import type { AppConfigClient } from '@aws-sdk/client-appconfig';
import { onceUntilFailure } from '../adapters/once-until-failure.ts';

/**
 * @example
 * const store = new AppConfigKillSwitchStore(await lazyAppConfigClient());
 */
export const lazyAppConfigClient = onceUntilFailure(async (): Promise<AppConfigClient> => {
  const { AppConfigClient } = await import('@aws-sdk/client-appconfig');
  return new AppConfigClient({});
});
