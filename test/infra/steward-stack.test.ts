import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { formatNagFindings, nagFindings } from '../../lib/nag.ts';
import { loadSettings } from '../../lib/settings.ts';
import { ConfigStewardStack } from '../../lib/steward-stack.ts';
import { exampleSecretNames, exampleServices } from '../support/example-organisation.ts';

const settings = loadSettings('config/settings.json');

function synth(overrides: Partial<typeof settings> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ConfigStewardStack(app, 'ConfigSteward', {
    settings: { ...settings, ...overrides },
    organisation,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

describe('Stack: ConfigSteward', () => {
  const { app, stack, template } = synth();

  it('passes cdk-nag AwsSolutions and Serverless with zero unacknowledged findings', () => {
    const findings = nagFindings(app);
    expect(findings, formatNagFindings(findings)).toEqual([]);
  });

  it("stays far under CloudFormation's 500 resources", () => {
    expect(Object.keys(template.toJSON().Resources).length).toBeLessThan(200);
  });

  it('composes every capability', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 90 });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.ssm'], 'detail-type': ['Parameter Store Change'] }),
    });
    template.resourceCountIs('AWS::AppConfig::Application', exampleServices().length);
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    template.resourceCountIs('Custom::StewardDesiredParameters', 1);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', exampleSecretNames(settings).length);
    expect(stack.registry.serviceNames()).toEqual(exampleServices());
  });

  it('wires the change pipeline: two queue consumers, the reconcile requesting deliveries, no schedules of its own', () => {
    // Assess
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    const reconciler = stack.desiredParameters.reconciler;
    const deliveryQueue = stack.getLogicalId(stack.changeDelivery.queue.node.defaultChild as never);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(reconciler.role.node.defaultChild as never) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['sqs:SendMessage']),
            Resource: { 'Fn::GetAtt': [deliveryQueue, 'Arn'] },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STEWARD_RECONCILER_PRINCIPAL: {
            Ref: stack.getLogicalId(reconciler.role.node.defaultChild as never),
          },
        }),
      },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain('scheduler:CreateSchedule');
  });

  it("runs the reconcile only after the functions that act on its writes and requests carry this deploy's config/", () => {
    // Assess: deliver-changes builds flags from its bundled config/ (an old bundle would find the old
    // flags served, call them unchanged and take the request off the queue); validate-change judges
    // the reconcile's writes; the AppConfig validator checks its deliveries' deployments.
    const [reconcile] = Object.values(template.findResources('Custom::StewardDesiredParameters'));
    const functionIds = [
      stack.changeDelivery.deliverChanges.fn,
      stack.validation.validateChange.fn,
      stack.validation.appConfigValidator.fn,
    ].map((fn) => stack.getLogicalId(fn.node.defaultChild as never));
    expect(reconcile!.DependsOn).toEqual(expect.arrayContaining(functionIds));
  });

  it('never puts a desired SecureString value or a secret into the template', () => {
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('webhook-signing-key');
    expect(json).not.toMatch(/"SecretString"\s*:/);
  });

  it('gives the flag-expiry job the AppConfig targets and only read access to hosted flags', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Nightly: reports expired'),
      Environment: {
        Variables: Match.objectLike({
          STEWARD_APPCONFIG_TARGETS_PATH: '/config-steward/ConfigSteward/appconfig-targets',
        }),
      },
    });
  });

  it("deploys only the kill switches itself: no document or flags version or deployment in the services' environments", () => {
    // Assess: every stack-owned version and deployment is a kill switches' one, in its own environment
    const refsOf = (type: string, property: string) =>
      Object.values(template.findResources(type)).map((r) => JSON.stringify(r.Properties[property]));
    const versions = refsOf('AWS::AppConfig::HostedConfigurationVersion', 'ConfigurationProfileId');
    const deployments = refsOf('AWS::AppConfig::Deployment', 'EnvironmentId');
    expect(versions.length).toBeGreaterThan(0);
    expect(deployments.length).toBeGreaterThan(0);
    for (const ref of [...versions, ...deployments]) expect(ref).toMatch(/^\{"Fn::GetAtt":\["KillSwitches/);
    const [reconcile] = Object.values(template.findResources('Custom::StewardDesiredParameters'));
    expect(Object.keys(reconcile!.Properties.FlagsSha256).sort()).toEqual(
      settings.environments.map((e) => e.name).sort(),
    );
  });

  it("lets deliver-changes deploy within the services' applications, never to a kill-switch profile or environment", () => {
    // Assess
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes('DeliverChanges'))
      .flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Sid?: string; Effect: string; Resource: unknown }[],
      );
    // Documents and flags alike: one ARN pair per service's application.
    const deliver = statements.filter((s) => s.Sid?.startsWith('DeliverDocuments'));
    const applications =
      JSON.stringify(deliver.map((s) => s.Resource)).match(/"\w+Application\w*","ApplicationId"/g) ?? [];
    expect(new Set(applications).size).toBe(exampleServices().length);
    // Every kill-switch profile and environment denied by name (a Deny wins over the per-application Allow).
    const denied = JSON.stringify(statements.filter((s) => s.Effect === 'Deny').map((s) => s.Resource));
    const killSwitchIds = Object.keys(template.findResources('AWS::AppConfig::Environment')).filter((id) =>
      id.startsWith('KillSwitches'),
    );
    expect(killSwitchIds.length).toBeGreaterThan(0);
    for (const id of killSwitchIds) expect(denied).toContain(`"${id}"`);
  });

  it('switches every ticket-filing function to the token secret when GitHub is the tracker', () => {
    // Prepare
    const github = synth({
      tickets: {
        tracker: 'github',
        owner: 'acme',
        repo: 'platform',
        tokenSecret: 'steward/github',
        apiUrl: 'https://api.github.com',
      },
    });

    // Assess
    const json = JSON.stringify(github.template.toJSON());
    expect(json).not.toContain('ssm:CreateOpsItem');
    expect(json).toContain('secret:steward/github-??????');
    expect(nagFindings(github.app)).toEqual([]);
  });
});
