import {
  AppConfigClient,
  AppConfigServiceException,
  type DeploymentSummary,
  GetDeploymentCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  type AppConfigReadErrors,
  EnvironmentDeployments,
  throttledAppConfigCall,
} from '../../functions/adapters/appconfig-served-deployment.ts';

const appconfig = mockClient(AppConfigClient);
const client = new AppConfigClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});
const serviceError = (name: string) =>
  new AppConfigServiceException({ name, message: `${name} happened`, $fault: 'client', $metadata: {} });
const environment = { applicationId: 'app1', environmentId: 'env1' };
const profile = { configurationProfileId: 'prof1', profileName: 'kill-switches' };

/** The port's error a reader would throw, carrying what the walk handed over. */
class ReaderError extends Error {
  constructor(
    readonly operation: string,
    readonly sdkName: string,
  ) {
    super(`${operation}: ${sdkName}`);
  }
}

const errors: AppConfigReadErrors = {
  translate: (_cause, name, operation) => new ReaderError(operation, name),
  unnumbered: (deploymentNumber, operation) => new ReaderError(operation, `unnumbered ${deploymentNumber}`),
};

function walk(sleeps: number[] = []): EnvironmentDeployments {
  return new EnvironmentDeployments(client, environment, {
    call: throttledAppConfigCall(errors.translate, {
      sleep: async (ms) => void sleeps.push(ms),
    }),
    unnumbered: errors.unnumbered,
  });
}

const ours = (
  DeploymentNumber: number,
  State: string,
  ConfigurationVersion = String(DeploymentNumber),
): DeploymentSummary =>
  ({ DeploymentNumber, ConfigurationProfileId: 'prof1', ConfigurationVersion, State }) as DeploymentSummary;

