/**
 * The stack's AppConfig and kill-switch ids in parameters instead of environment variables: what each
 * function gets (the path, one read of it), what the parameters hold, that they never count as
 * configuration, and that a fleet fits (Lambda's 4 KB of variables, a Standard parameter's 4 KB).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { ConfigurationError } from '../../functions/core/errors.ts';
import { readDeployedState } from '../../functions/core/drift/read.ts';
import type { Organisation } from '../../functions/core/model.ts';
import { mergeTargetChunks } from '../../functions/core/target-chunks.ts';
import {
  AppConfigTargetParameters,
  TARGETS_CHUNK_BUDGET_BYTES,
} from '../../lib/constructs/appconfig-target-parameters.ts';
import { environmentBytes, LAMBDA_ENVIRONMENT_BYTES, resolvedBytes } from '../../lib/resolved-size.ts';
import { loadSettings, type Settings } from '../../lib/settings.ts';
import { ConfigStewardStack } from '../../lib/steward-stack.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { largeOrganisation, withEnvironmentLike } from '../support/large-organisation.ts';
import { driftSourceOf } from '../support/parameter-store-drift-source.ts';

const settings = loadSettings('config/settings.json');
const PATH = '/config-steward/ConfigSteward/appconfig-targets';
/** The functions that deploy or read AppConfig by id. */
const READERS = [
  'config-steward-deliver-changes',
  'config-steward-drift-job',
  'config-steward-flag-expiry-job',
];

/** A template resource, as the assertions library gives it. */
type Resource = ReturnType<Template['findResources']>[string];

function synth(org: Organisation = organisation, overrides: Partial<Settings> = {}) {
  // CDK refuses a stack over CloudFormation's 500 resources; the scale test measures past it.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new ConfigStewardStack(app, 'ConfigSteward', {
    settings: { ...settings, ...overrides },
    organisation: org,
  });
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, Resource>;
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  return { stack, resources, ofType };
}

/** A resolved value with each reference replaced by a stand-in named after it, as text. */
function standIn(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(standIn).join('');
  const intrinsic = value as {
    'Fn::Join'?: [string, unknown[]];
    'Fn::GetAtt'?: [string, string];
    Ref?: string;
  };
  if (intrinsic['Fn::Join']) return intrinsic['Fn::Join'][1].map(standIn).join(intrinsic['Fn::Join'][0]);
  if (intrinsic['Fn::GetAtt']) return `${intrinsic['Fn::GetAtt'][0]}.${intrinsic['Fn::GetAtt'][1]}`;
  return `ref-${intrinsic['Ref']}`;
}

const serviceName = (fn: Resource) => String(fn.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME);

