import {
  AppConfigClient,
  AppConfigServiceException,
  BadRequestException,
  type DeploymentState,
  GetHostedConfigurationVersionCommand,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListDeploymentsCommand,
  ListEnvironmentsCommand,
  ListHostedConfigurationVersionsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AppConfigFlagSource, resolveFlagProfiles } from '../../functions/adapters/appconfig-flag-source.ts';
import type { FlagProfileRef } from '../../functions/ports/flag-source.ts';
import { bytes, encode, ordersReleaseDocument } from '../support/appconfig-content.ts';
import {
  FlagProfileNotFoundError,
  FlagSourceAccessDeniedError,
  FlagSourceError,
  FlagSourceThrottledError,
} from '../../functions/ports/flag-source.errors.ts';

const appconfig = mockClient(AppConfigClient);
const ref: FlagProfileRef = { service: 'orders', applicationId: 'abc1234', flagsProfileId: 'def5678' };
const document = ordersReleaseDocument;
const summary = (VersionNumber: number) => ({
  ApplicationId: ref.applicationId,
  ConfigurationProfileId: ref.flagsProfileId,
  VersionNumber,
});
const serviceError = (name: string, Exception: new (options: never) => Error = AppConfigServiceException) =>
  new Exception({ name, message: `${name} happened`, $fault: 'client', $metadata: {} } as never);
const noSleep = async () => {};

