import {
  AppConfigClient,
  AppConfigServiceException,
  GetDeploymentCommand,
  GetHostedConfigurationVersionCommand,
  ListDeploymentsCommand,
  type DeploymentState,
} from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { AppConfigDeployedFlagSource } from '../../functions/adapters/appconfig-deployed-flag-source.ts';
import { FLAGS_PROFILE_NAME } from '../../functions/core/names.ts';
import { InMemoryDeployedFlagSource } from '../support/flag-source-double.ts';
import { describeDeployedFlagSourceContract } from './deployed-flag-source.contract.ts';
import { bytes } from '../support/appconfig-content.ts';

describeDeployedFlagSourceContract('InMemoryDeployedFlagSource', () => {
  const source = new InMemoryDeployedFlagSource();
  return {
    source,
    host: (ref, document) => source.host(ref, document),
    deploy: (ref, environmentId, version, state) => void source.deploy(ref, environmentId, version, state),
  };
});

describeDeployedFlagSourceContract('AppConfigDeployedFlagSource', () => {
  // AppConfig's control plane as the adapter sees it: hosted versions per profile, and deployments per
  // environment listed newest first in pages of MaxResults (at most 50), each summary naming its
  // profile by NAME only (GetDeployment gives the id). Profiles whose id starts with "flags" are named
  // like the Steward flags profile, the others like the document profile.
  const hosted = new Map<string, string[]>();
  const deployments = new Map<
    string,
    { number: number; profileId: string; version: number; state: DeploymentState }[]
  >();
  const nameOf = (profileId: string) => (profileId.startsWith('flags') ? FLAGS_PROFILE_NAME : 'document');
  const notFound = (message: string) =>
    new AppConfigServiceException({
      name: 'ResourceNotFoundException',
      $fault: 'client',
      $metadata: {},
      message,
    });
  const client = new AppConfigClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const appConfig = mockClient(client);
  appConfig.on(ListDeploymentsCommand).callsFake(async (input) => {
    const newestFirst = [...(deployments.get(input.EnvironmentId!) ?? [])].reverse();
    const start = Number(input.NextToken ?? 0);
    const size = Math.min(input.MaxResults ?? 50, 50);
    return {
      Items: newestFirst.slice(start, start + size).map((d) => ({
        DeploymentNumber: d.number,
        ConfigurationName: nameOf(d.profileId),
        ConfigurationVersion: String(d.version),
        State: d.state,
      })),
      NextToken: start + size < newestFirst.length ? String(start + size) : undefined,
    };
  });
  appConfig.on(GetDeploymentCommand).callsFake(async (input) => {
    const found = deployments.get(input.EnvironmentId!)?.find((d) => d.number === input.DeploymentNumber);
    if (!found) throw notFound('no such deployment');
    return {
      DeploymentNumber: found.number,
      ConfigurationProfileId: found.profileId,
      ConfigurationName: nameOf(found.profileId),
      ConfigurationVersion: String(found.version),
      State: found.state,
    };
  });
  appConfig.on(GetHostedConfigurationVersionCommand).callsFake(async (input) => {
    const content = hosted.get(input.ConfigurationProfileId!)?.[input.VersionNumber! - 1];
    if (content === undefined) throw notFound('no such version');
    return {
      VersionNumber: input.VersionNumber,
      Content: bytes(content),
    };
  });
  return {
    source: new AppConfigDeployedFlagSource(client),
    host: (ref, document) => {
      const versions = [...(hosted.get(ref.flagsProfileId) ?? []), JSON.stringify(document)];
      hosted.set(ref.flagsProfileId, versions);
      return versions.length;
    },
    deploy: (ref, environmentId, version, state = 'COMPLETE') => {
      const list = deployments.get(environmentId) ?? [];
      list.push({
        number: list.length + 1,
        profileId: ref.flagsProfileId,
        version,
        state: state as DeploymentState,
      });
      deployments.set(environmentId, list);
    },
  };
});
