import { App, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import {
  APPCONFIG_EXTENSION_LAYERS,
  APPCONFIG_EXTENSION_VERSION,
  appConfigExtensionLayerArn,
  ConfigConsumer,
  UnsupportedRegionError,
} from '../../lib/constructs/config-consumer.ts';
import { ConfigDelivery } from '../../lib/constructs/config-delivery.ts';
import { loadSettings } from '../../lib/settings.ts';

const settings = loadSettings('config/settings.json');
const registry = new SchemaRegistry(organisation, {
  parameterRoot: settings.parameterRoot,
  environments: settings.environments.map((e) => e.name),
});

function setup(region?: string, architecture = lambda.Architecture.ARM_64) {
  const stack = new Stack(
    new App({ context: { 'aws:cdk:bundling-stacks': [] } }),
    'Test',
    region ? { env: { account: '123456789012', region } } : {},
  );
  const delivery = new ConfigDelivery(stack, 'Delivery', { settings, registry });
  const consumers = new ConfigConsumer(stack, 'Consumers', { delivery });
  const fn = new lambda.Function(stack, 'OrdersApi', {
    runtime: lambda.Runtime.NODEJS_22_X,
    architecture,
    handler: 'index.handler',
    code: lambda.Code.fromInline('export const handler = async () => {};'),
  });
  return { stack, delivery, consumers, fn };
}

// The ARNs exactly as the AWS AppConfig documentation lists them for version 2.0.17054.0.
const documented: [string, string, string][] = [
  ['us-east-1', 'x86_64', 'arn:aws:lambda:us-east-1:027255383542:layer:AWS-AppConfig-Extension:321'],
  ['us-east-1', 'arm64', 'arn:aws:lambda:us-east-1:027255383542:layer:AWS-AppConfig-Extension-Arm64:254'],
  ['us-east-2', 'x86_64', 'arn:aws:lambda:us-east-2:728743619870:layer:AWS-AppConfig-Extension:277'],
  ['us-east-2', 'arm64', 'arn:aws:lambda:us-east-2:728743619870:layer:AWS-AppConfig-Extension-Arm64:229'],
  ['us-west-2', 'x86_64', 'arn:aws:lambda:us-west-2:359756378197:layer:AWS-AppConfig-Extension:373'],
  ['us-west-2', 'arm64', 'arn:aws:lambda:us-west-2:359756378197:layer:AWS-AppConfig-Extension-Arm64:275'],
  ['eu-west-1', 'x86_64', 'arn:aws:lambda:eu-west-1:434848589818:layer:AWS-AppConfig-Extension:303'],
  ['eu-west-1', 'arm64', 'arn:aws:lambda:eu-west-1:434848589818:layer:AWS-AppConfig-Extension-Arm64:241'],
  ['eu-central-1', 'x86_64', 'arn:aws:lambda:eu-central-1:066940009817:layer:AWS-AppConfig-Extension:295'],
  [
    'eu-central-1',
    'arm64',
    'arn:aws:lambda:eu-central-1:066940009817:layer:AWS-AppConfig-Extension-Arm64:238',
  ],
  [
    'ap-southeast-2',
    'x86_64',
    'arn:aws:lambda:ap-southeast-2:080788657173:layer:AWS-AppConfig-Extension:313',
  ],
  [
    'ap-southeast-2',
    'arm64',
    'arn:aws:lambda:ap-southeast-2:080788657173:layer:AWS-AppConfig-Extension-Arm64:256',
  ],
];

describe('Function: appConfigExtensionLayerArn', () => {
  it.each(documented)('gives the documented layer in %s for %s', (region, architecture, arn) => {
    // Act
    const layer = appConfigExtensionLayerArn(region, architecture as 'x86_64' | 'arm64');

    // Assess
    expect(layer).toBe(arn);
  });

  it('names the unsupported region and the supported ones', () => {
    // Act
    const act = () => appConfigExtensionLayerArn('xx-mars-1', 'arm64');

    // Assess
    expect(act).toThrow(UnsupportedRegionError);
    expect(act).toThrow(/"xx-mars-1".*supported: us-east-1, us-east-2/);
  });

  it('documents the extension version it lists', () => {
    // Assess
    expect(APPCONFIG_EXTENSION_VERSION).toBe('2.0.17054.0');
    expect(Object.keys(APPCONFIG_EXTENSION_LAYERS)).toEqual(
      expect.arrayContaining([
        'us-east-1',
        'us-east-2',
        'us-west-2',
        'eu-west-1',
        'eu-central-1',
        'ap-southeast-2',
      ]),
    );
  });
});

describe('Construct: ConfigConsumer', () => {
  it.each(documented)('adds the extension layer of %s (%s) to the function', (region, architecture, arn) => {
    // Prepare
    const { stack, consumers, fn } = setup(
      region,
      architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
    );

    // Act
    consumers.grantConfig(fn, 'orders', 'production');

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Layers: [arn] });
  });

  it('fails synth for a region without a documented layer', () => {
    // Prepare
    const { consumers, fn } = setup('xx-mars-1');

    // Act
    const act = () => consumers.grantConfig(fn, 'orders', 'production');

    // Assess
    expect(act).toThrow(UnsupportedRegionError);
  });

  it('looks the layer up by region at deploy time in an environment-agnostic stack', () => {
    // Prepare
    const { stack, consumers, fn } = setup();

    // Act
    consumers.grantConfig(fn, 'orders', 'production');

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Layers: [
        {
          'Fn::FindInMap': [
            Match.stringLikeRegexp('AppConfigExtensionLayers'),
            { Ref: 'AWS::Region' },
            'arm64',
          ],
        },
      ],
    });
    const mappings = template.findMappings('*');
    const [mapping] = Object.values(mappings);
    expect(mapping?.['eu-west-1']).toEqual({
      x8664: 'arn:aws:lambda:eu-west-1:434848589818:layer:AWS-AppConfig-Extension:303',
      arm64: 'arn:aws:lambda:eu-west-1:434848589818:layer:AWS-AppConfig-Extension-Arm64:241',
    });
  });

  it('sets the extension and client environment variables', () => {
    // Prepare
    const { stack, consumers, fn } = setup('eu-west-1');

    // Act
    consumers.grantConfig(fn, 'orders', 'production');

    // Assess
    const variables = new Capture();
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: variables },
    });
    const vars = variables.asObject();
    expect(vars.AWS_APPCONFIG_EXTENSION_POLL_INTERVAL_SECONDS).toBe('45');
    expect(vars.STEWARD_CONFIG_POLL_SECONDS).toBe('45');
    expect(vars.STEWARD_APPCONFIG_APPLICATION).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/Serviceorders/), 'ApplicationId'],
    });
    expect(vars.STEWARD_APPCONFIG_ENVIRONMENT).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/Serviceorders.*production/), 'EnvironmentId'],
    });
    expect(vars.STEWARD_APPCONFIG_PROFILE).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/ordersDocumentProfile/), 'ConfigurationProfileId'],
    });
    expect(vars.STEWARD_APPCONFIG_FLAGS_PROFILE).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/ordersFlagsProfile/), 'ConfigurationProfileId'],
    });
    const prefetch = JSON.stringify(vars.AWS_APPCONFIG_EXTENSION_PREFETCH_LIST);
    expect(prefetch).toContain('/applications/');
    expect(prefetch).toContain('/configurations/');
    expect(prefetch).toMatch(/DocumentProfile.*,\/applications\/.*FlagsProfile/);
  });

  it('honours a custom poll interval', () => {
    // Prepare
    const { stack, delivery, fn } = setup('eu-west-1');
    const consumers = new ConfigConsumer(stack, 'FastConsumers', { delivery, pollIntervalSeconds: 10 });

    // Act
    consumers.grantConfig(fn, 'payments', 'staging');

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          AWS_APPCONFIG_EXTENSION_POLL_INTERVAL_SECONDS: '10',
          STEWARD_CONFIG_POLL_SECONDS: '10',
        }),
      },
    });
  });

  it('grants the two data-plane reads on exactly the two profiles of that environment', () => {
    // Prepare
    const { stack, consumers, fn } = setup('eu-west-1');

    // Act
    consumers.grantConfig(fn, 'orders', 'production');

    // Assess
    const statement = new Capture();
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [statement] },
      Roles: [{ Ref: Match.stringLikeRegexp('OrdersApiServiceRole') }],
    });
    expect(statement.asObject().Action).toEqual([
      'appconfig:StartConfigurationSession',
      'appconfig:GetLatestConfiguration',
    ]);
    const resources = statement.asObject().Resource as unknown[];
    expect(resources).toHaveLength(2);
    const [document, flags] = resources.map((r) => JSON.stringify(r));
    expect(document).toMatch(
      /^\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":appconfig:eu-west-1:123456789012:application\/"/,
    );
    for (const [arn, profile] of [
      [document, 'DocumentProfile'],
      [flags, 'FlagsProfile'],
    ] as const) {
      expect(arn).toMatch(
        /Serviceorders.*ApplicationId.*"\/environment\/".*production.*EnvironmentId.*"\/configuration\/"/,
      );
      expect(arn).toContain(profile);
      expect(arn).not.toContain('*');
    }
  });

  it('refuses an unknown service or environment, and a second service for one function', () => {
    // Prepare
    const { consumers, fn } = setup('eu-west-1');

    // Act & Assess
    expect(() => consumers.grantConfig(fn, 'shipping', 'production')).toThrow('unknown service "shipping"');
    expect(() => consumers.grantConfig(fn, 'orders', 'qa')).toThrow('unknown environment "qa"');
    consumers.grantConfig(fn, 'orders', 'production');
    expect(() => consumers.grantConfig(fn, 'orders', 'production')).not.toThrow();
    expect(() => consumers.grantConfig(fn, 'payments', 'production')).toThrow(
      'already reads orders/production',
    );
  });
});
