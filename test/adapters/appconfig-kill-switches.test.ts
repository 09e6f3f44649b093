import {
  AppConfigClient,
  GetDeploymentCommand,
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
  ConfigDeliveryThrottledError,
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

describe('Class: AppConfigKillSwitchStore (the switches a flip builds on)', () => {
  const target = {
    applicationId: 'app-orders',
    environmentId: 'ks-env',
    configurationProfileId: 'ks-profile',
  };
  const noSleep = { sleep: async () => {} };

  beforeEach(() => appConfig.reset());

  it('names the served deployment on page 2, passing over the newest that was rolled back', async () => {
    // Prepare
    appConfig
      .on(ListDeploymentsCommand, { ApplicationId: 'app-orders', EnvironmentId: 'ks-env', MaxResults: 50 })
      .resolves({
        Items: [
          {
            DeploymentNumber: 5,
            ConfigurationProfileId: 'ks-profile',
            ConfigurationVersion: '8',
            State: 'ROLLED_BACK',
          },
        ],
        NextToken: 'page-2',
      } as never);
    appConfig.on(ListDeploymentsCommand, { NextToken: 'page-2' }).resolves({
      Items: [
        {
          DeploymentNumber: 4,
          ConfigurationProfileId: 'ks-profile',
          ConfigurationVersion: '7',
          State: 'COMPLETE',
        },
      ],
    } as never);

    // Act
    const deployment = await new AppConfigKillSwitchStore(client, noSleep).servedDeployment(target);

    // Assess
    expect(deployment).toEqual({
      served: { deploymentNumber: 4, configurationVersion: '7', state: 'COMPLETE' },
      passedOver: [{ deploymentNumber: 5, configurationVersion: '8', state: 'ROLLED_BACK' }],
    });
    expect(appConfig).toHaveReceivedNthCommandWith(ListDeploymentsCommand, 2, {
      ApplicationId: 'app-orders',
      EnvironmentId: 'ks-env',
      MaxResults: 50,
      NextToken: 'page-2',
    });
  });

  it('confirms a summary that names the kill-switch profile only with GetDeployment', async () => {
    // Prepare
    appConfig.on(ListDeploymentsCommand).resolves({
      Items: [
        { DeploymentNumber: 3, ConfigurationName: 'flags', ConfigurationVersion: '2', State: 'COMPLETE' },
        {
          DeploymentNumber: 2,
          ConfigurationName: 'kill-switches',
          ConfigurationVersion: '6',
          State: 'COMPLETE',
        },
      ],
    } as never);
    appConfig
      .on(GetDeploymentCommand, { ApplicationId: 'app-orders', EnvironmentId: 'ks-env', DeploymentNumber: 2 })
      .resolves({ ConfigurationProfileId: 'ks-profile', ConfigurationVersion: '6' });

    // Act
    const deployment = await new AppConfigKillSwitchStore(client, noSleep).servedDeployment(target);

    // Assess
    expect(deployment.served).toMatchObject({ deploymentNumber: 2, configurationVersion: '6' });
    expect(appConfig).toReceiveCommandTimes(GetDeploymentCommand, 1);
  });

  it.each([
    ['AccessDeniedException', ConfigDeliveryAccessDeniedError],
    ['ThrottlingException', ConfigDeliveryThrottledError],
    ['ResourceNotFoundException', ConfigDeliveryError],
  ])('translates %s from ListDeployments, naming the call and the environment', async (name, type) => {
    // Prepare
    appConfig.on(ListDeploymentsCommand).rejects(error(name));

    // Act
    const read = new AppConfigKillSwitchStore(client, noSleep).servedDeployment(target);

    // Assess
    await expect(read).rejects.toThrow(type);
    await expect(read).rejects.toThrow(
      `ListDeployments on environment ks-env of application app-orders failed: ${name}`,
    );
  });

  it('retries a throttled ListDeployments before it gives up', async () => {
    // Prepare
    appConfig
      .on(ListDeploymentsCommand)
      .rejectsOnce(error('ThrottlingException'))
      .resolves({ Items: [] } as never);

    // Act
    const deployment = await new AppConfigKillSwitchStore(client, noSleep).servedDeployment(target);

    // Assess
    expect(deployment).toEqual({ passedOver: [] });
    expect(appConfig).toReceiveCommandTimes(ListDeploymentsCommand, 2);
  });

  it('refuses a served deployment that names no hosted version number', async () => {
    // Prepare
    appConfig.on(ListDeploymentsCommand).resolves({
      Items: [{ DeploymentNumber: 2, ConfigurationProfileId: 'ks-profile', State: 'COMPLETE' }],
    } as never);

    // Act
    const read = new AppConfigKillSwitchStore(client, noSleep).servedDeployment(target);

    // Assess
    await expect(read).rejects.toThrow(ConfigDeliveryError);
    await expect(read).rejects.toThrow(
      /deployment 2 of the kill-switch profile names no hosted version number/,
    );
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