describe('Class: AppConfigFlagSource', () => {
  beforeEach(() => {
    appconfig.reset();
  });

  it('reads every page and fetches the highest version, whatever order the pages come in', async () => {
    // Prepare
    appconfig
      .on(ListHostedConfigurationVersionsCommand)
      .resolvesOnce({ Items: [summary(3), summary(7)], NextToken: 'page-2' })
      .resolvesOnce({ Items: [summary(9), summary(1)] });
    appconfig
      .on(GetHostedConfigurationVersionCommand)
      .resolves({ Content: encode(document), VersionNumber: 9 });
    const source = new AppConfigFlagSource(new AppConfigClient({}));

    // Act
    const latest = await source.latest(ref);

    // Assess
    expect(appconfig).toHaveReceivedCommandTimes(ListHostedConfigurationVersionsCommand, 2);
    expect(appconfig).toHaveReceivedNthCommandWith(ListHostedConfigurationVersionsCommand, 1, {
      ApplicationId: 'abc1234',
      ConfigurationProfileId: 'def5678',
      MaxResults: 50,
    });
    expect(appconfig).toHaveReceivedNthCommandWith(ListHostedConfigurationVersionsCommand, 2, {
      ApplicationId: 'abc1234',
      ConfigurationProfileId: 'def5678',
      MaxResults: 50,
      NextToken: 'page-2',
    });
    expect(appconfig).toReceiveCommandWith(GetHostedConfigurationVersionCommand, {
      ApplicationId: 'abc1234',
      ConfigurationProfileId: 'def5678',
      VersionNumber: 9,
    });
    expect(latest?.version).toBe(9);
    expect(latest?.ref).toEqual(ref);
    expect(latest?.flags).toEqual([
      {
        key: 'new-checkout',
        description: 'The redesigned checkout flow',
        owner: 'team-orders',
        type: 'release',
        created: '2026-11-02',
        expires: '2027-01-31',
        value: { enabled: true, rolloutPercent: 25 },
      },
    ]);
  });

  it('reads the version the flags profile was deployed with last, not the highest one, once config/ is reverted', async () => {
    // Prepare: flags A (version 1) shipped, then B (version 2), then git went back to A, whose hosted
    // version the delivery reuses: version 2 is the highest but no longer what config/ says.
    const deployed = { ...ref, environmentIds: ['envstg1', 'envprd1'] };
    const deployment = (
      DeploymentNumber: number,
      ConfigurationVersion: string,
      State: DeploymentState,
      at: string,
    ) => ({
      DeploymentNumber,
      ConfigurationProfileId: ref.flagsProfileId,
      ConfigurationVersion,
      State,
      StartedAt: new Date(at),
    });
    appconfig.on(ListDeploymentsCommand, { EnvironmentId: 'envstg1' }).resolves({
      Items: [
        { ...deployment(9, '4', 'COMPLETE', '2026-11-30T10:05:00Z'), ConfigurationProfileId: 'doc0001' },
        deployment(8, '1', 'COMPLETE', '2026-11-30T10:00:00Z'),
        deployment(7, '2', 'COMPLETE', '2026-11-29T10:00:00Z'),
      ],
    });
    appconfig.on(ListDeploymentsCommand, { EnvironmentId: 'envprd1' }).resolves({
      Items: [
        deployment(5, '2', 'ROLLED_BACK', '2026-11-30T11:00:00Z'),
        deployment(4, '2', 'COMPLETE', '2026-11-29T11:00:00Z'),
      ],
    });
    appconfig.on(ListHostedConfigurationVersionsCommand).resolves({ Items: [summary(1), summary(2)] });
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: encode(document) });
    const source = new AppConfigFlagSource(new AppConfigClient({}));

    // Act
    const latest = await source.latest(deployed);

    // Assess: the newest deployment of the flags profile still delivering, in any environment
    expect(latest?.version).toBe(1);
    expect(appconfig).toReceiveCommandWith(ListDeploymentsCommand, {
      ApplicationId: 'abc1234',
      EnvironmentId: 'envprd1',
      MaxResults: 50,
    });
    expect(appconfig).toReceiveCommandWith(GetHostedConfigurationVersionCommand, {
      ApplicationId: 'abc1234',
      ConfigurationProfileId: 'def5678',
      VersionNumber: 1,
    });
    expect(appconfig).not.toHaveReceivedCommand(ListHostedConfigurationVersionsCommand);
  });

  it('reads the highest hosted version when no deployment of the flags profile is listed yet', async () => {
    // Prepare
    appconfig.on(ListDeploymentsCommand).resolves({ Items: [] });
    appconfig.on(ListHostedConfigurationVersionsCommand).resolves({ Items: [summary(3)] });
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: encode(document) });
    const source = new AppConfigFlagSource(new AppConfigClient({}));

    // Act
    const latest = await source.latest({ ...ref, environmentIds: ['envstg1'] });

    // Assess
    expect(appconfig).toHaveReceivedCommandTimes(ListDeploymentsCommand, 1);
    expect(latest?.version).toBe(3);
  });

  it('answers undefined for a profile without any hosted version, without a Get call', async () => {
    // Prepare
    appconfig.on(ListHostedConfigurationVersionsCommand).resolves({ Items: [] });
    const source = new AppConfigFlagSource(new AppConfigClient({}));

    // Act
    const latest = await source.latest(ref);

    // Assess
    expect(latest).toBeUndefined();
    expect(appconfig).not.toHaveReceivedCommand(GetHostedConfigurationVersionCommand);
  });

  it('retries throttling with backoff and then succeeds', async () => {
    // Prepare
    const waits: number[] = [];
    appconfig
      .on(ListHostedConfigurationVersionsCommand)
      .rejectsOnce(serviceError('ThrottlingException'))
      .rejectsOnce(serviceError('ThrottlingException'))
      .resolves({ Items: [summary(2)] });
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: encode(document) });
    const source = new AppConfigFlagSource(new AppConfigClient({}), {
      baseDelayMs: 100,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    // Act
    const latest = await source.latest(ref);

    // Assess
    expect(latest?.version).toBe(2);
    expect(waits).toEqual([100, 200]);
    expect(appconfig).toHaveReceivedCommandTimes(ListHostedConfigurationVersionsCommand, 3);
  });

  it('gives up on throttling after the last attempt', async () => {
    // Prepare
    appconfig.on(ListHostedConfigurationVersionsCommand).rejects(serviceError('ThrottlingException'));
    const source = new AppConfigFlagSource(new AppConfigClient({}), { maxAttempts: 3, sleep: noSleep });

    // Act
    const act = source.latest(ref);

    // Assess
    await expect(act).rejects.toBeInstanceOf(FlagSourceThrottledError);
    await expect(act).rejects.toThrow(
      'ListHostedConfigurationVersions: throttled on the flags profile of orders',
    );
    expect(appconfig).toHaveReceivedCommandTimes(ListHostedConfigurationVersionsCommand, 3);
  });

  it('translates a missing application or profile', async () => {
    // Prepare
    appconfig
      .on(ListHostedConfigurationVersionsCommand)
      .rejects(serviceError('ResourceNotFoundException', ResourceNotFoundException));
    const source = new AppConfigFlagSource(new AppConfigClient({}), { sleep: noSleep });

    // Act
    const act = source.latest(ref);

    // Assess
    await expect(act).rejects.toBeInstanceOf(FlagProfileNotFoundError);
    await expect(act).rejects.toThrow('flags profile def5678 of orders (application abc1234) not found');
  });

  it('translates a refused call', async () => {
    // Prepare
    appconfig.on(ListHostedConfigurationVersionsCommand).resolves({ Items: [summary(1)] });
    appconfig.on(GetHostedConfigurationVersionCommand).rejects(serviceError('AccessDeniedException'));
    const source = new AppConfigFlagSource(new AppConfigClient({}), { sleep: noSleep });

    // Act
    const act = source.latest(ref);

    // Assess
    await expect(act).rejects.toBeInstanceOf(FlagSourceAccessDeniedError);
    await expect(act).rejects.toThrow('GetHostedConfigurationVersion: access denied');
  });

  it('translates any other AppConfig error and keeps it as the cause', async () => {
    // Prepare
    const cause = serviceError('BadRequestException', BadRequestException);
    appconfig.on(ListHostedConfigurationVersionsCommand).rejects(cause);
    const source = new AppConfigFlagSource(new AppConfigClient({}), { sleep: noSleep });

    // Act
    const error = await source.latest(ref).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(FlagSourceError);
    expect((error as FlagSourceError).operation).toBe('ListHostedConfigurationVersions');
    expect((error as Error).cause).toBe(cause);
    expect(appconfig).toHaveReceivedCommandTimes(ListHostedConfigurationVersionsCommand, 1);
  });

  it.each([
    ['not JSON', bytes('{"version": "1", '), 'is not JSON'],
    ['not a feature-flags document', encode({ enabled: true }), 'not an AWS.AppConfig.FeatureFlags document'],
  ])('refuses content that is %s, without echoing it', async (_, Content, message) => {
    // Prepare
    appconfig.on(ListHostedConfigurationVersionsCommand).resolves({ Items: [summary(4)] });
    appconfig.on(GetHostedConfigurationVersionCommand).resolves({ Content });
    const source = new AppConfigFlagSource(new AppConfigClient({}), { sleep: noSleep });

    // Act
    const error = await source.latest(ref).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(FlagSourceError);
    expect((error as Error).message).toContain(`version 4 of the flags profile of orders`);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('"version": "1"');
  });
});

