import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import { describe, expect, it } from 'vitest';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { DesiredParameters } from '../../lib/constructs/desired-parameters.ts';
import { StewardFunction } from '../../lib/constructs/steward-function.ts';
import { loadSettings } from '../../lib/settings.ts';
import { largeOrganisation } from '../support/large-organisation.ts';

const settings = loadSettings('config/settings.json');
const unbundled = () => new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test');

describe('Construct: StewardFunction', () => {
  it('applies the platform function defaults', () => {
    // Prepare
    const stack = unbundled();

    // Act
    new StewardFunction(stack, 'Fn', { entry: 'functions/handlers/reconcile-parameters.ts', settings });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
      TracingConfig: { Mode: 'Active' },
      DeadLetterConfig: { TargetArn: Match.anyValue() },
      LoggingConfig: { LogGroup: Match.anyValue() },
      Environment: {
        Variables: Match.objectLike({
          // Source maps are opt-in: by default no map is shipped and Node.js is not asked to read one.
          NODE_OPTIONS: Match.absent(),
          POWERTOOLS_SERVICE_NAME: 'config-steward-reconcile-parameters',
          STEWARD_PARAMETER_ROOT: 'config',
          STEWARD_EVENT_BUS: 'config-steward',
        }),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    // One failure channel: the dead-letter queue, not also an onFailure destination to it.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: Match.absent(),
      MaximumRetryAttempts: 2,
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    // No AWSLambdaBasicExecutionRole: the role may write only to its own log group.
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
  });
});

describe("StewardFunction and Lambda's 4 KB of environment variables", () => {
  it('refuses at synth a function whose variables would exceed 4 KB once deployed, naming it and its size', () => {
    // Prepare: 200 AppConfig ids (7 characters each deployed, counted as 20) and a queue URL, as
    // STEWARD_APPCONFIG carried them before they moved to parameters.
    const stack = unbundled();
    const fn = new StewardFunction(stack, 'Fn', { entry: 'functions/handlers/deliver-changes.ts', settings });
    const strategy = new appconfig.CfnDeploymentStrategy(stack, 'Strategy', {
      name: 'steward-staging',
      deploymentDurationInMinutes: 0,
      growthFactor: 100,
      replicateTo: 'NONE',
    });
    const ids = Array.from({ length: 200 }, () => strategy.ref);
    fn.fn.addEnvironment('STEWARD_APPCONFIG', stack.toJsonString(ids));

    // Act: the app's synth runs the construct validations (cdk synth, npm run synth)
    const synth = () => App.of(stack)!.synth();

    // Assess
    expect(synth).toThrow(
      /config-steward-deliver-changes: its environment variables take about 5,\d{3} bytes once deployed .*over Lambda's 4,096/,
    );
  });

  it('lets a function at its usual size through', () => {
    // Prepare
    const stack = unbundled();
    const fn = new StewardFunction(stack, 'Fn', { entry: 'functions/handlers/deliver-changes.ts', settings });
    fn.fn.addEnvironment('STEWARD_APPCONFIG_TARGETS_PATH', '/config-steward/Test/appconfig-targets');

    // Act
    const synth = () => App.of(stack)!.synth();

    // Assess
    expect(synth).not.toThrow();
  });
});

describe('StewardFunction as a queue consumer', () => {
  it("has no failure queue of its own: the source queue's redrive is its failure channel", () => {
    // Prepare
    const stack = unbundled();

    // Act
    const consumer = new StewardFunction(stack, 'Fn', {
      entry: 'functions/handlers/deliver-changes.ts',
      settings,
      consumesQueue: true,
    });

    // Assess
    const template = Template.fromStack(stack);
    expect(consumer.failureQueue).toBeUndefined();
    template.resourceCountIs('AWS::SQS::Queue', 0);
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
    template.hasResourceProperties('AWS::Lambda::Function', { DeadLetterConfig: Match.absent() });
  });
});

describe('StewardFunction source maps', () => {
  it('runs with --enable-source-maps when the settings opt in', () => {
    // Prepare
    const stack = unbundled();

    // Act
    new StewardFunction(stack, 'Fn', {
      entry: 'functions/handlers/reconcile-parameters.ts',
      settings: { ...settings, sourceMaps: true },
    });

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });

  it('leaves NODE_OPTIONS unset when the settings turn source maps off', () => {
    // Prepare
    const stack = unbundled();

    // Act
    new StewardFunction(stack, 'Fn', {
      entry: 'functions/handlers/reconcile-parameters.ts',
      settings: { ...settings, sourceMaps: false },
    });

    // Assess
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as {
      Properties: { Environment: { Variables: Record<string, unknown> } };
    }[];
    expect(fn!.Properties.Environment.Variables).not.toHaveProperty('NODE_OPTIONS');
    expect(fn!.Properties.Environment.Variables).toHaveProperty('POWERTOOLS_SERVICE_NAME');
  });
});

describe('StewardFunction bundling', () => {
  it('gives each function its own split ESM bundle, with source maps only when opted in, loaded as index.handler', () => {
    // Prepare: a stack that really bundles (no bundling-stacks context)
    const outdir = mkdtempSync(path.join(tmpdir(), 'steward-bundling-'));
    try {
      const stack = new Stack(
        new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } }),
        'Bundled',
      );

      // Act
      new StewardFunction(stack, 'Drift', { entry: 'functions/handlers/drift-job.ts', settings });
      new StewardFunction(stack, 'Reconcile', {
        entry: 'functions/handlers/reconcile-parameters.ts',
        settings: { ...settings, sourceMaps: true },
      });

      // Assess
      const functions = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as {
        Properties: { Handler: string };
        Metadata: { 'aws:asset:path': string };
      }[];
      expect(functions.map((f) => f.Properties.Handler)).toEqual(['index.handler', 'index.handler']);
      const assets = functions.map((f) => path.join(outdir, f.Metadata['aws:asset:path']));
      // One bundle per entry: CDK must not reuse the first function's bundle for the second.
      expect(new Set(assets).size).toBe(2);
      for (const asset of assets) expect(existsSync(path.join(asset, 'index.mjs'))).toBe(true);
      // The drift job with the default settings ships no map; the reconciler opted in ships its own.
      const [drift, reconcile] = assets;
      expect(
        readdirSync(drift!, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.map')),
      ).toEqual([]);
      expect(existsSync(path.join(reconcile!, 'index.mjs.map'))).toBe(true);
      // The drift job's GitHub and Jira trackers are chunks of their own, loaded on first use.
      const driftChunks = readdirSync(path.join(assets[0]!, 'chunks'));
      expect(driftChunks.some((f) => /^github-.*\.mjs$/.test(f))).toBe(true);
      expect(driftChunks.some((f) => /^jira-.*\.mjs$/.test(f))).toBe(true);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});

describe('Construct: DesiredParameters', () => {
  it('reconciles through one custom resource with write access under the root only', () => {
    // Prepare
    const stack = unbundled();
    const registry = new SchemaRegistry(largeOrganisation(1, 4, ['staging']), {
      parameterRoot: 'config',
      environments: ['staging'],
    });

    // Act
    new DesiredParameters(stack, 'Desired', { settings, registry });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::StewardDesiredParameters', {
      DesiredStateSha256: Match.stringLikeRegexp('^[0-9a-f]{64}$'),
      ParameterCount: 4,
      WritesPerSecond: 10,
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['ssm:GetParametersByPath', 'ssm:PutParameter'],
            Resource: {
              'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':parameter/config/\\*$')])],
            },
          }),
        ]),
      },
    });
  });

  it("keeps a 5,000-key organisation far under CloudFormation's 500 resources", () => {
    // Prepare: 50 services × 50 keys × 2 environments.
    const stack = unbundled();
    const registry = new SchemaRegistry(largeOrganisation(50, 50, ['staging', 'production']), {
      parameterRoot: 'config',
      environments: ['staging', 'production'],
    });

    // Act
    const desired = new DesiredParameters(stack, 'Desired', { settings, registry });

    // Assess
    const resources = Object.keys(Template.fromStack(stack).toJSON().Resources);
    expect(desired.parameterCount).toBe(5_000);
    expect(resources.length).toBeLessThan(20);
  });
});
