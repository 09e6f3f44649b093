/**
 * One deployer per document and per flags document: a value or a flag changed in config/ reaches
 * AppConfig through the reconcile's delivery only. Synthesizes the AppConfig resources and the
 * desired-parameters custom resource with config/ before and after a change, and compares what
 * CloudFormation would replace and what the reconcile is told.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { serviceFlagsDocument } from '../../functions/core/flags/profile-document.ts';
import { sha256 } from '../../functions/core/hash.ts';
import type { FlagDefinition, Organisation } from '../../functions/core/model.ts';
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

/** config/ with one flag's rollout of one service changed in one environment. */
function withRollout(
  service: string,
  environment: string,
  flag: string,
  rolloutPercent: number,
): Organisation {
  return {
    ...organisation,
    services: organisation.services.map((s) => {
      if (s.name !== service) return s;
      const definition = s.flags?.[flag] as FlagDefinition;
      const environments = {
        ...definition.environments,
        [environment]: { ...definition.environments[environment], rolloutPercent },
      };
      return { ...s, flags: { ...s.flags, [flag]: { ...definition, environments } } };
    }),
  } as Organisation;
}

type Hashes = Record<string, Record<string, string>>;

/** The hash of orders in production differs, and every other (service, environment)'s is the same. */
function expectOnlyProductionOrdersChanged(before: Hashes, after: Hashes): void {
  expect(after.production!.orders).not.toBe(before.production!.orders);
  expect({ ...after, production: { ...after.production, orders: 'x' } }).toEqual({
    ...before,
    production: { ...before.production, orders: 'x' },
  });
}

describe('One deployment per changed document', () => {
  const before = synth(organisation);
  const after = synth(withValue('orders', 'production', 'max-retries', 6));
  const flagChanged = synth(withRollout('orders', 'production', 'new-checkout', 30));

  it('hosts and deploys no AppConfig version of its own, before or after a value or a flag in config/ changes', () => {
    // Assess: so no deployment of CloudFormation's can meet a delivery's rollout in an environment
    for (const { template } of [before, after, flagChanged]) {
      template.resourceCountIs('AWS::AppConfig::Deployment', 0);
      template.resourceCountIs('AWS::AppConfig::HostedConfigurationVersion', 0);
    }
    expect(Object.keys(before.template.findResources('AWS::AppConfig::ConfigurationProfile'))).toHaveLength(
      2 * before.registry.serviceNames().length,
    );
  });

  it("changes the reconcile's hash of that one document, so its Update requests that delivery", () => {
    // Assess
    expectOnlyProductionOrdersChanged(
      before.reconcile.Properties.DocumentSha256,
      after.reconcile.Properties.DocumentSha256,
    );
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

  it("changes the reconcile's flags hash of that one (service, environment) when a flag changes, and no document hash", () => {
    // Assess
    const flagsBefore = before.reconcile.Properties.FlagsSha256;
    expectOnlyProductionOrdersChanged(flagsBefore, flagChanged.reconcile.Properties.FlagsSha256);
    expect(flagChanged.reconcile.Properties.DocumentSha256).toEqual(
      before.reconcile.Properties.DocumentSha256,
    );
    expect(after.reconcile.Properties.FlagsSha256).toEqual(flagsBefore);
  });

  it("hashes each service's flags document of each environment as the delivery builds and serialises it", () => {
    // Assess
    const hashes = before.reconcile.Properties.FlagsSha256;
    expect(Object.keys(hashes)).toEqual(settings.environments.map((e) => e.name));
    for (const environment of Object.keys(hashes)) {
      expect(Object.keys(hashes[environment]).sort()).toEqual([...before.registry.serviceNames()].sort());
    }
    const flags = serviceFlagsDocument(before.registry.service('orders'), 'production');
    expect(hashes.production.orders).toBe(sha256(JSON.stringify(flags)));
  });

  it('runs the reconcile after the profiles and environments its deliveries deploy to exist', () => {
    // Assess
    const created = [
      'AWS::AppConfig::ConfigurationProfile',
      'AWS::AppConfig::Environment',
      'AWS::AppConfig::Application',
    ].flatMap((type) => Object.keys(before.template.findResources(type)));
    expect(created.length).toBeGreaterThan(0);
    expect(before.reconcile.DependsOn).toEqual(expect.arrayContaining(created));
  });
});
