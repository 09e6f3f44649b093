/**
 * One deployer per document: a value changed in config/ reaches AppConfig through the reconcile's
 * delivery only. Synthesizes the AppConfig resources and the desired-parameters custom resource twice,
 * with config/ before and after a change, and compares what CloudFormation would replace.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { sha256 } from '../../functions/core/hash.ts';
import type { Organisation } from '../../functions/core/model.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { ConfigDelivery } from '../../lib/constructs/config-delivery.ts';
import { DesiredParameters } from '../../lib/constructs/desired-parameters.ts';
import { loadSettings } from '../../lib/settings.ts';

const settings = loadSettings('config/settings.json');

function synth(org: Organisation) {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const registry = new SchemaRegistry(org, {
    parameterRoot: settings.parameterRoot,
    parameterTier: settings.parameterTier,
    environments: settings.environments.map((e) => e.name),
  });
  const delivery = new ConfigDelivery(stack, 'Delivery', { settings, registry });
  new DesiredParameters(stack, 'DesiredParameters', { settings, registry, appConfig: delivery });
  const template = Template.fromStack(stack);
  const [reconcile] = Object.values(template.findResources('Custom::StewardDesiredParameters'));
  return { registry, template, reconcile: reconcile! };
}

/** config/ with one service's desired value changed in one environment. */
function withValue(service: string, environment: string, key: string, value: unknown): Organisation {
  return {
    ...organisation,
    services: organisation.services.map((s) =>
      s.name === service
        ? { ...s, values: { ...s.values, [environment]: { ...s.values[environment], [key]: value } } }
        : s,
    ),
  } as Organisation;
}

describe('One deployment per changed document', () => {
  const before = synth(organisation);
  const after = synth(withValue('orders', 'production', 'max-retries', 6));

  it('replaces no AppConfig deployment or hosted version when a value in config/ changes', () => {
    // Assess: same logical ids, same properties, so CloudFormation starts no deployment of its own
    for (const type of ['AWS::AppConfig::Deployment', 'AWS::AppConfig::HostedConfigurationVersion']) {
      expect(after.template.findResources(type)).toEqual(before.template.findResources(type));
    }
    expect(Object.keys(before.template.findResources('AWS::AppConfig::Deployment')).length).toBeGreaterThan(
      0,
    );
  });

  it("changes the reconcile's hash of that one document, so its Update requests that delivery", () => {
    // Assess
    const hashesBefore = before.reconcile.Properties.DocumentSha256;
    const hashesAfter = after.reconcile.Properties.DocumentSha256;
    expect(hashesAfter.production.orders).not.toBe(hashesBefore.production.orders);
    expect({ ...hashesAfter, production: { ...hashesAfter.production, orders: 'x' } }).toEqual({
      ...hashesBefore,
      production: { ...hashesBefore.production, orders: 'x' },
    });
    expect(after.reconcile.Properties.DesiredStateSha256).not.toBe(
      before.reconcile.Properties.DesiredStateSha256,
    );
  });

  it("hashes each service's document of each environment as composed from config/", () => {
    // Assess
    const hashes = before.reconcile.Properties.DocumentSha256;
    expect(Object.keys(hashes)).toEqual(settings.environments.map((e) => e.name));
    for (const environment of Object.keys(hashes)) {
      expect(Object.keys(hashes[environment]).sort()).toEqual([...before.registry.serviceNames()].sort());
    }
    const composed = before.registry.compose('orders', 'production');
    expect(composed.ok).toBe(true);
    expect(hashes.production.orders).toBe(
      sha256(JSON.stringify(composed.ok ? composed.document : undefined)),
    );
  });

  it("runs the reconcile after every flags deployment, so its deliveries never meet the stack's in an environment", () => {
    // Assess
    const flagDeployments = Object.keys(before.template.findResources('AWS::AppConfig::Deployment'));
    expect(flagDeployments.every((id) => id.includes('DeployFlags'))).toBe(true);
    expect(before.reconcile.DependsOn).toEqual(expect.arrayContaining(flagDeployments));
  });
});