describe('Class: EnvironmentDeployments (the served deployment of a profile)', () => {
  beforeEach(() => {
    appconfig.reset();
  });

  it('walks to page 2 for the served version, passing over rolled-back and reverted ones, and reads no further page', async () => {
    // Prepare: page 1 holds another profile's deployment and ours rolled back; page 2 ours reverted,
    // then the complete one it fell back to, then an older one; a page 3 exists.
    appconfig
      .on(ListDeploymentsCommand, { ApplicationId: 'app1', EnvironmentId: 'env1', MaxResults: 50 })
      .resolves({
        Items: [
          {
            DeploymentNumber: 9,
            ConfigurationProfileId: 'other',
            ConfigurationVersion: '4',
            State: 'COMPLETE',
          },
          ours(8, 'ROLLED_BACK', '7'),
        ],
        NextToken: 'page-2',
      });
    appconfig.on(ListDeploymentsCommand, { NextToken: 'page-2' }).resolves({
      Items: [ours(6, 'REVERTED', '6'), ours(5, 'COMPLETE', '5'), ours(4, 'COMPLETE', '4')],
      NextToken: 'page-3',
    });

    // Act
    const result = await walk().served(profile);

    // Assess
    expect(result).toEqual({
      served: { deploymentNumber: 5, configurationVersion: '5', state: 'COMPLETE' },
      passedOver: [
        { deploymentNumber: 8, configurationVersion: '7', state: 'ROLLED_BACK' },
        { deploymentNumber: 6, configurationVersion: '6', state: 'REVERTED' },
      ],
    });
    expect(appconfig).toHaveReceivedCommandTimes(ListDeploymentsCommand, 2);
    expect(appconfig).toHaveReceivedNthCommandWith(ListDeploymentsCommand, 1, {
      ApplicationId: 'app1',
      EnvironmentId: 'env1',
      MaxResults: 50,
    });
    expect(appconfig).toHaveReceivedNthCommandWith(ListDeploymentsCommand, 2, {
      ApplicationId: 'app1',
      EnvironmentId: 'env1',
      MaxResults: 50,
      NextToken: 'page-2',
    });
    expect(appconfig).not.toHaveReceivedCommand(GetDeploymentCommand);
  });

  it('serves a BAKING deployment, passes over one VALIDATING or DEPLOYING, and names the one that keeps the environment busy', async () => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).resolvesOnce({ Items: [ours(3, 'BAKING'), ours(2, 'COMPLETE')] });
    const baking = await walk().served(profile);
    appconfig.reset();
    appconfig.on(ListDeploymentsCommand).resolvesOnce({
      Items: [
        {
          DeploymentNumber: 5,
          ConfigurationProfileId: 'other',
          ConfigurationVersion: '1',
          State: 'VALIDATING',
        },
        ours(4, 'DEPLOYING'),
        ours(3, 'COMPLETE'),
      ],
    });

    // Act
    const rolling = await walk().served(profile);

    // Assess
    expect(baking).toMatchObject({
      served: { deploymentNumber: 3, state: 'BAKING' },
      runningDeploymentNumber: 3,
    });
    expect(baking.passedOver).toEqual([]);
    expect(rolling).toEqual({
      served: { deploymentNumber: 3, configurationVersion: '3', state: 'COMPLETE' },
      passedOver: [{ deploymentNumber: 4, configurationVersion: '4', state: 'DEPLOYING' }],
      runningDeploymentNumber: 5,
    });
  });

  it('reads past an empty page that carries a NextToken, and says nothing is served after the last page', async () => {
    // Prepare
    appconfig
      .on(ListDeploymentsCommand)
      .resolvesOnce({ Items: [], NextToken: 'page-2' })
      .resolvesOnce({ Items: [ours(2, 'ROLLED_BACK')], NextToken: 'page-3' })
      .resolvesOnce({ Items: [] });

    // Act
    const result = await walk().served(profile);

    // Assess
    expect(result).toEqual({
      passedOver: [{ deploymentNumber: 2, configurationVersion: '2', state: 'ROLLED_BACK' }],
    });
    expect(appconfig).toHaveReceivedCommandTimes(ListDeploymentsCommand, 3);
    expect(appconfig).toHaveReceivedNthCommandWith(ListDeploymentsCommand, 3, { NextToken: 'page-3' });
  });

  it('serves two walks of one environment from one listing', async () => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).resolves({
      Items: [
        ours(3, 'COMPLETE'),
        {
          DeploymentNumber: 2,
          ConfigurationProfileId: 'prof2',
          ConfigurationVersion: '9',
          State: 'COMPLETE',
        },
      ],
    });
    const deployments = walk();

    // Act
    const first = await deployments.served(profile);
    const second = await deployments.served({ configurationProfileId: 'prof2' });

    // Assess
    expect(first.served?.deploymentNumber).toBe(3);
    expect(second.served).toMatchObject({ deploymentNumber: 2, configurationVersion: '9' });
    expect(appconfig).toHaveReceivedCommandTimes(ListDeploymentsCommand, 1);
  });

  it('confirms a served summary that names the profile only with GetDeployment, and skips another profile of that name', async () => {
    // Prepare: older answers carry ConfigurationName instead of the id; deployment 6 is of a deleted
    // profile that had the same name, deployment 5 of another name altogether.
    appconfig.on(ListDeploymentsCommand).resolves({
      Items: [
        {
          DeploymentNumber: 7,
          ConfigurationName: 'kill-switches',
          ConfigurationVersion: '3',
          State: 'ROLLED_BACK',
        },
        {
          DeploymentNumber: 6,
          ConfigurationName: 'kill-switches',
          ConfigurationVersion: '9',
          State: 'COMPLETE',
        },
        { DeploymentNumber: 5, ConfigurationName: 'document', ConfigurationVersion: '8', State: 'COMPLETE' },
        {
          DeploymentNumber: 4,
          ConfigurationName: 'kill-switches',
          ConfigurationVersion: '2',
          State: 'COMPLETE',
        },
      ],
    });
    appconfig
      .on(GetDeploymentCommand, { DeploymentNumber: 6 })
      .resolves({ ConfigurationProfileId: 'deleted', ConfigurationVersion: '9' });
    appconfig
      .on(GetDeploymentCommand, { DeploymentNumber: 4 })
      .resolves({ ConfigurationProfileId: 'prof1', ConfigurationVersion: '2' });

    // Act
    const result = await walk().served(profile);

    // Assess
    expect(result).toEqual({
      served: { deploymentNumber: 4, configurationVersion: '2', state: 'COMPLETE' },
      passedOver: [{ deploymentNumber: 7, configurationVersion: '3', state: 'ROLLED_BACK' }],
    });
    expect(appconfig).toHaveReceivedCommandTimes(GetDeploymentCommand, 2);
    expect(appconfig).toHaveReceivedCommandWith(GetDeploymentCommand, {
      ApplicationId: 'app1',
      EnvironmentId: 'env1',
      DeploymentNumber: 4,
    });
  });

  it('without a profile name, confirms a rolling-out summary too, since its version may be read', async () => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).resolves({
      Items: [
        { DeploymentNumber: 3, ConfigurationName: 'flags', ConfigurationVersion: '5', State: 'DEPLOYING' },
        { DeploymentNumber: 2, ConfigurationName: 'document', ConfigurationVersion: '4', State: 'DEPLOYING' },
      ],
    });
    appconfig
      .on(GetDeploymentCommand, { DeploymentNumber: 3 })
      .resolves({ ConfigurationProfileId: 'flags1' });
    appconfig
      .on(GetDeploymentCommand, { DeploymentNumber: 2 })
      .resolves({ ConfigurationProfileId: 'prof1', ConfigurationVersion: '4' });

    // Act
    const result = await walk().served({ configurationProfileId: 'prof1' });

    // Assess
    expect(result.passedOver).toEqual([
      { deploymentNumber: 2, configurationVersion: '4', state: 'DEPLOYING' },
    ]);
    expect(appconfig).toHaveReceivedCommandTimes(GetDeploymentCommand, 2);
  });

  it('retries a throttled ListDeployments with backoff, then reads on', async () => {
    // Prepare
    const sleeps: number[] = [];
    appconfig
      .on(ListDeploymentsCommand)
      .rejectsOnce(serviceError('ThrottlingException'))
      .rejectsOnce(serviceError('TooManyRequestsException'))
      .resolves({ Items: [ours(1, 'COMPLETE')] });

    // Act
    const result = await walk(sleeps).served(profile);

    // Assess
    expect(result.served?.deploymentNumber).toBe(1);
    expect(sleeps).toEqual([200, 400]);
    expect(appconfig).toHaveReceivedCommandTimes(ListDeploymentsCommand, 3);
  });

  it.each([
    ['ListDeployments', 'ThrottlingException'],
    ['ListDeployments', 'AccessDeniedException'],
    ['ListDeployments', 'ResourceNotFoundException'],
    ['GetDeployment', 'AccessDeniedException'],
    ['GetDeployment', 'InternalServerException'],
  ])('hands a failed %s (%s) to the reader, which makes it its port error', async (operation, name) => {
    // Prepare
    if (operation === 'ListDeployments') {
      appconfig.on(ListDeploymentsCommand).rejects(serviceError(name));
    } else {
      appconfig.on(ListDeploymentsCommand).resolves({
        Items: [
          {
            DeploymentNumber: 2,
            ConfigurationName: 'kill-switches',
            ConfigurationVersion: '1',
            State: 'COMPLETE',
          },
        ],
      });
      appconfig.on(GetDeploymentCommand).rejects(serviceError(name));
    }

    // Act
    const failure = await walk()
      .served(profile)
      .catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(ReaderError);
    expect(failure).toMatchObject({ operation, sdkName: name });
  });

  it('refuses a served deployment that names no hosted version number', async () => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).resolves({ Items: [ours(4, 'COMPLETE', 'v1')] });

    // Act
    const failure = await walk()
      .served(profile)
      .catch((e: unknown) => e);

    // Assess
    expect(failure).toMatchObject({ operation: 'ListDeployments', sdkName: 'unnumbered 4' });
  });
});
