/**
 * The drift step's wiring of flag drift: with `STEWARD_APPCONFIG` set, a run adds one flags unit per
 * service and reads what each environment serves through AppConfig's control plane (its own file,
 * as the handler reads its environment once at load).
 */
import { createHmac } from 'node:crypto';
import {
  AppConfigClient,
  GetDeploymentCommand,
  GetHostedConfigurationVersionCommand,
  ListDeploymentsCommand,
  type ListDeploymentsCommandInput,
} from '@aws-sdk/client-appconfig';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateOpsItemCommand,
  DescribeOpsItemsCommand,
  DescribeParametersCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { organisation } from '../../config/index.ts';
import { serviceFlagsDocument } from '../../functions/core/flags/profile-document.ts';
import { runtimeEnvironment } from '../../functions/core/runtime-settings.ts';
import { loadSettings } from '../../lib/settings.ts';
import { encode } from '../support/appconfig-content.ts';

const ssm = mockClient(SSMClient);
const appConfig = mockClient(AppConfigClient);
const secretsManager = mockClient(SecretsManagerClient);
const eventbridge = mockClient(EventBridgeClient);
const kms = mockClient(KMSClient);
const settings = loadSettings('config/settings.json');
const services = organisation.services.map((s) => s.name).filter((name) => name !== 'shared');
/** Every service's application `app-<service>`, flags profile `flags-<service>`, environments `<env>-<service>`. */
const targets = Object.fromEntries(
  services.map((service) => [
    service,
    {
      applicationId: `app-${service}`,
      documentProfileId: `doc-${service}`,
      flagsProfileId: `flags-${service}`,
      environments: Object.fromEntries(
        settings.environments.map((env) => [
          env.name,
          { environmentId: `${env.name}-${service}`, deploymentStrategyId: `strategy-${env.name}` },
        ]),
      ),
    },
  ]),
);
const context = {
  functionName: 'drift-job',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:config-steward-drift',
  getRemainingTimeInMillis: () => 900_000,
} as unknown as Context;

let handler: typeof import('../../functions/handlers/drift-job.ts').handler;

beforeAll(async () => {
  for (const [name, value] of Object.entries(runtimeEnvironment(settings))) vi.stubEnv(name, value);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'ConfigSteward');
  vi.stubEnv('STEWARD_FINGERPRINT_KEY', 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd');
  vi.stubEnv('STEWARD_APPCONFIG', JSON.stringify(targets));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  ({ handler } = await import('../../functions/handlers/drift-job.ts'));
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('Handler: drift-job (flag drift)', () => {
  it('compares the flags each environment serves with config/ and tickets a console edit', async () => {
    // Prepare: Parameter Store empty; every environment serves config/'s flags (deployment 4,
    // version 2), except production orders, whose served version was edited in the console.
    ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    ssm.on(GetParametersCommand).resolves({ Parameters: [] });
    ssm.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });
    let opsItems = 0;
    ssm.on(CreateOpsItemCommand).callsFake(() => ({ OpsItemId: `oi-${++opsItems}` }));
    secretsManager
      .on(DescribeSecretCommand)
      .resolves({ ARN: 'arn:x', RotationEnabled: true, LastRotatedDate: new Date() });
    kms.on(GenerateMacCommand).callsFake((input: { Message: Uint8Array }) => ({
      Mac: createHmac('sha256', 'kms').update(input.Message).digest(),
    }));
    eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    // Staging serves hosted version 1, production version 2 (deployments 1 and 2).
    const versionOf = (environmentId = '') => (environmentId.startsWith('staging') ? 1 : 2);
    appConfig.on(ListDeploymentsCommand).callsFake((input: ListDeploymentsCommandInput) => {
      const version = versionOf(input.EnvironmentId);
      return {
        Items: [
          {
            DeploymentNumber: version,
            ConfigurationName: 'flags',
            ConfigurationVersion: String(version),
            State: 'COMPLETE',
          },
        ],
      };
    });
    appConfig
      .on(GetDeploymentCommand)
      .callsFake((input: { ApplicationId: string; EnvironmentId: string }) => ({
        ConfigurationProfileId: input.ApplicationId.replace('app-', 'flags-'),
        ConfigurationVersion: String(versionOf(input.EnvironmentId)),
      }));
    const hosted = (service: string, version: number) => {
      const document = serviceFlagsDocument(
        organisation.services.find((s) => s.name === service),
        version === 1 ? 'staging' : 'production',
      );
      if (service === 'orders' && version === 2) {
        document.values['new-checkout'] = { ...document.values['new-checkout'], rolloutPercent: 100 };
      }
      return document;
    };
    appConfig
      .on(GetHostedConfigurationVersionCommand)
      .callsFake((input: { ConfigurationProfileId: string; VersionNumber: number }) => ({
        Content: encode(hosted(input.ConfigurationProfileId.replace('flags-', ''), input.VersionNumber)),
      }));

    // Act
    const result = (await handler({ job: 'drift' }, context)) as {
      done: boolean;
      checkpoint: { units: number; findingsByKind: Record<string, number> };
    };

    // Assess: strays + shared + each service, then one flags unit per service
    expect(result.done).toBe(true);
    expect(result.checkpoint.units).toBe(2 + 2 * services.length);
    expect(appConfig).toHaveReceivedCommandTimes(
      ListDeploymentsCommand,
      services.length * settings.environments.length,
    );
    expect(appConfig).toHaveReceivedCommandWith(ListDeploymentsCommand, {
      ApplicationId: 'app-orders',
      EnvironmentId: 'production-orders',
      MaxResults: 50,
    });
    expect(ssm).toHaveReceivedCommandWith(CreateOpsItemCommand, {
      Title: 'Config drift: flag-changed on flags/production/orders/new-checkout',
    });
    expect(result.checkpoint.findingsByKind).toMatchObject({
      'flag-changed': 1,
      'flag-added': 0,
      'flag-removed': 0,
      'flags-not-deployed': 0,
      'read-error': 0,
    });
  });
});
