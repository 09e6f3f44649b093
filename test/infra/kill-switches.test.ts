import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { killSwitchDocument, killSwitchesOf } from '../../functions/core/flags/kill-switches.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { flattenCfnReference } from '../../lib/cfn-reference.ts';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ConfigConsumer } from '../../lib/constructs/config-consumer.ts';
import { ConfigDelivery } from '../../lib/constructs/config-delivery.ts';
import { KillSwitches, operatorServicesPerPolicy } from '../../lib/constructs/kill-switches.ts';
import { nagFindings } from '../../lib/nag.ts';
import { type PolicyTemplate, policySizeFindings } from '../../lib/policy-size.ts';
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
    expect([...new Set(statements.flatMap((s) => [s.Action].flat()))].sort()).toEqual(
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
    const resourcesOf = (action: string) =>
      statements
        .filter((s) => [s.Action].flat().includes(action))
        .flatMap((s) => [s.Resource].flat().map(flattenCfnReference));
    // A deployment: the application itself, exactly the switch environments, the switches profile and
    // the kill-switch strategy; no wildcard.
    const deploy = resourcesOf('appconfig:StartDeployment');
    expect(deploy.filter((arn) => arn.includes('*'))).toEqual([]);
    expect(deploy.filter((arn) => arn.includes('/environment/'))).toHaveLength(
      withSwitches.length * environmentNames.length,
    );
    expect(deploy.filter((arn) => arn.includes('/configurationprofile/'))).toHaveLength(withSwitches.length);
    expect(deploy.filter((arn) => /deploymentstrategy\/<KillSwitchesStrategy/.test(arn))).toHaveLength(1);
    // Only the switch environments: never the document's own environment.
    const environments = statements
      .flatMap((s) => [s.Resource].flat().map(flattenCfnReference))
      .filter((arn) => arn.includes('/environment/') && !arn.includes('/deployment/'));
    expect(new Set(environments).size).toBe(withSwitches.length * environmentNames.length);
    for (const arn of environments) expect(arn).toMatch(/<KillSwitchesEnvironment/);
    expect(resourcesOf('appconfig:ListDeployments').filter((arn) => arn.includes('*'))).toEqual([]);
    const deployments = [bySid['ConfirmSwitchDeployment']?.Resource].flat().map(flattenCfnReference);
    expect(deployments).toHaveLength(environments.length);
    for (const arn of deployments) expect(arn).toMatch(/<KillSwitchesEnvironment[^>]*>\/deployment\/\*$/);
    expect(JSON.stringify(statements)).not.toMatch(/"DeliveryService[^"]*Environment[^"]*"/);
    // A wildcard only where nothing can be named: listings on '*', switch versions, OpsItem ids.
    for (const arn of statements.flatMap((s) => [s.Resource].flat().map(flattenCfnReference))) {
      if (arn.includes('*'))
        expect(arn).toMatch(
          /^\*$|KillSwitchesProfile[^>]*>\/hostedconfigurationversion\/\*$|KillSwitchesEnvironment[^>]*>\/deployment\/\*$|:opsitem\/\*$/,
        );
    }
  });

  it("spreads the operator's grant over more managed policies when the switches of more services would not fit one", () => {
    // Prepare: as many copies of a service with switches as fill one policy, and one more
    const perPolicy = operatorServicesPerPolicy(environmentNames.length);
    const copies = Array.from({ length: perPolicy + 1 }, (_, i) => ({
      ...withSwitches[0]!,
      name: `switched-${i}`,
    }));
    const fleet = new SchemaRegistry(
      { services: copies },
      {
        parameterRoot: settings.parameterRoot,
        parameterTier: settings.parameterTier,
        environments: environmentNames,
      },
    );
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Fleet');
    const delivery = new ConfigDelivery(stack, 'Delivery', { settings, registry: fleet });

    // Act
    const switches = new KillSwitches(stack, 'KillSwitches', {
      settings,
      registry: fleet,
      applications: delivery.applications,
      eventBusArn: BUS_ARN,
    });

    // Assess
    expect(switches.operatorPolicies).toHaveLength(2);
    expect(switches.operatorPolicy).toBe(switches.operatorPolicies[0]);
    const template = Template.fromStack(stack).toJSON() as PolicyTemplate;
    expect(policySizeFindings(template)).toEqual([]);
    const environments = switches.operatorPolicies.flatMap((policy) =>
      (
        stack.resolve((policy.node.defaultChild as iam.CfnManagedPolicy).policyDocument).Statement as {
          Resource: unknown;
        }[]
      )
        .flatMap((st) => [st.Resource].flat().map(flattenCfnReference))
        .filter((arn) => arn.includes('/environment/') && !arn.includes('/deployment/')),
    );
    expect(new Set(environments).size).toBe(copies.length * environmentNames.length);
    for (const arn of environments) expect(arn).toMatch(/<KillSwitchesEnvironment/);
    expect(nagFindings(stack).filter((f) => f.resource.includes('OperatorPolicy'))).toEqual([]);
  });

  it('keeps a role granted per application out of the kill-switch environments and profiles, with an exact Deny', () => {
    // Prepare
    const { stack, switches } = synth();
    const role = new iam.Role(stack, 'Deliverer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });

    // Act
    switches.keepOut(role);

    // Assess
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('Deliverer'))
      .flatMap(
        (p) =>
          p.Properties.PolicyDocument.Statement as { Effect: string; Action: unknown; Resource: unknown }[],
      );
    expect(statements).toHaveLength(1);
    expect(statements[0]!.Effect).toBe('Deny');
    expect([statements[0]!.Action].flat().sort()).toEqual([
      'appconfig:CreateHostedConfigurationVersion',
      'appconfig:StartDeployment',
    ]);
    const denied = [statements[0]!.Resource].flat().map(flattenCfnReference);
    expect(denied.filter((arn) => /\/environment\/<KillSwitchesEnvironment/.test(arn))).toHaveLength(
      withSwitches.length * environmentNames.length,
    );
    expect(denied.filter((arn) => /\/configurationprofile\/<KillSwitchesProfile/.test(arn))).toHaveLength(
      withSwitches.length,
    );
    expect(denied).toHaveLength((environmentNames.length + 1) * withSwitches.length);
    expect(denied.join()).not.toContain('*');
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
    expect([...new Set(statements.flatMap((s) => [s.Action].flat()))].sort()).toEqual([
      'appconfig:GetDeployment',
      'appconfig:GetHostedConfigurationVersion',
      'appconfig:ListDeployments',
    ]);
    const resourcesOf = (action: string) =>
      statements
        .filter((s) => [s.Action].flat().includes(action))
        .flatMap((s) => [s.Resource].flat().map(flattenCfnReference));
    // The kill-switch environments (and their deployments), and their applications' own ARN only.
    const application =
      /^arn:<AWS::Partition>:appconfig:eu-west-1:123456789012:application\/<[^>]*Application[^>]*\.ApplicationId>$/;
    for (const action of ['appconfig:ListDeployments', 'appconfig:GetDeployment']) {
      const arns = resourcesOf(action).filter((arn) => !application.test(arn));
      expect(arns.length, action).toBeGreaterThan(0);
      for (const arn of arns)
        expect(arn).toMatch(/\/environment\/<KillSwitchesEnvironment[^>]*>(\/deployment\/\*)?$/);
    }
    expect(
      resourcesOf('appconfig:GetDeployment').filter((arn) => arn.endsWith('/deployment/*')),
    ).toHaveLength(withSwitches.length * environmentNames.length);
    expect(resourcesOf('appconfig:ListDeployments').join()).not.toContain('*');
    for (const arn of resourcesOf('appconfig:GetHostedConfigurationVersion').filter(
      (a) => !application.test(a),
    ))
      expect(arn).toMatch(/\/configurationprofile\/<KillSwitchesProfile[^>]*>(\/\*)?$/);
    expect(JSON.stringify(statements)).not.toMatch(/"DeliveryService[^"]*Environment[^"]*"/);
    expect(
      nagFindings(stack).filter((f) => f.resource.includes('DriftJob') && f.rule.includes('Wildcard')),
    ).toEqual([]);
  });
});
