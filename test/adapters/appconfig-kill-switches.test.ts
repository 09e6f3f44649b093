import {
  AppConfigClient,
  GetHostedConfigurationVersionCommand,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListDeploymentsCommand,
  ListDeploymentStrategiesCommand,
  ListEnvironmentsCommand,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppConfigKillSwitchStore } from '../../functions/adapters/appconfig-kill-switch-store.ts';
import { resolveKillSwitchTargets } from '../../functions/adapters/appconfig-kill-switch-targets.ts';
import {
  ConfigDeliveryAccessDeniedError,
  ConfigDeliveryError,
} from '../../functions/ports/config-delivery.errors.ts';

const appConfig = mockClient(AppConfigClient);
const client = new AppConfigClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const error = (name: string) => Object.assign(new Error(name), { name, $metadata: {} });

describe('Class: AppConfigKillSwitchStore (what a kill-switch flip reads)', () => {
  beforeEach(() => appConfig.reset());

  it('reads a hosted version back with GetHostedConfigurationVersion', async () => {
    // Prepare
    appConfig
      .on(GetHostedConfigurationVersionCommand, {
        ApplicationId: 'app-orders',
        ConfigurationProfileId: 'ks-profile',
        VersionNumber: 3,
      })
      .resolves({ Content: new TextEncoder().encode('{"version":"1"}') as never });

    // Act
    const content = await new AppConfigKillSwitchStore(client).hostedContent({
      applicationId: 'app-orders',
      configurationProfileId: 'ks-profile',
      versionNumber: '3',
    });

    // Assess
    expect(content).toBe('{"version":"1"}');
    expect(appConfig).toReceiveCommandTimes(GetHostedConfigurationVersionCommand, 1);
  });

  it('translates a refused read, naming the version, never the content', async () => {
    // Prepare
    appConfig.on(GetHostedConfigurationVersionCommand).rejects(error('AccessDeniedException'));

    // Act
    const read = new AppConfigKillSwitchStore(client).hostedContent({
      applicationId: 'app-orders',
      configurationProfileId: 'ks-profile',
      versionNumber: '3',
    });

    // Assess
    await expect(read).rejects.toThrow(ConfigDeliveryAccessDeniedError);
    await expect(read).rejects.toThrow(/GetHostedConfigurationVersion on version 3 of profile ks-profile/);
  });

  it('names the version the newest deployment of a profile shipped', async () => {
    // Prepare
    appConfig.on(ListDeploymentsCommand).resolves({
      Items: [
        {
          DeploymentNumber: 4,
          ConfigurationProfileId: 'other',
          ConfigurationVersion: '9',
          State: 'COMPLETE',
        },
        {
          DeploymentNumber: 3,
          ConfigurationProfileId: 'ks-profile',
          ConfigurationVersion: '7',
          State: 'COMPLETE',
        },
      ],
    } as never);

    // Act
    const state = await new AppConfigKillSwitchStore(client).environmentState({
      applicationId: 'app-orders',
      environmentId: 'ks-env',
      configurationProfileId: 'ks-profile',
    });

    // Assess
    expect(state.latest).toMatchObject({ deploymentNumber: 3, configurationVersion: '7' });
    expect(state.runningDeploymentNumber).toBeUndefined();
  });
});

describe('Function: resolveKillSwitchTargets', () => {
  beforeEach(() => {
    appConfig.reset();
    appConfig
      .on(ListApplicationsCommand)
      .resolvesOnce({ Items: [{ Name: 'payments', Id: 'app-payments' }], NextToken: 'page-2' })
      .resolves({ Items: [{ Name: 'acme-orders', Id: 'app-orders' }] });
    appConfig
      .on(ListDeploymentStrategiesCommand)
      .resolves({ Items: [{ Name: 'acme-steward-kill-switch', Id: 'ks-strategy' }] });
    appConfig.on(ListConfigurationProfilesCommand, { ApplicationId: 'app-orders' }).resolves({
      Items: [
        { Name: 'flags', Id: 'flags-profile' },
        { Name: 'kill-switches', Id: 'ks-profile' },
      ],
    });
    appConfig.on(ListEnvironmentsCommand, { ApplicationId: 'app-orders' }).resolves({
      Items: [
        { Name: 'production', Id: 'doc-env' },
        { Name: 'production-kill-switches', Id: 'ks-env' },
      ],
    });
  });

  it('finds the application, profile, environment and strategy by the names the stack gives them', async () => {
    // Act
    const targets = await resolveKillSwitchTargets(client, 'orders', 'production', 'acme-');

    // Assess
    expect(targets).toEqual({
      deploymentStrategyId: 'ks-strategy',
      services: {
        orders: {
          applicationId: 'app-orders',
          profileId: 'ks-profile',
          environments: { production: 'ks-env' },
        },
      },
    });
    expect(appConfig).toReceiveCommandWith(ListApplicationsCommand, { NextToken: 'page-2' });
  });

  it('leaves out a service whose kill-switch environment does not exist', async () => {
    // Act
    const targets = await resolveKillSwitchTargets(client, 'orders', 'staging', 'acme-');

    // Assess
    expect(targets.services).toEqual({});
  });

  it('names the listing that failed', async () => {
    // Prepare
    appConfig.on(ListDeploymentStrategiesCommand).rejects(error('AccessDeniedException'));

    // Act
    const resolving = resolveKillSwitchTargets(client, 'orders', 'production', 'acme-');

    // Assess
    await expect(resolving).rejects.toThrow(ConfigDeliveryError);
    await expect(resolving).rejects.toThrow(
      /ListDeploymentStrategies failed .* acme-orders: AccessDeniedException/,
    );
  });
});
