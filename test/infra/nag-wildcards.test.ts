import { App, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { formatNagFindings, nagFindings } from '../../lib/nag.ts';
import { StewardFunction } from '../../lib/constructs/steward-function.ts';
import { loadSettings, type Settings } from '../../lib/settings.ts';
import { ConfigStewardStack } from '../../lib/steward-stack.ts';

const settings = loadSettings('config/settings.json');

function stewardStack(overrides: Partial<Settings> = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ConfigStewardStack(app, 'ConfigSteward', {
    settings: { ...settings, ...overrides },
    organisation,
  });
  return { app, stack };
}

/** Every Lambda function of the stack. */
function functionsOf(stack: Stack): lambda.Function[] {
  return stack.node.findAll().filter((c): c is lambda.Function => c instanceof lambda.Function);
}

/** The wildcard grants a careless change could add to a role; each must be reported by itself. */
const CARELESS_GRANTS = [
  { action: 'secretsmanager:GetSecretValue', resource: '*' },
  { action: 'ssm:PutParameter', resource: '*' },
];

describe('cdk-nag: a new wildcard grant on a function role', () => {
  // Prepare: both careless grants added to the role of every function of the stack
  const { app, stack } = stewardStack();
  const roles = functionsOf(stack).map((fn) => fn.role as iam.Role);
  for (const role of roles) {
    for (const { action, resource } of CARELESS_GRANTS) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [action], resources: [resource] }));
    }
  }

  // Act
  const findings = nagFindings(app);

  it('is looked for on a role of its own for every function of the stack', () => {
    expect(roles.length).toBeGreaterThan(0);
    expect(roles.every((role) => role instanceof iam.Role)).toBe(true);
    expect(new Set(roles).size).toBe(roles.length);
  });

  it.each(roles.map((role) => [role.node.path]))('is reported on %s, naming each action', (rolePath) => {
    for (const { action } of CARELESS_GRANTS) {
      const onRole = findings.filter((f) => f.resource.startsWith(`${rolePath}/`));
      expect(
        onRole.some((f) => f.rule.includes(action)),
        `no finding names ${action} on ${rolePath}:\n${formatNagFindings(onRole)}`,
      ).toBe(true);
    }
  });
});

describe('cdk-nag: an action added on a wildcard resource acknowledged for other actions', () => {
  it('is reported: the acknowledgement names actions, not just the resource', () => {
    // Prepare: each resource below is already granted (and acknowledged) to its role for other actions
    const { app, stack } = stewardStack();
    const underRoot = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: 'config/*' });
    const opsItems = stack.formatArn({ service: 'ssm', resource: 'opsitem', resourceName: '*' });
    const reconciler = stack.desiredParameters.reconciler.role;
    const flagExpiry = stack.nightly.flagExpiry!.role;
    const rotation = stack.rotation.rotationFunction.role;

    // Act
    reconciler.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ssm:DeleteParameter'], resources: [underRoot] }),
    );
    flagExpiry.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ssm:DeleteOpsItem'], resources: [opsItems] }),
    );
    rotation.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['xray:GetTraceSummaries'], resources: ['*'] }),
    );
    const findings = nagFindings(app);

    // Assess
    const reported = (role: iam.Role, action: string, resource: string) =>
      findings.some(
        (f) =>
          f.resource.startsWith(`${role.node.path}/`) && f.rule.includes(action) && f.rule.includes(resource),
      );
    expect(
      reported(reconciler, 'ssm:DeleteParameter', ':parameter/config/*'),
      formatNagFindings(findings),
    ).toBe(true);
    expect(reported(flagExpiry, 'ssm:DeleteOpsItem', ':opsitem/*'), formatNagFindings(findings)).toBe(true);
    expect(reported(rotation, 'xray:GetTraceSummaries', '*'), formatNagFindings(findings)).toBe(true);
  });

  it('leaves the stack clean with a VPC function and customer managed parameter keys in the settings', () => {
    // Prepare
    const withVpc: Partial<Settings> = {
      vpc: {
        vpcId: 'vpc-0123456789abcdef0',
        subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
        securityGroupIds: ['sg-0123456789abcdef0'],
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      },
      parameterKmsKeyArns: ['arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'],
    };
    const { app, stack } = stewardStack(withVpc);

    // Act: a function in the VPC gets the network-interface grant Lambda needs
    const inVpc = new StewardFunction(stack, 'InVpc', {
      entry: 'functions/handlers/orders-api.ts',
      settings: { ...settings, ...withVpc },
      inVpc: true,
    });
    const findings = nagFindings(app);

    // Assess
    const policy = inVpc.role.node.tryFindChild('DefaultPolicy') as iam.Policy;
    expect(JSON.stringify(stack.resolve(policy.document))).toContain('ec2:CreateNetworkInterface');
    expect(findings, formatNagFindings(findings)).toEqual([]);
  });
});
