import {
  AppConfigClient,
  ConflictException,
  CreateHostedConfigurationVersionCommand,
  type DeploymentSummary,
  ListDeploymentsCommand,
  ListHostedConfigurationVersionsCommand,
  StartDeploymentCommand,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { AppConfigDelivery } from '../../functions/adapters/appconfig-delivery.ts';
import { InMemoryAppConfig, ManualClock } from '../support/in-memory-appconfig.ts';
import { RecordingConfigDelivery } from '../support/validate-change-harness.ts';
import { describeConfigDeliveryContract } from './config-delivery.contract.ts';

describeConfigDeliveryContract('RecordingConfigDelivery', () => {
  const delivery = new RecordingConfigDelivery();
  return { delivery, occupy: (_application, environment) => delivery.busyEnvironments.add(environment) };
});

describeConfigDeliveryContract('AppConfigDelivery', () => {
  // AppConfig as delivery meets it: hosted versions per profile with their labels, and deployments per
  // environment listed newest first, one running at a time (another start is a ConflictException).
  const hosted = new Map<string, string[]>();
  const deployments = new Map<string, DeploymentSummary[]>();
  const client = new AppConfigClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const appConfig = mockClient(client);
  const deploy = (key: string, summary: Omit<DeploymentSummary, 'DeploymentNumber'>) => {
    const list = deployments.get(key) ?? [];
    const started = { ...summary, DeploymentNumber: list.length + 1, StartedAt: new Date() };
    deployments.set(key, [started, ...list]);
    return started;
  };
  appConfig.on(ListHostedConfigurationVersionsCommand).callsFake(async (input) => {
    const labels = hosted.get(`${input.ApplicationId}/${input.ConfigurationProfileId}`) ?? [];
    const number = labels.indexOf(input.VersionLabel ?? '') + 1;
    return { Items: number > 0 ? [{ VersionNumber: number, VersionLabel: input.VersionLabel }] : [] };
  });
  appConfig.on(CreateHostedConfigurationVersionCommand).callsFake(async (input) => {
    const key = `${input.ApplicationId}/${input.ConfigurationProfileId}`;
    hosted.set(key, [...(hosted.get(key) ?? []), input.VersionLabel ?? '']);
    return { VersionNumber: hosted.get(key)!.length };
  });
  appConfig.on(StartDeploymentCommand).callsFake(async (input) => {
    const key = `${input.ApplicationId}/${input.EnvironmentId}`;
    if ((deployments.get(key) ?? []).some((d) => d.State === 'DEPLOYING')) {
      throw new ConflictException({ $metadata: {}, message: 'a deployment is in progress' });
    }
    const labels = hosted.get(`${input.ApplicationId}/${input.ConfigurationProfileId}`) ?? [];
    return deploy(key, {
      ConfigurationProfileId: input.ConfigurationProfileId,
      VersionLabel: labels[Number(input.ConfigurationVersion) - 1],
      State: 'COMPLETE',
    });
  });
  appConfig.on(ListDeploymentsCommand).callsFake(async (input) => ({
    Items: deployments.get(`${input.ApplicationId}/${input.EnvironmentId}`) ?? [],
  }));
  return {
    delivery: new AppConfigDelivery(client),
    occupy: (application, environment) =>
      void deploy(`${application}/${environment}`, {
        ConfigurationProfileId: 'flags-orders',
        State: 'DEPLOYING',
      }),
  };
});

describeConfigDeliveryContract('InMemoryAppConfig', () => {
  // The kill-switch tests' AppConfig: a deployment occupies its environment for its strategy's minutes.
  const clock = new ManualClock(new Date('2026-11-30T12:00:00Z'));
  const delivery = new InMemoryAppConfig(clock).strategy('strategy-linear', 0).strategy('slow', 30);
  return {
    delivery,
    occupy: (application, environment) =>
      void delivery.startDeployment({
        applicationId: application,
        environmentId: environment,
        configurationProfileId: 'flags-orders',
        configurationVersion: '1',
        deploymentStrategyId: 'slow',
        description: 'another profile',
      }),
  };
});
