/**
 * Finds one service's kill-switch ids by the names the stack gives them, for `steward kill` run
 * without `STEWARD_KILL_SWITCHES`: the application `<prefix><service>`, its profile `kill-switches`,
 * its environment `<environment>-kill-switches` and the strategy `<prefix>steward-kill-switch`.
 * What is not found is left out, so the core names what is missing.
 */
import {
  type AppConfigClient,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListDeploymentStrategiesCommand,
  ListEnvironmentsCommand,
} from '@aws-sdk/client-appconfig';
import type { KillSwitchTargets } from '../core/flags/kill-switch-targets.ts';
import {
  KILL_SWITCH_STRATEGY_NAME,
  KILL_SWITCHES_PROFILE_NAME,
  killSwitchEnvironmentName,
} from '../core/names.ts';
import { ConfigDeliveryError } from '../ports/config-delivery.errors.ts';

interface Named {
  readonly Name?: string;
  readonly Id?: string;
}

/** Every page of a listing, until the named item is found. */
async function findByName(
  name: string,
  page: (token: string | undefined) => Promise<{ Items?: Named[]; NextToken?: string }>,
): Promise<string | undefined> {
  let token: string | undefined;
  do {
    const result = await page(token);
    const found = result.Items?.find((item) => item.Name === name && item.Id);
    if (found) return found.Id;
    token = result.NextToken;
  } while (token);
  return undefined;
}

/**
 * @example
 * const targets = await resolveKillSwitchTargets(new AppConfigClient({}), 'orders', 'production');
 */
export async function resolveKillSwitchTargets(
  client: AppConfigClient,
  service: string,
  environment: string,
  namePrefix = '',
): Promise<KillSwitchTargets> {
  const call = async <T>(operation: string, send: () => Promise<T>): Promise<T> => {
    try {
      return await send();
    } catch (error) {
      throw new ConfigDeliveryError(
        `${operation} failed while looking up the kill switches of ${namePrefix}${service}: ${(error as Error).name ?? 'Error'}`,
        operation,
        { cause: error },
      );
    }
  };
  const [applicationId, deploymentStrategyId] = await Promise.all([
    findByName(`${namePrefix}${service}`, (token) =>
      call('ListApplications', () =>
        client.send(new ListApplicationsCommand({ MaxResults: 50, NextToken: token })),
      ),
    ),
    findByName(`${namePrefix}${KILL_SWITCH_STRATEGY_NAME}`, (token) =>
      call('ListDeploymentStrategies', () =>
        client.send(new ListDeploymentStrategiesCommand({ MaxResults: 50, NextToken: token })),
      ),
    ),
  ]);
  if (!applicationId || !deploymentStrategyId) {
    return { deploymentStrategyId: deploymentStrategyId ?? '', services: {} };
  }
  const [profileId, environmentId] = await Promise.all([
    findByName(KILL_SWITCHES_PROFILE_NAME, (token) =>
      call('ListConfigurationProfiles', () =>
        client.send(
          new ListConfigurationProfilesCommand({
            ApplicationId: applicationId,
            MaxResults: 50,
            NextToken: token,
          }),
        ),
      ),
    ),
    findByName(killSwitchEnvironmentName(environment), (token) =>
      call('ListEnvironments', () =>
        client.send(
          new ListEnvironmentsCommand({ ApplicationId: applicationId, MaxResults: 50, NextToken: token }),
        ),
      ),
    ),
  ]);
  if (!profileId || !environmentId) return { deploymentStrategyId, services: {} };
  return {
    deploymentStrategyId,
    services: { [service]: { applicationId, profileId, environments: { [environment]: environmentId } } },
  };
}
