/**
 * Each handler that needs the stack's AppConfig ids, as the stack deploys it: no `STEWARD_APPCONFIG`,
 * only `STEWARD_APPCONFIG_TARGETS_PATH`, read with GetParametersByPath (mocked) on first use, once per
 * container. The handlers' own tests give the ids as JSON; these show the path route reaches the same
 * calls. (The AppConfig validator takes JSON only: see its handler.) Each test loads its handler afresh, as a new container would.
 */
import {
  AppConfigClient,
  GetHostedConfigurationVersionCommand,
  ListDeploymentsCommand,
  ListHostedConfigurationVersionsCommand,
} from '@aws-sdk/client-appconfig';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ChangeMessageVisibilityBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DescribeOpsItemsCommand,
  DescribeParametersCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encode } from '../support/appconfig-content.ts';
import { InMemoryTicketTracker } from '../support/recording-ports.ts';
import { exampleTargets, HANDLER_ENV, lambdaContext, sqsEvent } from '../support/validate-change-harness.ts';

vi.mock('../../functions/adapters/tickets/create-ticket-tracker.ts', () => ({
  createTicketTracker: () => new InMemoryTicketTracker(),
}));

const ssm = mockClient(SSMClient);
const appConfig = mockClient(AppConfigClient);
const eventbridge = mockClient(EventBridgeClient);
const cloudwatch = mockClient(CloudWatchClient);
const sqs = mockClient(SQSClient);

const PATH = '/config-steward/ConfigSteward/appconfig-targets';
/** The example's ids, the orders application as the AWS validator fixture names it. */
const targets = exampleTargets();
targets.orders = { ...targets.orders!, applicationId: 'abc1234', documentProfileId: 'ijk0987' };
const killSwitches = {
  deploymentStrategyId: 'ks-strategy',
  services: {
    orders: {
      applicationId: 'abc1234',
      profileId: 'ks-orders',
      environments: { staging: 'ks-staging', production: 'ks-production' },
    },
  },
};

/** What the stack wrote under the path: the services in one parameter, the switches in another. */
function targetParameters() {
  ssm.on(GetParametersByPathCommand, { Path: PATH }).resolves({
    Parameters: [
      { Name: `${PATH}/1`, Type: 'String', Value: JSON.stringify({ appConfig: targets }) },
      { Name: `${PATH}/2`, Type: 'String', Value: JSON.stringify({ killSwitches }) },
    ],
  });
}

const pathReads = () =>
  ssm.commandCalls(GetParametersByPathCommand).filter((call) => call.args[0].input.Path === PATH).length;

beforeEach(() => {
  vi.resetModules();
  for (const mock of [ssm, appConfig, eventbridge, cloudwatch, sqs]) mock.reset();
  for (const [name, value] of Object.entries(HANDLER_ENV)) vi.stubEnv(name, value);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'SILENT');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'ConfigSteward');
  vi.stubEnv('STEWARD_APPCONFIG', '');
  vi.stubEnv('STEWARD_KILL_SWITCHES', '');
  vi.stubEnv('STEWARD_APPCONFIG_TARGETS_PATH', PATH);
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  targetParameters();
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('Handlers with the ids under STEWARD_APPCONFIG_TARGETS_PATH', () => {
  it('flag-expiry-job reads the flags of the services the parameters name, reading them once', async () => {
    // Prepare: no flags deployed and no hosted flag versions yet
    appConfig.on(ListDeploymentsCommand).resolves({ Items: [] });
    appConfig.on(ListHostedConfigurationVersionsCommand).resolves({ Items: [] });
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    const { handler } = await import('../../functions/handlers/flag-expiry-job.ts');

    // Act
    await handler({}, lambdaContext);
    await handler({}, lambdaContext);

    // Assess: the environments the parameters name are where the flags' deployments are listed
    expect(appConfig).toHaveReceivedCommandWith(ListDeploymentsCommand, { ApplicationId: 'abc1234' });
    expect(appConfig).toHaveReceivedCommandWith(ListHostedConfigurationVersionsCommand, {
      ApplicationId: 'abc1234',
      ConfigurationProfileId: 'flags-orders',
    });
    expect(pathReads()).toBe(1);
  });

  it('deliver-changes finds the environment to deliver to in the parameters', async () => {
    // Prepare: a deployment still rolling out, so the group waits (no document read)
    vi.stubEnv(
      'STEWARD_DELIVERY_QUEUE_URL',
      'https://sqs.eu-west-1.amazonaws.com/123456789012/delivery.fifo',
    );
    appConfig.on(ListDeploymentsCommand).resolves({
      Items: [{ DeploymentNumber: 3, State: 'DEPLOYING', ConfigurationName: 'document' }],
    });
    sqs.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [{ Id: '0' }], Failed: [] });
    const { handler } = await import('../../functions/handlers/deliver-changes.ts');
    const request = {
      kind: 'deliver',
      service: 'orders',
      environment: 'production',
      triggeringEventIds: ['e-1'],
    };

    // Act
    const result = await handler(sqsEvent([request], { ids: ['m-1'] }), lambdaContext);

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(appConfig).toHaveReceivedCommandWith(ListDeploymentsCommand, {
      ApplicationId: 'abc1234',
      EnvironmentId: 'env-orders-production',
    });
    expect(pathReads()).toBe(1);
  });

  it('drift-job compares the served flags and the kill switches the parameters name', async () => {
    // Prepare: Parameter Store empty under the root; nothing deployed in AppConfig
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    targetParameters();
    ssm.on(GetParametersCommand).resolves({ Parameters: [] });
    ssm.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });
    appConfig.on(ListDeploymentsCommand).resolves({ Items: [] });
    appConfig.on(GetHostedConfigurationVersionCommand).resolves({ Content: encode({}) });
    vi.stubEnv('STEWARD_FINGERPRINT_KEY', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd');
    const { handler } = await import('../../functions/handlers/drift-job.ts');
    const context = {
      ...lambdaContext,
      invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:config-steward-drift',
      getRemainingTimeInMillis: () => 900_000,
    } as unknown as Context;

    // Act
    let step = (await handler({}, context)) as { checkpoint: unknown; done: boolean };
    while (!step.done) step = (await handler({ checkpoint: step.checkpoint }, context)) as typeof step;

    // Assess: the flags environment of every service, and orders' kill-switch environment
    for (const [service, target] of Object.entries(targets)) {
      expect(appConfig, service).toHaveReceivedCommandWith(ListDeploymentsCommand, {
        ApplicationId: target.applicationId,
        EnvironmentId: target.environments['production']!.environmentId,
      });
    }
    expect(appConfig).toHaveReceivedCommandWith(ListDeploymentsCommand, {
      ApplicationId: 'abc1234',
      EnvironmentId: 'ks-production',
    });
    expect(pathReads()).toBe(1);
  });
});
