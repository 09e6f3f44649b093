import { App, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { toAppConfigFlags } from '../../functions/core/flags/appconfig-format.ts';
import { sha256 } from '../../functions/core/hash.ts';
import { flagsWithoutKillSwitches, killSwitchesOf } from '../../functions/core/flags/kill-switches.ts';
import { string, url } from '../../functions/core/keys.ts';
import { defineService } from '../../functions/core/model.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { flattenCfnReference } from '../../lib/cfn-reference.ts';
import { ConfigDelivery, type ConfigDeliveryProps } from '../../lib/constructs/config-delivery.ts';
import { nagFindings } from '../../lib/nag.ts';
import { loadSettings } from '../../lib/settings.ts';

const settings = loadSettings('config/settings.json');
const registryOf = (org = organisation) =>
  new SchemaRegistry(org, {
    parameterRoot: settings.parameterRoot,
    parameterTier: settings.parameterTier,
    environments: settings.environments.map((e) => e.name),
  });
const registry = registryOf();
/** The example organisation, as config/ declares it: whatever services an adopter adds. */
const services = registry.serviceNames();
const environmentNames = settings.environments.map((e) => e.name);
const validatorArn = 'arn:aws:lambda:eu-west-1:123456789012:function:config-steward-validate-document';

function synth(props: Partial<ConfigDeliveryProps> = {}) {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const delivery = new ConfigDelivery(stack, 'Delivery', {
    settings,
    registry,
    validatorFunctionArn: validatorArn,
    ...props,
  });
  return {
    stack,
    delivery,
    get template() {
      return Template.fromStack(stack);
    },
  };
}

const alarmArn = (name: string) =>
  Match.objectLike({
    'Fn::Join': [
      '',
      Match.arrayWith([Match.stringLikeRegexp(`:cloudwatch:eu-west-1:123456789012:alarm:${name}$`)]),
    ],
  });

describe('Construct: ConfigDelivery', () => {
  it('creates one application per service, named after it, and none for shared', () => {
    // Act
    const { template } = synth();

    // Assess
    expect(services).not.toContain('shared');
    template.resourceCountIs('AWS::AppConfig::Application', services.length);
    for (const service of services) {
      template.hasResourceProperties('AWS::AppConfig::Application', { Name: service });
    }
  });

  it('creates one AppConfig environment per Steward environment, with its rollback alarms as monitors', () => {
    // Act
    const { template } = synth();

    // Assess
    template.resourceCountIs('AWS::AppConfig::Environment', services.length * environmentNames.length);
    const roleArn = new Capture();
    template.hasResourceProperties('AWS::AppConfig::Environment', {
      Name: 'production',
      Monitors: [
        { AlarmArn: Match.anyValue(), AlarmRoleArn: roleArn },
        { AlarmArn: Match.anyValue(), AlarmRoleArn: Match.anyValue() },
      ],
    });
    const environments = template.findResources('AWS::AppConfig::Environment');
    const production = Object.values(environments).filter((r) => r.Properties.Name === 'production');
    const staging = Object.values(environments).filter((r) => r.Properties.Name === 'staging');
    expect(production).toHaveLength(services.length);
    expect(staging).toHaveLength(services.length);
    for (const env of staging) expect(env.Properties.Monitors).toBeUndefined();
    for (const env of production) {
      const arns = JSON.stringify(env.Properties.Monitors.map((m: { AlarmArn: unknown }) => m.AlarmArn));
      expect(arns).toContain(':cloudwatch:eu-west-1:123456789012:alarm:orders-api-5xx');
      expect(arns).toContain(':cloudwatch:eu-west-1:123456789012:alarm:payments-api-5xx');
    }
    expect(roleArn.asObject()).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/AlarmRole/), 'Arn'] });
  });

  it('gives AppConfig a role that can only describe the rollback alarms', () => {
    // Act
    const { template } = synth();

    // Assess
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({ Principal: { Service: 'appconfig.amazonaws.com' }, Action: 'sts:AssumeRole' }),
        ],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: 'cloudwatch:DescribeAlarms',
            Resource: [alarmArn('orders-api-5xx'), alarmArn('payments-api-5xx')],
          },
        ],
      },
    });
  });

  it('creates no alarm role when no environment has alarms', () => {
    // Act
    const { template, delivery } = synth({
      settings: {
        ...settings,
        environments: settings.environments.map((e) => ({ ...e, rollbackAlarms: [] })),
      },
    });

    // Assess
    expect(delivery.alarmRole).toBeUndefined();
    template.resourceCountIs('AWS::IAM::Role', 0);
  });

  it('attaches the validator to every profile: a freeform document and the feature flags', () => {
    // Act
    const { template } = synth();

    // Assess
    const profiles = Object.values(template.findResources('AWS::AppConfig::ConfigurationProfile'));
    expect(
      profiles.map((p) => `${p.Properties.Name}:${p.Properties.Type}:${p.Properties.LocationUri}`).sort(),
    ).toEqual(
      services
        .flatMap(() => ['document:AWS.Freeform:hosted', 'flags:AWS.AppConfig.FeatureFlags:hosted'])
        .sort(),
    );
    for (const profile of profiles) {
      expect(profile.Properties.Validators).toEqual([{ Type: 'LAMBDA', Content: validatorArn }]);
    }
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: validatorArn,
      Principal: 'appconfig.amazonaws.com',
      SourceAccount: '123456789012',
    });
  });

  it('attaches no validator when none is given', () => {
    // Act
    const { template } = synth({ validatorFunctionArn: undefined });

    // Assess
    for (const profile of Object.values(template.findResources('AWS::AppConfig::ConfigurationProfile'))) {
      expect(profile.Properties.Validators).toBeUndefined();
    }
    template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  it('hashes the translated flags each environment is to serve, kill switches left to their own profile', () => {
    // Act
    const { template, delivery } = synth();

    // Assess: the hash of what the delivery hosts; the flags themselves are not in the template
    const ordersFlags = organisation.services.find((s) => s.name === 'orders')?.flags ?? {};
    const hashOf = (flags: typeof ordersFlags) => sha256(JSON.stringify(toAppConfigFlags(flags, 'staging')));
    // Kill switches ship in their own profile and environment (test/infra/kill-switches.test.ts).
    expect(Object.keys(killSwitchesOf(ordersFlags))).not.toEqual([]);
    expect(delivery.flagsSha256.staging?.orders).toBe(hashOf(flagsWithoutKillSwitches(ordersFlags)));
    expect(delivery.flagsSha256.staging?.orders).not.toBe(hashOf(ordersFlags));
    expect(JSON.stringify(template.toJSON())).not.toContain('new-checkout');
  });

  it('keeps documents and SecureString keys out of the template: documents travel as hashes only', () => {
    // Act
    const { template, delivery } = synth();

    // Assess
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('max-retries');
    expect(json).not.toContain('webhook-signing-key');
    expect(delivery.documentSha256.production?.orders).toMatch(/^[0-9a-f]{64}$/);
  });

  it('creates a deployment strategy per environment from the settings, replicated nowhere', () => {
    // Act
    const { template } = synth();

    // Assess
    template.resourceCountIs('AWS::AppConfig::DeploymentStrategy', 2);
    template.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', {
      Name: 'steward-production',
      DeploymentDurationInMinutes: 20,
      FinalBakeTimeInMinutes: 10,
      GrowthFactor: 20,
      GrowthType: 'LINEAR',
      ReplicateTo: 'NONE',
    });
    template.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', {
      Name: 'steward-staging',
      DeploymentDurationInMinutes: 0,
      GrowthFactor: 100,
      ReplicateTo: 'NONE',
    });
  });

  it("hosts and deploys no flags and no document (the reconcile's delivery deploys both)", () => {
    // Act
    const { template } = synth();

    // Assess
    template.resourceCountIs('AWS::AppConfig::Deployment', 0);
    template.resourceCountIs('AWS::AppConfig::HostedConfigurationVersion', 0);
    template.resourceCountIs('AWS::AppConfig::ConfigurationProfile', 2 * services.length);
  });

  it("hashes every (service, environment)'s flags document for the reconcile, never its flags' values", () => {
    // Act
    const { delivery } = synth();

    // Assess
    expect(Object.keys(delivery.flagsSha256)).toEqual(environmentNames);
    for (const environment of environmentNames) {
      expect(Object.keys(delivery.flagsSha256[environment]!).sort()).toEqual([...services].sort());
      for (const hash of Object.values(delivery.flagsSha256[environment]!))
        expect(hash).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('exposes JSON-serialisable targets and application ARNs', () => {
    // Act
    const { stack, delivery } = synth();

    // Assess
    expect(Object.keys(delivery.targets).sort()).toEqual([...services].sort());
    const resolved = stack.resolve(delivery.targets);
    expect(resolved.orders).toEqual({
      applicationId: { 'Fn::GetAtt': [expect.any(String), 'ApplicationId'] },
      documentProfileId: {
        'Fn::GetAtt': [expect.stringMatching(/DocumentProfile/), 'ConfigurationProfileId'],
      },
      flagsProfileId: { 'Fn::GetAtt': [expect.stringMatching(/FlagsProfile/), 'ConfigurationProfileId'] },
      environments: {
        staging: {
          environmentId: { 'Fn::GetAtt': [expect.stringMatching(/staging/), 'EnvironmentId'] },
          deploymentStrategyId: { 'Fn::GetAtt': [expect.stringMatching(/Strategystaging/), 'Id'] },
        },
        production: {
          environmentId: { 'Fn::GetAtt': [expect.stringMatching(/production/), 'EnvironmentId'] },
          deploymentStrategyId: { 'Fn::GetAtt': [expect.stringMatching(/Strategyproduction/), 'Id'] },
        },
      },
    });
    expect(JSON.stringify(stack.resolve(delivery.targetsJson()))).toContain('Fn::Join');
    expect(JSON.stringify(stack.resolve(delivery.applicationArns['orders']))).toContain(
      ':appconfig:eu-west-1:123456789012:application/',
    );
  });

  it('grants the flag job read access to the hosted flag versions only', () => {
    // Prepare
    const { stack, delivery } = synth();
    const fn = new lambda.Function(stack, 'Job', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => {};'),
    });

    // Act
    delivery.grantReadHostedFlags(fn);

    // Assess
    const template = Template.fromStack(stack);
    const read = new Capture();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [read] },
      Roles: [{ Ref: Match.stringLikeRegexp('JobServiceRole') }],
    });
    expect(read.asObject().Sid).toBe('ReadHostedFlags');
    expect(read.asObject().Action).toEqual([
      'appconfig:ListHostedConfigurationVersions',
      'appconfig:GetHostedConfigurationVersion',
    ]);
    const resources = (read.asObject().Resource as unknown[]).map(flattenCfnReference);
    // Per service: its application's own ARN (both calls authorise on it), its flags profile and that
    // profile's hosted versions: nothing of the document profiles, nothing else in the application.
    expect(resources).toHaveLength(3 * services.length);
    for (const arn of resources) {
      expect(arn).toMatch(
        /^arn:<AWS::Partition>:appconfig:eu-west-1:123456789012:application\/<[^>]*Application[^>]*\.ApplicationId>(\/configurationprofile\/<[^>]*FlagsProfile[^>]*\.ConfigurationProfileId>(\/\*)?)?$/,
      );
    }
    expect(resources.filter((arn) => arn.endsWith('/*'))).toHaveLength(services.length);
    expect(resources.join()).not.toContain('DocumentProfile');
  });

  it('passes the AwsSolutions and Serverless nag packs', () => {
    // Prepare
    const { delivery } = synth();

    // Act
    const findings = nagFindings(delivery);

    // Assess
    expect(findings).toEqual([]);
  });

  it('fails synth, naming the service and environment, when a document does not compose', () => {
    // Prepare
    const broken = defineService({
      name: 'search',
      keys: { 'index-url': url(), greeting: string({ default: 'hi' }) },
      values: { staging: { 'index-url': 'https://search.staging.example.com' } },
    });

    // Act
    const act = () => synth({ registry: registryOf({ services: [broken] }) });

    // Assess
    expect(act).toThrow(/the production document of search does not compose: index-url/);
  });
});
