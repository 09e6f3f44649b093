import {
  AppConfigClient,
  AppConfigServiceException,
  ConflictException,
  CreateHostedConfigurationVersionCommand,
  GetApplicationCommand,
  GetConfigurationProfileCommand,
  ListDeploymentsCommand,
  ListHostedConfigurationVersionsCommand,
  ResourceNotFoundException,
  StartDeploymentCommand,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppConfigDelivery, AppConfigProfileLocator } from '../../functions/adapters/appconfig-delivery.ts';
import {
  ConfigDeliveryAccessDeniedError,
  ConfigDeliveryError,
  ConfigDeliveryThrottledError,
} from '../../functions/ports/config-delivery.errors.ts';

const appConfig = mockClient(AppConfigClient);

const document = {
  applicationId: 'app-orders',
  configurationProfileId: 'doc-orders',
  content: '{"max-retries":5}',
  contentType: 'application/json' as const,
  description: 'config-steward production/orders sha256=abc event=evt-1',
  versionLabel: 'sha256-abc',
};
const request = {
  applicationId: 'app-orders',
  environmentId: 'env-orders-production',
  configurationProfileId: 'doc-orders',
  configurationVersion: '7',
  deploymentStrategyId: 'strategy-production',
  description: 'config-steward production/orders',
};

const target = {
  applicationId: 'app-orders',
  environmentId: 'env-orders-production',
  configurationProfileId: 'doc-orders',
};

