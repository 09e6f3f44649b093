import { AppConfigClient, type DeploymentSummary, ListDeploymentsCommand } from '@aws-sdk/client-appconfig';
import { mockClient } from 'aws-sdk-client-mock';
import { AppConfigKillSwitchStore } from '../../functions/adapters/appconfig-kill-switch-store.ts';
import { InMemoryAppConfig, ManualClock } from '../support/in-memory-appconfig.ts';
import { describeServedDeploymentContract, servedTarget } from './served-deployment.contract.ts';

describeServedDeploymentContract('InMemoryAppConfig', () => {
  const clock = new ManualClock(new Date('2026-11-30T12:00:00Z'));
  const appConfig = new InMemoryAppConfig(clock).strategy('at-once', 0).strategy('slow', 30);
  let versions = 0;
  return {
    reader: appConfig,
    deploy: async ({ running = false, otherProfile = false } = {}) => {
      const configurationProfileId = otherProfile ? 'profile-other' : servedTarget.configurationProfileId;
      versions += 1;
      const configurationVersion = await appConfig.ensureHostedVersion({
        applicationId: servedTarget.applicationId,
        configurationProfileId,
        content: `{"n":${versions}}`,
        contentType: 'application/json',
        description: 'contract',
        versionLabel: `v${versions}`,
      });
      const started = await appConfig.startDeployment({
        ...servedTarget,
        configurationProfileId,
        configurationVersion,
        deploymentStrategyId: running ? 'slow' : 'at-once',
        description: 'contract',
      });
      if (started.status !== 'started') throw new Error('the contract deploys to a free environment');
      return started.deploymentNumber;
    },
    undo: async (deploymentNumber, state) =>
      appConfig.undo(servedTarget.applicationId, servedTarget.environmentId, deploymentNumber, state),
  };
});

describeServedDeploymentContract('AppConfigKillSwitchStore', () => {
  // AppConfig as the walk meets it: an environment's deployments listed newest first, two a page.
  const deployments: DeploymentSummary[] = [];
  const client = new AppConfigClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const appConfig = mockClient(client);
  appConfig.on(ListDeploymentsCommand).callsFake(async (input) => {
    const start = Number(input.NextToken ?? 0);
    const newestFirst = [...deployments].reverse();
    const next = start + 2;
    return {
      Items: newestFirst.slice(start, next),
      ...(next < newestFirst.length ? { NextToken: String(next) } : {}),
    };
  });
  return {
    reader: new AppConfigKillSwitchStore(client, { sleep: async () => {} }),
    deploy: async ({ running = false, otherProfile = false } = {}) => {
      const DeploymentNumber = deployments.length + 1;
      deployments.push({
        DeploymentNumber,
        ConfigurationProfileId: otherProfile ? 'profile-other' : servedTarget.configurationProfileId,
        ConfigurationVersion: String(DeploymentNumber),
        State: running ? 'DEPLOYING' : 'COMPLETE',
      });
      return DeploymentNumber;
    },
    undo: async (deploymentNumber, state) => {
      const deployment = deployments.find((d) => d.DeploymentNumber === deploymentNumber);
      if (deployment) deployment.State = state;
    },
  };
});
