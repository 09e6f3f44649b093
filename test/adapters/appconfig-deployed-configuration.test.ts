import {
  AppConfigClient,
  AppConfigServiceException,
  GetHostedConfigurationVersionCommand,
  type GetHostedConfigurationVersionCommandOutput,
  ListDeploymentsCommand,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppConfigDeployedConfiguration } from '../../functions/adapters/appconfig-deployed-configuration.ts';
import {
  DeployedConfigurationAccessDeniedError,
  DeployedConfigurationError,
} from '../../functions/ports/deployed-configuration.errors.ts';

const appconfig = mockClient(AppConfigClient);
const target = { applicationId: 'app1', environmentId: 'env1', configurationProfileId: 'doc1' };
const bytes = (text: string) =>
  new TextEncoder().encode(text) as unknown as GetHostedConfigurationVersionCommandOutput['Content'];

function serviceError(name: string): AppConfigServiceException {
  return new AppConfigServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: name,
  });
}

describe('Class: AppConfigDeployedConfiguration', () => {
  beforeEach(() => {
    appconfig.reset();
  });

  it('lists the environment newest first and reads the shipped version of the profile', async () => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).resolves({
      Items: [
        {
          DeploymentNumber: 9,
          ConfigurationProfileId: 'flags1',
          ConfigurationVersion: '4',
          State: 'COMPLETE',
        },
        {
          DeploymentNumber: 8,
          ConfigurationProfileId: 'doc1',
          ConfigurationVersion: '7',
          State: 'ROLLED_BACK',
        },
        {
          DeploymentNumber: 7,
          ConfigurationProfileId: 'doc1',
          ConfigurationVersion: '6',
          VersionLabel: 'staging-abcd1234',
          State: 'COMPLETE',
        },
      ],
    });
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: bytes('{"max-retries":3}') });
    const reader = new AppConfigDeployedConfiguration(new AppConfigClient({}));

    // Act
    const deployed = await reader.deployed(target);

    // Assess
    expect(appconfig).toReceiveCommandWith(ListDeploymentsCommand, {
      ApplicationId: 'app1',
      EnvironmentId: 'env1',
      MaxResults: 50,
    });
    expect(appconfig).toReceiveCommandWith(GetHostedConfigurationVersionCommand, {
      ApplicationId: 'app1',
      ConfigurationProfileId: 'doc1',
      VersionNumber: 6,
    });
    expect(deployed).toEqual({
      deploymentNumber: 7,
      state: 'COMPLETE',
      configurationVersion: '6',
      versionLabel: 'staging-abcd1234',
      content: '{"max-retries":3}',
    });
  });

  it('follows NextToken and reads no content when no deployment ships the profile', async () => {
    // Prepare
    appconfig
      .on(ListDeploymentsCommand, { NextToken: undefined })
      .resolves({ Items: [], NextToken: 'page-2' })
      .on(ListDeploymentsCommand, { NextToken: 'page-2' })
      .resolves({ Items: [{ DeploymentNumber: 1, ConfigurationProfileId: 'doc1', State: 'ROLLED_BACK' }] });
    const reader = new AppConfigDeployedConfiguration(new AppConfigClient({}));

    // Act
    const deployed = await reader.deployed(target);

    // Assess
    expect(deployed).toBeUndefined();
    expect(appconfig).toReceiveCommandTimes(ListDeploymentsCommand, 2);
    expect(appconfig).not.toReceiveCommand(GetHostedConfigurationVersionCommand);
  });

  it('lists an environment once for both profiles: the pages read for one serve the other', async () => {
    // Prepare: the flags deployment is on the first page, the document's on the second.
    const complete = (DeploymentNumber: number, ConfigurationProfileId: string) => ({
      DeploymentNumber,
      ConfigurationProfileId,
      ConfigurationVersion: String(DeploymentNumber + 4),
      State: 'COMPLETE' as const,
    });
    appconfig
      .on(ListDeploymentsCommand, { NextToken: undefined })
      .resolves({ Items: [complete(2, 'flags1')], NextToken: 'page-2' })
      .on(ListDeploymentsCommand, { NextToken: 'page-2' })
      .resolves({ Items: [complete(1, 'doc1')] });
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: bytes('{}') });
    const reader = new AppConfigDeployedConfiguration(new AppConfigClient({}));

    // Act
    const document = await reader.deployed(target);
    const flags = await reader.deployed({ ...target, configurationProfileId: 'flags1' });
    const missing = await reader.deployed({ ...target, configurationProfileId: 'other1' });

    // Assess
    expect(document?.deploymentNumber).toBe(1);
    expect(flags?.deploymentNumber).toBe(2);
    expect(missing).toBeUndefined();
    expect(appconfig).toReceiveCommandTimes(ListDeploymentsCommand, 2);
    expect(appconfig).toReceiveCommandTimes(GetHostedConfigurationVersionCommand, 2);
  });

  it('takes the deployment rolling out over the served one, and passes over a reverted one for the one before', async () => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).resolves({
      Items: [
        {
          DeploymentNumber: 6,
          ConfigurationProfileId: 'doc1',
          ConfigurationVersion: '9',
          State: 'DEPLOYING',
        },
        { DeploymentNumber: 5, ConfigurationProfileId: 'doc1', ConfigurationVersion: '8', State: 'COMPLETE' },
        {
          DeploymentNumber: 4,
          ConfigurationProfileId: 'flags1',
          ConfigurationVersion: '3',
          State: 'REVERTED',
        },
        { DeploymentNumber: 3, ConfigurationProfileId: 'flags1', ConfigurationVersion: '2', State: 'BAKING' },
      ],
    });
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: bytes('{}') });
    const reader = new AppConfigDeployedConfiguration(new AppConfigClient({}));

    // Act
    const document = await reader.deployed(target);
    const flags = await reader.deployed({ ...target, configurationProfileId: 'flags1' });

    // Assess
    expect(document).toMatchObject({ deploymentNumber: 6, state: 'DEPLOYING', configurationVersion: '9' });
    expect(flags).toMatchObject({ deploymentNumber: 3, state: 'BAKING', configurationVersion: '2' });
  });

  it('retries a throttled ListDeployments with backoff before it fails the plan', async () => {
    // Prepare
    const sleeps: number[] = [];
    appconfig
      .on(ListDeploymentsCommand)
      .rejectsOnce(serviceError('ThrottlingException'))
      .resolves({ Items: [] });
    const reader = new AppConfigDeployedConfiguration(new AppConfigClient({}), {
      sleep: async (ms) => void sleeps.push(ms),
    });

    // Act
    const deployed = await reader.deployed(target);

    // Assess
    expect(deployed).toBeUndefined();
    expect(sleeps).toEqual([200]);
    expect(appconfig).toReceiveCommandTimes(ListDeploymentsCommand, 2);
  });

  it('turns AccessDeniedException into an access-denied error naming the call and the environment', async () => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).rejects(serviceError('AccessDeniedException'));
    const reader = new AppConfigDeployedConfiguration(new AppConfigClient({}));

    // Act
    const act = reader.deployed(target);

    // Assess
    await expect(act).rejects.toBeInstanceOf(DeployedConfigurationAccessDeniedError);
    await expect(reader.deployed(target)).rejects.toThrow(
      'ListDeployments on environment env1 of application app1 failed: AccessDeniedException',
    );
  });

  it('turns any other failure into a DeployedConfigurationError naming the version it read', async () => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).resolves({
      Items: [
        { DeploymentNumber: 2, ConfigurationProfileId: 'doc1', ConfigurationVersion: '3', State: 'COMPLETE' },
      ],
    });
    appconfig.on(GetHostedConfigurationVersionCommand).rejects(serviceError('InternalServerException'));
    const reader = new AppConfigDeployedConfiguration(new AppConfigClient({}));

    // Act
    const act = reader.deployed(target);

    // Assess
    await expect(act).rejects.toThrow(DeployedConfigurationError);
    await expect(reader.deployed(target)).rejects.toThrow(
      'GetHostedConfigurationVersion on version 3 of profile doc1 of application app1 failed',
    );
  });
});
