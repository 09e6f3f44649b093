import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { killSwitchDocument, killSwitchesOf } from '../../functions/core/flags/kill-switches.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ConfigConsumer } from '../../lib/constructs/config-consumer.ts';
import { ConfigDelivery } from '../../lib/constructs/config-delivery.ts';
import { KillSwitches } from '../../lib/constructs/kill-switches.ts';
import { nagFindings } from '../../lib/nag.ts';
import { loadSettings } from '../../lib/settings.ts';

const settings = loadSettings('config/settings.json');
const registry = new SchemaRegistry(organisation, {
  parameterRoot: settings.parameterRoot,
  parameterTier: settings.parameterTier,
  environments: settings.environments.map((e) => e.name),
});
const environmentNames = settings.environments.map((e) => e.name);
/** The services of config/ that declare kill switches (orders, in the example). */
const withSwitches = organisation.services.filter((s) => Object.keys(killSwitchesOf(s.flags)).length > 0);
const BUS_ARN = 'arn:aws:events:eu-west-1:123456789012:event-bus/config-steward';

function synth() {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const delivery = new ConfigDelivery(stack, 'Delivery', { settings, registry });
  const switches = new KillSwitches(stack, 'KillSwitches', {
    settings,
    registry,
    applications: delivery.applications,
    eventBusArn: BUS_ARN,
  });
  return {
    stack,
    delivery,
    switches,
    get template() {
      return Template.fromStack(stack);
    },
  };
}

/** The statements of the operator's managed policy, resolved. */
function operatorStatements(
  template: Template,
): { Sid: string; Action: string | string[]; Resource: unknown }[] {
  const policies = Object.values(template.findResources('AWS::IAM::ManagedPolicy'));
  expect(policies).toHaveLength(1);
  return policies[0]!.Properties.PolicyDocument.Statement;
}

