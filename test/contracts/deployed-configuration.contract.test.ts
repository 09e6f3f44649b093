import {
  AppConfigClient,
  type DeploymentSummary,
  GetHostedConfigurationVersionCommand,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListDeploymentsCommand,
  ListEnvironmentsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { AppConfigDeployedConfiguration } from '../../functions/adapters/appconfig-deployed-configuration.ts';
import type { ServiceProfiles } from '../../functions/ports/deployed-configuration.ts';
import { InMemoryDeployedConfiguration } from '../support/in-memory-deployed-configuration.ts';
import { describeDeployedConfigurationContract } from './deployed-configuration.contract.ts';

describeDeployedConfigurationContract('InMemoryDeployedConfiguration', () => {
  const reader = new InMemoryDeployedConfiguration();
  return {
    reader,
    addApplication: (name, environments) => reader.addApplication(name, environments),
    deploy: (target, content, state) => reader.deploy(target, content, state),
  };
});

/** One page of `items` at a time, `size` per page, NextToken being the next index. */
function paged<T>(items: readonly T[], token: string | undefined, size: number) {
  const start = Number(token ?? 0);
  const next = start + size < items.length ? String(start + size) : undefined;
  return { Items: items.slice(start, start + size), ...(next ? { NextToken: next } : {}) };
}

describeDeployedConfigurationContract('AppConfigDeployedConfiguration', () => {
  // AppConfig as the control plane shows it: applications, profiles and environments by name, hosted
  // versions per profile, deployments per environment newest first, every list in pages of two.
  const applications: { Id: string; Name: string }[] = [];
  const profiles = new Map<string, { Id: string; Name: string }[]>();
  const environments = new Map<string, { Id: string; Name: string }[]>();
  const hosted = new Map<string, string[]>();
  const deployments = new Map<string, DeploymentSummary[]>();
  const client = new AppConfigClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const appConfig = mockClient(client);
  appConfig.on(ListApplicationsCommand).callsFake(async (input) => paged(applications, input.NextToken, 2));
  appConfig
    .on(ListConfigurationProfilesCommand)
    .callsFake(async (input) => paged(profiles.get(input.ApplicationId ?? '') ?? [], input.NextToken, 2));
  appConfig
    .on(ListEnvironmentsCommand)
    .callsFake(async (input) => paged(environments.get(input.ApplicationId ?? '') ?? [], input.NextToken, 2));
  appConfig
    .on(ListDeploymentsCommand)
    .callsFake(async (input) =>
      paged(deployments.get(`${input.ApplicationId}/${input.EnvironmentId}`) ?? [], input.NextToken, 2),
    );
  appConfig.on(GetHostedConfigurationVersionCommand).callsFake(async (input) => {
    const content = hosted.get(`${input.ApplicationId}/${input.ConfigurationProfileId}`)?.[
      (input.VersionNumber ?? 0) - 1
    ];
    if (content === undefined)
      throw new ResourceNotFoundException({ $metadata: {}, message: 'no such version' });
    return { VersionNumber: input.VersionNumber, Content: new TextEncoder().encode(content) };
  });

  return {
    reader: new AppConfigDeployedConfiguration(client),
    addApplication(name, environmentNames): ServiceProfiles {
      const applicationId = `a${applications.length + 1}`;
      applications.push({ Id: applicationId, Name: name });
      // A profile of another name first, so the adapter must pick by name.
      profiles.set(applicationId, [
        { Id: `${applicationId}-legacy`, Name: 'legacy' },
        { Id: `${applicationId}-doc`, Name: 'document' },
        { Id: `${applicationId}-flags`, Name: 'flags' },
      ]);
      environments.set(
        applicationId,
        environmentNames.map((env) => ({ Id: `${applicationId}-${env}`, Name: env })),
      );
      return {
        applicationId,
        documentProfileId: `${applicationId}-doc`,
        flagsProfileId: `${applicationId}-flags`,
        environments: Object.fromEntries(environmentNames.map((env) => [env, `${applicationId}-${env}`])),
      };
    },
    deploy(target, content, state = 'COMPLETE') {
      const versions = hosted.get(`${target.applicationId}/${target.configurationProfileId}`) ?? [];
      versions.push(content);
      hosted.set(`${target.applicationId}/${target.configurationProfileId}`, versions);
      const key = `${target.applicationId}/${target.environmentId}`;
      const list = deployments.get(key) ?? [];
      const summary: DeploymentSummary = {
        DeploymentNumber: list.length + 1,
        ConfigurationProfileId: target.configurationProfileId,
        ConfigurationVersion: String(versions.length),
        VersionLabel: `label-${versions.length}`,
        State: state as DeploymentSummary['State'],
        StartedAt: new Date(),
      };
      deployments.set(key, [summary, ...list]);
      return {
        deploymentNumber: summary.DeploymentNumber as number,
        state,
        configurationVersion: summary.ConfigurationVersion as string,
        content,
      };
    },
  };
});