describe('Class: AppConfigDelivery', () => {
  beforeEach(() => {
    appConfig.reset();
  });

  it('creates a hosted configuration version with the JSON content and its label when none carries the label', async () => {
    // Prepare
    appConfig.on(ListHostedConfigurationVersionsCommand).resolves({ Items: [] });
    appConfig.on(CreateHostedConfigurationVersionCommand).resolves({ VersionNumber: 7 });

    // Act
    const version = await new AppConfigDelivery(new AppConfigClient({})).ensureHostedVersion(document);

    // Assess
    expect(version).toBe('7');
    expect(appConfig).toReceiveCommandWith(ListHostedConfigurationVersionsCommand, {
      ApplicationId: 'app-orders',
      ConfigurationProfileId: 'doc-orders',
      VersionLabel: 'sha256-abc',
      MaxResults: 1,
    });
    expect(appConfig).toReceiveCommandWith(CreateHostedConfigurationVersionCommand, {
      ApplicationId: 'app-orders',
      ConfigurationProfileId: 'doc-orders',
      ContentType: 'application/json',
      Description: document.description,
      VersionLabel: 'sha256-abc',
    });
    const sent = appConfig.commandCalls(CreateHostedConfigurationVersionCommand)[0]?.args[0].input.Content;
    expect(new TextDecoder().decode(sent as Uint8Array)).toBe('{"max-retries":5}');
  });

  it('reuses the hosted version that already carries the label: a retried delivery stores the document once', async () => {
    // Prepare
    appConfig
      .on(ListHostedConfigurationVersionsCommand)
      .resolves({ Items: [{ VersionNumber: 5, VersionLabel: 'sha256-abc' }] });

    // Act
    const version = await new AppConfigDelivery(new AppConfigClient({})).ensureHostedVersion(document);

    // Assess
    expect(version).toBe('5');
    expect(appConfig).toReceiveCommandTimes(CreateHostedConfigurationVersionCommand, 0);
  });

  it('starts a deployment of that version with the environment strategy', async () => {
    // Prepare
    appConfig.on(StartDeploymentCommand).resolves({ DeploymentNumber: 12, State: 'DEPLOYING' });

    // Act
    const start = await new AppConfigDelivery(new AppConfigClient({})).startDeployment(request);

    // Assess
    expect(start).toEqual({ status: 'started', deploymentNumber: 12 });
    expect(appConfig).toReceiveCommandWith(StartDeploymentCommand, {
      ApplicationId: 'app-orders',
      EnvironmentId: 'env-orders-production',
      ConfigurationProfileId: 'doc-orders',
      ConfigurationVersion: '7',
      DeploymentStrategyId: 'strategy-production',
    });
  });

  it('answers busy, naming the running deployment, when another deployment runs (ConflictException)', async () => {
    // Prepare
    appConfig
      .on(StartDeploymentCommand)
      .rejects(new ConflictException({ message: 'deployment in progress', $metadata: {} }));
    appConfig.on(ListDeploymentsCommand).resolves({
      Items: [
        { DeploymentNumber: 11, State: 'BAKING' },
        { DeploymentNumber: 10, State: 'COMPLETE' },
      ],
    });

    // Act
    const start = await new AppConfigDelivery(new AppConfigClient({})).startDeployment(request);

    // Assess
    expect(start).toEqual({ status: 'busy', runningDeploymentNumber: 11 });
    expect(appConfig).toReceiveCommandWith(ListDeploymentsCommand, {
      ApplicationId: 'app-orders',
      EnvironmentId: 'env-orders-production',
    });
  });

  it('stays busy when the running deployment cannot be listed', async () => {
    // Prepare
    appConfig.on(StartDeploymentCommand).rejects(new ConflictException({ message: 'busy', $metadata: {} }));
    appConfig.on(ListDeploymentsCommand).rejects(new Error('denied'));

    // Act
    const start = await new AppConfigDelivery(new AppConfigClient({})).startDeployment(request);

    // Assess
    expect(start).toEqual({ status: 'busy', runningDeploymentNumber: undefined });
  });

  it('reads the newest deployment of the profile (not of the flags profile), its start, and the running one', async () => {
    // Prepare: newest first, as AppConfig lists them
    appConfig.on(ListDeploymentsCommand).resolves({
      Items: [
        {
          DeploymentNumber: 14,
          ConfigurationProfileId: 'flags-orders',
          State: 'COMPLETE',
          VersionLabel: 'x',
        },
        {
          DeploymentNumber: 13,
          ConfigurationProfileId: 'doc-orders',
          State: 'BAKING',
          VersionLabel: 'sha256-abc',
          StartedAt: new Date('2026-11-20T16:00:00Z'),
        },
        {
          DeploymentNumber: 12,
          ConfigurationProfileId: 'doc-orders',
          State: 'COMPLETE',
          VersionLabel: 'sha256-old',
        },
      ],
    });
    const delivery = new AppConfigDelivery(new AppConfigClient({}));

    // Act
    const state = await delivery.environmentState(target);

    // Assess: the baking document deployment keeps the environment busy
    expect(state).toEqual({
      latest: {
        deploymentNumber: 13,
        versionLabel: 'sha256-abc',
        state: 'BAKING',
        startedAt: new Date('2026-11-20T16:00:00Z'),
      },
      runningDeploymentNumber: 13,
    });
    expect(appConfig).toReceiveCommandTimes(ListDeploymentsCommand, 1);
    expect(appConfig).toReceiveCommandWith(ListDeploymentsCommand, {
      ApplicationId: 'app-orders',
      EnvironmentId: 'env-orders-production',
      MaxResults: 50,
    });
  });

  it('knows no deployment when none of the profile is listed, and translates a failed listing', async () => {
    // Prepare: only a flags deployment, still rolling out
    appConfig
      .on(ListDeploymentsCommand)
      .resolvesOnce({
        Items: [{ DeploymentNumber: 3, ConfigurationProfileId: 'flags-orders', State: 'DEPLOYING' }],
      })
      .rejects(new ResourceNotFoundException({ message: 'no such environment', $metadata: {} }));
    const delivery = new AppConfigDelivery(new AppConfigClient({}));

    // Act
    const none = await delivery.environmentState(target);
    const failed = delivery.environmentState(target);

    // Assess
    expect(none).toEqual({ runningDeploymentNumber: 3 });
    await expect(failed).rejects.toMatchObject({ name: 'ConfigDeliveryError', operation: 'ListDeployments' });
  });

  it.each([
    ['AccessDeniedException', ConfigDeliveryAccessDeniedError],
    ['ThrottlingException', ConfigDeliveryThrottledError],
    ['TooManyRequestsException', ConfigDeliveryThrottledError],
    ['InternalServerException', ConfigDeliveryError],
  ] as const)('translates %s into the port error %#', async (exception, expected) => {
    // Prepare
    const cause = new AppConfigServiceException({
      name: exception,
      $fault: 'client',
      $metadata: {},
      message: 'no',
    });
    appConfig.on(StartDeploymentCommand).rejects(cause);
    const delivery = new AppConfigDelivery(new AppConfigClient({}));

    // Act
    const error = await delivery.startDeployment(request).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(expected);
    expect(error).toBeInstanceOf(ConfigDeliveryError);
    expect(error).toMatchObject({ name: expected.name, operation: 'StartDeployment', cause });
  });

  it('translates any other failure into a ConfigDeliveryError naming the operation, with the cause', async () => {
    // Prepare
    const cause = new ResourceNotFoundException({ message: 'no such profile', $metadata: {} });
    appConfig.on(ListHostedConfigurationVersionsCommand).resolvesOnce({ Items: [] }).rejects(cause);
    appConfig.on(CreateHostedConfigurationVersionCommand).rejects(cause);
    appConfig.on(StartDeploymentCommand).rejects(cause);
    const delivery = new AppConfigDelivery(new AppConfigClient({}));

    // Act
    const create = delivery.ensureHostedVersion(document);
    const start = delivery.startDeployment(request);
    await create.catch(() => undefined);
    const list = delivery.ensureHostedVersion(document);

    // Assess
    await expect(create).rejects.toBeInstanceOf(ConfigDeliveryError);
    await expect(create).rejects.toThrow(
      'CreateHostedConfigurationVersion on profile doc-orders of application app-orders failed: ResourceNotFoundException',
    );
    await expect(start).rejects.toMatchObject({
      name: 'ConfigDeliveryError',
      operation: 'StartDeployment',
      cause,
    });
    await expect(list).rejects.toMatchObject({ operation: 'ListHostedConfigurationVersions', cause });
  });
});