describe('Construct: KillSwitches', () => {
  // One synth for the tests that only read it: the first synth of a file (aws-cdk-lib's first load)
  // can take over 30 s on a loaded machine, so it runs in a hook with room for that.
  let shared: ReturnType<typeof synth> & { template: Template };
  beforeAll(() => {
    const built = synth();
    shared = { ...built, template: built.template };
  }, 180_000);

  it('deploys with one all-at-once strategy without bake', () => {
    // Act
    const { stack, switches, template } = shared;

    // Assess
    template.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', {
      Name: 'steward-kill-switch',
      DeploymentDurationInMinutes: 0,
      FinalBakeTimeInMinutes: 0,
      GrowthFactor: 100,
      GrowthType: 'LINEAR',
    });
    const deployments = Object.values(template.findResources('AWS::AppConfig::Deployment')).filter((d) =>
      String(d.Properties.Description).startsWith('Kill switches'),
    );
    expect(deployments).toHaveLength(withSwitches.length * environmentNames.length);
    const strategyIds = new Set(deployments.map((d) => JSON.stringify(d.Properties.DeploymentStrategyId)));
    expect([...strategyIds]).toEqual([JSON.stringify({ Ref: stack.getLogicalId(switches.strategy) })]);
  });

  it('gives each service with switches a kill-switches profile and its own environment per Steward environment, without alarms', () => {
    // Act
    const { template } = shared;

    // Assess
    expect(withSwitches.length).toBeGreaterThan(0);
    template.resourcePropertiesCountIs(
      'AWS::AppConfig::ConfigurationProfile',
      { Name: 'kill-switches', Type: 'AWS.AppConfig.FeatureFlags', LocationUri: 'hosted' },
      withSwitches.length,
    );
    for (const environment of environmentNames) {
      const switchEnvironments = template.findResources('AWS::AppConfig::Environment', {
        Properties: { Name: `${environment}-kill-switches` },
      });
      expect(Object.keys(switchEnvironments)).toHaveLength(withSwitches.length);
      for (const resource of Object.values(switchEnvironments))
        expect(resource.Properties.Monitors).toBeUndefined();
    }
  });

  it('ships the switches of config/ as each environment holds them', () => {
    // Act
    const { template } = shared;

    // Assess
    const contents = Object.values(template.findResources('AWS::AppConfig::HostedConfigurationVersion')).map(
      (v) => v.Properties.Content as string,
    );
    for (const service of withSwitches) {
      for (const environment of environmentNames) {
        expect(contents).toContain(JSON.stringify(killSwitchDocument(service.flags, environment)));
      }
    }
  });

  it("grants the operator's policy exactly what steward kill calls, on the kill-switch resources", () => {
    // Act
    const { template } = shared;

    // Assess
    const statements = operatorStatements(template);
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual(
      [
        'appconfig:CreateHostedConfigurationVersion',
        'appconfig:GetDeployment',
        'appconfig:GetHostedConfigurationVersion',
        'appconfig:ListApplications',
        'appconfig:ListConfigurationProfiles',
        'appconfig:ListDeploymentStrategies',
        'appconfig:ListDeployments',
        'appconfig:ListEnvironments',
        'appconfig:ListHostedConfigurationVersions',
        'appconfig:StartDeployment',
        'events:PutEvents',
        'ssm:CreateOpsItem',
        'ssm:DescribeOpsItems',
        'ssm:UpdateOpsItem',
      ].sort(),
    );
    expect(bySid['AnnounceFlip']?.Resource).toBe(BUS_ARN);
    const deploy = JSON.stringify(bySid['DeploySwitches']?.Resource);
    expect(deploy).toContain('/environment/');
    expect(deploy).toContain('/configurationprofile/');
    expect(deploy).toMatch(/deploymentstrategy\/".*KillSwitchesStrategy/);
    // Only the switch environments: never the document's own environment.
    const environments = (bySid['ReadDeployedSwitches']?.Resource as unknown[]).map((r) => JSON.stringify(r));
    expect(environments).toHaveLength(withSwitches.length * environmentNames.length);
    for (const arn of environments) expect(arn).toMatch(/KillSwitchesEnvironment/);
    const deployments = (bySid['ConfirmSwitchDeployment']?.Resource as unknown[]).map((r) =>
      JSON.stringify(r),
    );
    expect(deployments).toHaveLength(environments.length);
    for (const arn of deployments) expect(arn).toMatch(/KillSwitchesEnvironment.*\/deployment\/\*/);
    expect(JSON.stringify(statements)).not.toMatch(/"DeliveryService[^"]*Environment[^"]*"/);
  });

  it('passes cdk-nag, its wildcard pairs acknowledged one by one', () => {
    // Prepare
    const { stack } = shared;

    // Act
    const findings = nagFindings(stack).filter((f) => f.resource.includes('KillSwitches'));

    // Assess
    expect(findings).toEqual([]);
  });

  it('outputs the ids steward kill reads as STEWARD_KILL_SWITCHES', () => {
    // Act
    const { template } = shared;

    // Assess
    template.hasOutput('*', {
      Description: Match.stringLikeRegexp('STEWARD_KILL_SWITCHES'),
      Value: Match.anyValue(),
    });
  });

  it('lets a consumer of a service with switches prefetch and read them, in its environment only', () => {
    // Prepare
    const { stack, delivery, switches } = synth();
    const service = withSwitches[0]!.name;
    const fn = new lambda.Function(stack, 'Consumer', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => {};'),
    });

    // Act
    new ConfigConsumer(stack, 'Consumers', { delivery, killSwitches: switches.targets }).grantConfig(
      fn,
      service,
      'production',
    );

    // Assess
    const template = Template.fromStack(stack);
    const variables = Object.values(template.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Environment?.Variables?.STEWARD_APPCONFIG_SWITCHES_PROFILE,
    )?.Properties.Environment.Variables;
    const environmentId = stack.resolve(switches.environments[service]!['production']!.attrEnvironmentId);
    const profileId = stack.resolve(switches.profiles[service]!.attrConfigurationProfileId);
    expect(variables.STEWARD_APPCONFIG_SWITCHES_ENVIRONMENT).toEqual(environmentId);
    expect(variables.STEWARD_APPCONFIG_SWITCHES_PROFILE).toEqual(profileId);
    const prefetch = JSON.stringify(variables.AWS_APPCONFIG_EXTENSION_PREFETCH_LIST);
    expect(prefetch).toContain(JSON.stringify(environmentId));
    expect(prefetch).toContain(JSON.stringify(profileId));
    const policy = JSON.stringify(
      Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
        JSON.stringify(p).includes('Consumer'),
      )?.Properties.PolicyDocument.Statement,
    );
    expect(policy).toContain('appconfig:GetLatestConfiguration');
    expect(policy).toContain(JSON.stringify(environmentId));
    const staging = stack.resolve(switches.environments[service]!['staging']!.attrEnvironmentId);
    expect(policy).not.toContain(JSON.stringify(staging));
  });

  it('lets the drift job read what the kill-switch environments deployed, and nothing else', () => {
    // Prepare
    const { stack, switches } = synth();
    const fn = new lambda.Function(stack, 'DriftJob', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => {};'),
    });

    // Act
    switches.grantReadDeployed(fn);

    // Assess
    const template = Template.fromStack(stack);
    // The ids travel in the stack's target parameters (appconfig-target-parameters.test.ts), not here.
    const drift = Object.values(template.findResources('AWS::Lambda::Function')).find((f) =>
      JSON.stringify(f.Properties.Role).includes('DriftJob'),
    );
    expect(drift).toBeDefined();
    expect(JSON.stringify(drift)).not.toContain('STEWARD_KILL_SWITCHES');
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('DriftJob'))
      .flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      );
    expect(statements.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      'appconfig:GetDeployment',
      'appconfig:GetHostedConfigurationVersion',
      'appconfig:ListDeployments',
    ]);
    const getDeployment = statements.find((s) => s.Action === 'appconfig:GetDeployment');
    expect(JSON.stringify(getDeployment?.Resource)).toMatch(/KillSwitchesEnvironment.*\/deployment\/\*/);
    expect(JSON.stringify(getDeployment?.Resource)).not.toMatch(/"DeliveryService[^"]*Environment[^"]*"/);
    const listDeployments = statements.find((s) => s.Action === 'appconfig:ListDeployments');
    expect(JSON.stringify(listDeployments?.Resource)).toMatch(/KillSwitchesEnvironment/);
    expect(JSON.stringify(listDeployments?.Resource)).not.toMatch(/"DeliveryService[^"]*Environment[^"]*"/);
    expect(
      nagFindings(stack).filter((f) => f.resource.includes('DriftJob') && f.rule.includes('Wildcard')),
    ).toEqual([]);
  });
});