describe('Construct: AppConfigTargetParameters in the stack', () => {
  const { stack, ofType } = synth();
  const functions = ofType('AWS::Lambda::Function');
  const policies = ofType('AWS::IAM::Policy');
  const parameters = ofType('AWS::SSM::Parameter');

  it('leaves the ids out of every function environment; the readers get the path', () => {
    // Assess
    for (const [, fn] of functions) {
      const variables = fn.Properties.Environment?.Variables ?? {};
      expect(variables).not.toHaveProperty('STEWARD_APPCONFIG');
      expect(variables).not.toHaveProperty('STEWARD_KILL_SWITCHES');
    }
    const withPath = functions.filter(
      ([, fn]) => fn.Properties.Environment?.Variables?.STEWARD_APPCONFIG_TARGETS_PATH,
    );
    expect(withPath.map(([, fn]) => serviceName(fn)).sort()).toEqual(READERS);
    for (const [, fn] of withPath)
      expect(fn.Properties.Environment.Variables.STEWARD_APPCONFIG_TARGETS_PATH).toBe(PATH);
  });

  it('lets exactly the readers GetParametersByPath on the path, and nothing under it', () => {
    // Prepare
    const roleOf = (fn: Resource) =>
      (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const readerRoles = functions
      .filter(([, fn]) => READERS.includes(serviceName(fn)))
      .map(([, fn]) => roleOf(fn));

    // Act
    const grants = policies.flatMap(([, policy]) =>
      (policy.Properties.PolicyDocument.Statement as { Sid?: string; Action: unknown; Resource: unknown }[])
        .filter((s) => JSON.stringify(s).includes('appconfig-targets'))
        .map((s) => ({ roles: policy.Properties.Roles.map((r: { Ref: string }) => r.Ref), statement: s })),
    );

    // Assess
    expect(grants.flatMap((g) => g.roles).sort()).toEqual([...readerRoles].sort());
    for (const { statement } of grants) {
      expect(statement.Action).toBe('ssm:GetParametersByPath');
      expect(standIn(stack.resolve(statement.Resource))).toBe(
        `arn:ref-AWS::Partition:ssm:ref-AWS::Region:ref-AWS::AccountId:parameter${PATH}`,
      );
    }
  });

  it('writes every service AppConfig and kill-switch id into Standard parameters under the path', () => {
    // Act
    const read = parameters.map(([, p]) => ({
      name: p.Properties.Name as string,
      value: standIn(p.Properties.Value),
    }));
    const merged = mergeTargetChunks(PATH, read);

    // Assess
    for (const [, p] of parameters) expect(p.Properties).toMatchObject({ Type: 'String', Tier: 'Standard' });
    expect(read.map((p) => p.name)).toEqual(parameters.map((_, i) => `${PATH}/${i + 1}`));
    expect(merged.appConfig).toEqual(JSON.parse(standIn(stack.resolve(stack.delivery.targetsJson()))));
    expect(merged.killSwitches).toEqual(
      JSON.parse(standIn(stack.resolve(stack.toJsonString(stack.killSwitches.targets)))),
    );
  });

  it('creates them before the reconcile, whose first deliveries read them', () => {
    // Prepare
    const names = new Set(parameters.map(([id]) => id));
    const [, reconcile] = ofType('Custom::StewardDesiredParameters')[0]!;

    // Assess
    expect(names.size).toBeGreaterThan(0);
    expect([...names].every((id) => reconcile.DependsOn?.includes(id))).toBe(true);
  });

  it('updates the readers after them, so a new container never caches the ids of the deploy before', () => {
    // Prepare: a reader's warm containers keep the ids they read; only the function's update retires them
    const names = parameters.map(([id]) => id);
    const readers = functions.filter(([, fn]) => READERS.includes(serviceName(fn)));

    // Assess
    expect(names.length).toBeGreaterThan(0);
    expect(readers.map(([, fn]) => serviceName(fn)).sort()).toEqual(READERS);
    for (const [, fn] of readers) expect(fn.DependsOn).toEqual(expect.arrayContaining(names));
  });

  it('keeps them out of what the change rule judges and what drift reads as configuration', async () => {
    // Prepare: the example's desired values, a stray under the root, and the target parameters
    const [, rule] = ofType('AWS::Events::Rule').find(([, r]) =>
      JSON.stringify(r.Properties.EventPattern ?? {}).includes('Parameter Store Change'),
    )!;
    const prefix = rule.Properties.EventPattern.detail.name[0].prefix as string;
    const registry = stack.registry;
    const store = new InMemoryParameterStore();
    for (const environment of registry.environments) {
      for (const p of registry.desiredParameters(environment)) store.seed(p.name, p.value, p.parameterType);
    }
    store.seed('/config/retired-env/orders/max-retries', '3');
    for (const [, p] of parameters) store.seed(p.Properties.Name, standIn(p.Properties.Value));

    // Act
    const snapshot = await readDeployedState(registry, driftSourceOf(store));

    // Assess
    expect(prefix).toBe('/config/');
    for (const [, p] of parameters) expect((p.Properties.Name as string).startsWith(prefix)).toBe(false);
    const read = snapshot.parameters.map((p) => p.name);
    expect(read).toContain('/config/retired-env/orders/max-retries');
    expect(read.filter((name) => name.includes('appconfig-targets'))).toEqual([]);
  });

  it('refuses a parameter root that would hold them', () => {
    // Act
    const colliding = () =>
      new AppConfigTargetParameters(new Stack(new App(), 'ConfigSteward'), 'Targets', {
        settings: { ...settings, parameterRoot: 'config-steward' },
        appConfig: {},
      });

    // Assess
    expect(colliding).toThrow(ConfigurationError);
    expect(colliding).toThrow(
      `parameterRoot "config-steward" would hold the stack's own parameters (${PATH})`,
    );
  });
});

describe('Stack: ConfigSteward at 50 services more than the example, in 3 environments', () => {
  // Prepare: the example in a third environment, plus 50 services of 4 keys.
  const threeEnvironments = {
    environments: [...settings.environments, { ...settings.environments[0]!, name: 'development' }],
  };
  const names = threeEnvironments.environments.map((e) => e.name);
  const example = withEnvironmentLike(organisation, 'development', 'staging');
  const services = [...example.services, ...largeOrganisation(50, 4, names).services];
  const { stack, ofType } = synth({ ...example, services }, threeEnvironments);

  it("keeps every function's environment under Lambda's 4 KB, references resolved generously", () => {
    // Act
    const sizes = ofType('AWS::Lambda::Function').map(([, fn]) => ({
      name: serviceName(fn),
      bytes: environmentBytes(stack, fn.Properties.Environment?.Variables ?? {}),
    }));

    // Assess: the largest is an example consumer's (about 1.2 KB), whatever the number of services
    expect(sizes.map((s) => s.name)).toEqual(expect.arrayContaining(READERS));
    for (const { bytes } of sizes) expect(bytes).toBeLessThanOrEqual(1_500);
    expect(Math.max(...sizes.map((s) => s.bytes))).toBeLessThan(LAMBDA_ENVIRONMENT_BYTES);
  });

  it('writes the ids of all 52 services (the example has 2) into 8 chained parameters, each well under 4 KB', () => {
    // Act
    const parameters = ofType('AWS::SSM::Parameter');
    const estimates = parameters.map(([, p]) => resolvedBytes(stack, p.Properties.Value));
    const merged = mergeTargetChunks(
      PATH,
      parameters.map(([, p]) => ({ name: p.Properties.Name, value: standIn(p.Properties.Value) })),
    );

    // Assess
    expect(Object.keys(merged.appConfig).sort()).toEqual([...stack.registry.serviceNames()].sort());
    expect(Object.keys(merged.appConfig)).toHaveLength(52);
    expect(parameters).toHaveLength(8);
    for (const bytes of estimates) expect(bytes).toBeLessThanOrEqual(TARGETS_CHUNK_BUDGET_BYTES);
    // Created one after the other: CloudFormation throttles many parameters created at once.
    parameters.slice(1).forEach(([, p], i) => expect(p.DependsOn).toContain(parameters[i]![0]));
  });
});