describe('Class: AppConfigProfileLocator', () => {
  beforeEach(() => {
    appConfig.reset();
  });

  it('finds the service by the application name and the profile by its type or name, once per pair', async () => {
    // Prepare
    appConfig.on(GetApplicationCommand).resolves({ Id: 'app1', Name: 'acme-orders' });
    appConfig
      .on(GetConfigurationProfileCommand, { ConfigurationProfileId: 'p-doc' })
      .resolves({ Name: 'document', Type: 'AWS.Freeform' })
      .on(GetConfigurationProfileCommand, { ConfigurationProfileId: 'p-flags' })
      .resolves({ Name: 'flags', Type: 'AWS.AppConfig.FeatureFlags' });
    const locator = new AppConfigProfileLocator(new AppConfigClient({}), 'acme-');

    // Act
    const document = await locator.locate('app1', 'p-doc');
    const again = await locator.locate('app1', 'p-doc');
    const flags = await locator.locate('app1', 'p-flags');

    // Assess
    expect(document).toEqual({ service: 'orders', profile: 'document' });
    expect(again).toEqual(document);
    expect(flags).toEqual({ service: 'orders', profile: 'flags' });
    expect(appConfig.commandCalls(GetConfigurationProfileCommand)).toHaveLength(2);
  });

  it('does not locate an application outside the prefix, another profile, or a missing one', async () => {
    // Prepare
    appConfig.on(GetApplicationCommand).resolves({ Name: 'other-team-app' });
    appConfig.on(GetConfigurationProfileCommand).resolves({ Name: 'settings', Type: 'AWS.Freeform' });
    const locator = new AppConfigProfileLocator(new AppConfigClient({}), 'acme-');
    const plain = new AppConfigProfileLocator(new AppConfigClient({}));

    // Act
    const outside = await locator.locate('app2', 'p1');
    const otherProfile = await plain.locate('app2', 'p1');
    appConfig
      .on(GetApplicationCommand)
      .rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    const missing = await plain.locate('app3', 'p1');

    // Assess
    expect([outside, otherProfile, missing]).toEqual([undefined, undefined, undefined]);
  });
});
