import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import { describe, expect, it } from 'vitest';
import { ServiceAppConfig } from '../../lib/constructs/service-app-config.ts';

const FLAGS = JSON.stringify({ version: '1', flags: {}, values: {} });

function build(deployInitialVersions: boolean) {
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const strategy = new appconfig.CfnDeploymentStrategy(stack, 'Strategy', {
    name: 'steward-all',
    deploymentDurationInMinutes: 0,
    growthFactor: 100,
    replicateTo: 'NONE',
  });
  const orders = new ServiceAppConfig(stack, 'Service-orders', {
    service: 'orders',
    namePrefix: 'acme-',
    deployInitialVersions,
    environments: ['staging', 'production'].map((name) => ({
      name,
      strategy,
      flags: FLAGS,
    })),
  });
  return { stack, orders, template: Template.fromStack(stack) };
}

describe('Construct: ServiceAppConfig', () => {
  // Act
  const deployed = build(true);
  const hostedOnly = build(false);

  it('names the application after the service, behind the prefix, with one environment per name', () => {
    deployed.template.hasResourceProperties('AWS::AppConfig::Application', { Name: 'acme-orders' });
    expect(Object.keys(deployed.orders.environments)).toEqual(['staging', 'production']);
    deployed.template.resourceCountIs('AWS::AppConfig::Environment', 2);
  });

  it("hosts each environment's flags versions one after the other, labelled by environment and content", () => {
    const versions = deployed.template.findResources('AWS::AppConfig::HostedConfigurationVersion');
    const byId = (id: string) => Object.entries(versions).find(([logicalId]) => logicalId.includes(id));
    const [stagingFlagsId] = byId('Flagsstaging') ?? [];
    const [, productionFlags] = byId('Flagsproduction') ?? [];
    expect(productionFlags?.DependsOn).toContain(stagingFlagsId);
    expect(productionFlags?.Properties.VersionLabel).toMatch(/^production-[0-9a-f]{8}$/);
  });

  it("hosts and deploys no document version: the reconcile's delivery is its one deployer", () => {
    const profileOf = (resources: Record<string, Record<string, { ConfigurationProfileId?: unknown }>>) =>
      Object.values(resources).map((r) => r.Properties?.ConfigurationProfileId);
    const flagsProfile = { 'Fn::GetAtt': [expect.stringMatching(/FlagsProfile/), 'ConfigurationProfileId'] };
    const versions = deployed.template.findResources('AWS::AppConfig::HostedConfigurationVersion');
    const deployments = deployed.template.findResources('AWS::AppConfig::Deployment');
    expect(profileOf(versions)).toEqual([flagsProfile, flagsProfile]);
    expect(profileOf(deployments)).toEqual([flagsProfile, flagsProfile]);
  });

  it('deploys the flags in each environment, or nothing when deployment is left to others', () => {
    deployed.template.resourceCountIs('AWS::AppConfig::Deployment', 2);
    hostedOnly.template.resourceCountIs('AWS::AppConfig::Deployment', 0);
    hostedOnly.template.resourceCountIs('AWS::AppConfig::HostedConfigurationVersion', 2);
  });
});