describe('Function: resolveFlagProfiles', () => {
  beforeEach(() => {
    appconfig.reset();
  });

  it("finds each service's application and flags profile by name across pages", async () => {
    // Prepare
    appconfig
      .on(ListApplicationsCommand)
      .resolvesOnce({
        Items: [
          { Name: 'steward-orders', Id: 'app0rd1' },
          { Name: 'legacy', Id: 'leg0001' },
        ],
        NextToken: 'n1',
      })
      .resolvesOnce({ Items: [{ Name: 'steward-payments', Id: 'appay01' }] });
    appconfig
      .on(ListConfigurationProfilesCommand, { ApplicationId: 'app0rd1' })
      .resolvesOnce({ Items: [{ Name: 'document', Id: 'doc0rd1' }], NextToken: 'p2' })
      .resolvesOnce({ Items: [{ Name: 'flags', Id: 'fl0rd1' }] });
    appconfig
      .on(ListConfigurationProfilesCommand, { ApplicationId: 'appay01' })
      .resolves({ Items: [{ Name: 'document', Id: 'docpay1' }] });
    appconfig
      .on(ListEnvironmentsCommand, { ApplicationId: 'app0rd1' })
      .resolvesOnce({ Items: [{ Name: 'staging', Id: 'envstg1' }], NextToken: 'e2' })
      .resolvesOnce({ Items: [{ Name: 'production', Id: 'envprd1' }] });

    // Act
    const result = await resolveFlagProfiles(new AppConfigClient({}), ['orders', 'payments', 'search'], {
      namePrefix: 'steward-',
    });

    // Assess
    expect(result).toEqual({
      // The environments too: the version deployed last is read, not the highest (a revert in git).
      refs: [
        {
          service: 'orders',
          applicationId: 'app0rd1',
          flagsProfileId: 'fl0rd1',
          environmentIds: ['envstg1', 'envprd1'],
        },
      ],
      missing: ['payments', 'search'],
    });
    expect(appconfig).toHaveReceivedNthCommandWith(ListApplicationsCommand, 2, {
      MaxResults: 50,
      NextToken: 'n1',
    });
    expect(appconfig).toHaveReceivedNthCommandWith(ListConfigurationProfilesCommand, 2, {
      ApplicationId: 'app0rd1',
      MaxResults: 50,
      NextToken: 'p2',
    });
    expect(appconfig).toHaveReceivedNthCommandWith(ListEnvironmentsCommand, 2, {
      ApplicationId: 'app0rd1',
      MaxResults: 50,
      NextToken: 'e2',
    });
  });
});
