import {
  AppConfigClient,
  AppConfigServiceException,
  GetDeploymentCommand,
  GetHostedConfigurationVersionCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppConfigDeployedFlagSource } from '../../functions/adapters/appconfig-deployed-flag-source.ts';
import type { FlagProfileRef } from '../../functions/ports/flag-source.ts';
import { bytes, encode, ordersReleaseDocument } from '../support/appconfig-content.ts';
import {
  FlagProfileNotFoundError,
  FlagSourceAccessDeniedError,
  FlagSourceError,
} from '../../functions/ports/flag-source.errors.ts';

const appconfig = mockClient(AppConfigClient);
const ref: FlagProfileRef = { service: 'orders', applicationId: 'abc1234', flagsProfileId: 'def5678' };
const document = ordersReleaseDocument;
const serviceError = (name: string) =>
  new AppConfigServiceException({ name, message: `${name} happened`, $fault: 'client', $metadata: {} });
const noSleep = async () => {};

describe('Class: AppConfigDeployedFlagSource', () => {
  const production = { name: 'production', environmentId: 'env9012' };

  beforeEach(() => {
    appconfig.reset();
  });

  it('walks ListDeployments pages to the last COMPLETE flags deployment and reads its version', async () => {
    // Prepare: page 1 holds a document deployment and a flags deployment still rolling out; page 2 the
    // complete one, deployment 7 of hosted version 3.
    appconfig
      .on(ListDeploymentsCommand, { ApplicationId: 'abc1234', EnvironmentId: 'env9012', MaxResults: 50 })
      .resolves({
        Items: [
          {
            DeploymentNumber: 9,
            ConfigurationName: 'document',
            ConfigurationVersion: '12',
            State: 'COMPLETE',
          },
          { DeploymentNumber: 8, ConfigurationName: 'flags', ConfigurationVersion: '4', State: 'DEPLOYING' },
        ],
        NextToken: 'page-2',
      });
    appconfig.on(ListDeploymentsCommand, { NextToken: 'page-2' }).resolves({
      Items: [
        { DeploymentNumber: 7, ConfigurationName: 'flags', ConfigurationVersion: '3', State: 'COMPLETE' },
      ],
    });
    appconfig
      .on(GetDeploymentCommand)
      .resolves({ DeploymentNumber: 7, ConfigurationProfileId: 'def5678', ConfigurationVersion: '3' });
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: encode(document) });
    const source = new AppConfigDeployedFlagSource(new AppConfigClient({}), { sleep: noSleep });

    // Act
    const served = await source.deployed(ref, production);

    // Assess
    expect(served).toEqual({
      status: 'deployed',
      deploymentNumber: 7,
      version: 3,
      document,
      skipped: [{ deploymentNumber: 8, version: '4', state: 'DEPLOYING' }],
    });
    expect(appconfig).toHaveReceivedCommandTimes(ListDeploymentsCommand, 2);
    expect(appconfig).toHaveReceivedNthCommandWith(ListDeploymentsCommand, 2, {
      ApplicationId: 'abc1234',
      EnvironmentId: 'env9012',
      MaxResults: 50,
      NextToken: 'page-2',
    });
    expect(appconfig).toHaveReceivedCommandTimes(GetDeploymentCommand, 1);
    expect(appconfig).toHaveReceivedCommandWith(GetDeploymentCommand, {
      ApplicationId: 'abc1234',
      EnvironmentId: 'env9012',
      DeploymentNumber: 7,
    });
    expect(appconfig).toHaveReceivedCommandWith(GetHostedConfigurationVersionCommand, {
      ApplicationId: 'abc1234',
      ConfigurationProfileId: 'def5678',
      VersionNumber: 3,
    });
  });

  it('takes the profile id from the summary when AppConfig gives it, without a GetDeployment call', async () => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).resolves({
      Items: [
        {
          DeploymentNumber: 6,
          ConfigurationProfileId: 'doc0001',
          ConfigurationName: 'document',
          ConfigurationVersion: '8',
          State: 'COMPLETE',
        },
        {
          DeploymentNumber: 5,
          ConfigurationProfileId: 'def5678',
          ConfigurationName: 'flags',
          ConfigurationVersion: '2',
          State: 'COMPLETE',
        },
      ],
    });
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: encode(document) });
    const source = new AppConfigDeployedFlagSource(new AppConfigClient({}), { sleep: noSleep });

    // Act
    const served = await source.deployed(ref, production);

    // Assess
    expect(served).toMatchObject({ status: 'deployed', deploymentNumber: 5, version: 2 });
    expect(appconfig).not.toHaveReceivedCommand(GetDeploymentCommand);
    expect(appconfig).toHaveReceivedCommandWith(GetHostedConfigurationVersionCommand, {
      ConfigurationProfileId: 'def5678',
      VersionNumber: 2,
    });
  });

  it('passes over a complete deployment of another profile that carries the same name', async () => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).resolves({
      Items: [
        { DeploymentNumber: 5, ConfigurationName: 'flags', ConfigurationVersion: '9', State: 'COMPLETE' },
        { DeploymentNumber: 2, ConfigurationName: 'flags', ConfigurationVersion: '1', State: 'COMPLETE' },
      ],
    });
    appconfig
      .on(GetDeploymentCommand, { DeploymentNumber: 5 })
      .resolves({ ConfigurationProfileId: 'old0001', ConfigurationVersion: '9' })
      .on(GetDeploymentCommand, { DeploymentNumber: 2 })
      .resolves({ ConfigurationProfileId: 'def5678', ConfigurationVersion: '1' });
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: encode(document) });
    const source = new AppConfigDeployedFlagSource(new AppConfigClient({}), { sleep: noSleep });

    // Act
    const served = await source.deployed(ref, production);

    // Assess
    expect(served).toMatchObject({ status: 'deployed', deploymentNumber: 2, version: 1 });
    expect(appconfig).toHaveReceivedCommandWith(GetHostedConfigurationVersionCommand, { VersionNumber: 1 });
  });

  it('says never-deployed after the last page, without reading any version', async () => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).resolves({
      Items: [
        { DeploymentNumber: 1, ConfigurationName: 'flags', ConfigurationVersion: '1', State: 'ROLLED_BACK' },
      ],
    });
    const source = new AppConfigDeployedFlagSource(new AppConfigClient({}), { sleep: noSleep });

    // Act
    const served = await source.deployed(ref, production);

    // Assess
    expect(served).toEqual({
      status: 'never-deployed',
      skipped: [{ deploymentNumber: 1, version: '1', state: 'ROLLED_BACK' }],
    });
    expect(appconfig).not.toHaveReceivedCommand(GetDeploymentCommand);
    expect(appconfig).not.toHaveReceivedCommand(GetHostedConfigurationVersionCommand);
  });

  it.each([
    [
      'ListDeploymentsCommand',
      'AccessDeniedException',
      FlagSourceAccessDeniedError,
      'ListDeployments: access denied',
    ],
    [
      'ListDeploymentsCommand',
      'ResourceNotFoundException',
      FlagProfileNotFoundError,
      'ListDeployments: flags profile',
    ],
    [
      'GetDeploymentCommand',
      'AccessDeniedException',
      FlagSourceAccessDeniedError,
      'GetDeployment: access denied',
    ],
    ['GetDeploymentCommand', 'BadRequestException', FlagSourceError, 'GetDeployment: BadRequestException'],
  ] as const)('translates %s failing with %s', async (command, name, ErrorClass, message) => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).resolves({
      Items: [
        { DeploymentNumber: 3, ConfigurationName: 'flags', ConfigurationVersion: '2', State: 'COMPLETE' },
      ],
    });
    if (command === 'ListDeploymentsCommand')
      appconfig.on(ListDeploymentsCommand).rejects(serviceError(name));
    else appconfig.on(GetDeploymentCommand).rejects(serviceError(name));
    const source = new AppConfigDeployedFlagSource(new AppConfigClient({}), { sleep: noSleep });

    // Act
    const error = await source.deployed(ref, production).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ErrorClass);
    expect((error as Error).message).toContain(message);
  });

  it('retries a throttled ListDeployments, then reads on', async () => {
    // Prepare
    appconfig
      .on(ListDeploymentsCommand)
      .rejectsOnce(serviceError('ThrottlingException'))
      .resolves({
        Items: [
          { DeploymentNumber: 1, ConfigurationName: 'flags', ConfigurationVersion: '1', State: 'COMPLETE' },
        ],
      });
    appconfig
      .on(GetDeploymentCommand)
      .resolves({ ConfigurationProfileId: 'def5678', ConfigurationVersion: '1' });
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: encode(document) });
    const source = new AppConfigDeployedFlagSource(new AppConfigClient({}), { sleep: noSleep });

    // Act
    const served = await source.deployed(ref, production);

    // Assess
    expect(served.status).toBe('deployed');
    expect(appconfig).toHaveReceivedCommandTimes(ListDeploymentsCommand, 2);
  });

  it('refuses a deployment that names no hosted version number, and content that is not JSON', async () => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).resolves({
      Items: [
        { DeploymentNumber: 4, ConfigurationName: 'flags', ConfigurationVersion: 'v1', State: 'COMPLETE' },
      ],
    });
    appconfig
      .on(GetDeploymentCommand)
      .resolves({ ConfigurationProfileId: 'def5678', ConfigurationVersion: 'v1' });
    const source = new AppConfigDeployedFlagSource(new AppConfigClient({}), { sleep: noSleep });

    // Act
    const unnumbered = await source.deployed(ref, production).catch((e: unknown) => e);
    appconfig
      .on(GetDeploymentCommand)
      .resolves({ ConfigurationProfileId: 'def5678', ConfigurationVersion: '4' });
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: bytes('{"flags": ') });
    const unreadable = await source.deployed(ref, production).catch((e: unknown) => e);

    // Assess
    expect(unnumbered).toBeInstanceOf(FlagSourceError);
    expect((unnumbered as Error).message).toBe(
      'GetDeployment: deployment 4 of the flags profile of orders to production names no hosted version number',
    );
    expect(unreadable).toBeInstanceOf(FlagSourceError);
    expect((unreadable as Error).message).toContain('version 4 of the flags profile of orders is not JSON');
    expect((unreadable as Error).message).not.toContain('"flags"');
  });
});
