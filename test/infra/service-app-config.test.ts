import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  DOCUMENT_PROFILE_NAME,
  FEATURE_FLAGS_PROFILE_TYPE,
  FLAGS_PROFILE_NAME,
} from '../../functions/core/names.ts';
import { ServiceAppConfig } from '../../lib/constructs/service-app-config.ts';

function build() {
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const orders = new ServiceAppConfig(stack, 'Service-orders', {
    service: 'orders',
    namePrefix: 'acme-',
    environments: [{ name: 'staging' }, { name: 'production' }],
  });
  return { stack, orders, template: Template.fromStack(stack) };
}

describe('Construct: ServiceAppConfig', () => {
  // Act
  const built = build();

  it('names the application after the service, behind the prefix, with one environment per name', () => {
    built.template.hasResourceProperties('AWS::AppConfig::Application', { Name: 'acme-orders' });
    expect(Object.keys(built.orders.environments)).toEqual(['staging', 'production']);
    built.template.resourceCountIs('AWS::AppConfig::Environment', 2);
  });

  it('creates the document and flags profiles', () => {
    built.template.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', {
      Name: DOCUMENT_PROFILE_NAME,
      Type: 'AWS.Freeform',
      LocationUri: 'hosted',
    });
    built.template.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', {
      Name: FLAGS_PROFILE_NAME,
      Type: FEATURE_FLAGS_PROFILE_TYPE,
      LocationUri: 'hosted',
    });
  });

  it('hosts and deploys no version of either profile: the delivery is their one deployer', () => {
    built.template.resourceCountIs('AWS::AppConfig::HostedConfigurationVersion', 0);
    built.template.resourceCountIs('AWS::AppConfig::Deployment', 0);
  });
});
