import { App, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { IAM_POLICY_LIMITS, policySizeFindings, policySizes } from '../../lib/policy-size.ts';
import { refuseOversizedPolicies, SynthRefusedError } from '../../lib/steward-app.ts';

const ROLE = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } };
const document = (resources: unknown[]) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: 'appconfig:GetApplication', Resource: resources }],
});
/** `n` resources whose JSON is exactly `length` characters long (quotes included). */
const literals = (n: number, length: number) =>
  Array.from({ length: n }, (_, i) => String(i).padStart(length - 2, 'x'));
const sizeOfDocument = (resources: unknown[]) => JSON.stringify(document(resources)).length;

describe('Function: policySizes', () => {
  it("counts a role's inline policies together, its own and every AWS::IAM::Policy naming it, without whitespace", () => {
    // Prepare
    const own = literals(3, 40);
    const attached = literals(5, 40);
    const template = {
      Resources: {
        Role: { ...ROLE, Properties: { Policies: [{ PolicyName: 'own', PolicyDocument: document(own) }] } },
        Attached: {
          Type: 'AWS::IAM::Policy',
          Properties: { PolicyName: 'p', Roles: [{ Ref: 'Role' }], PolicyDocument: document(attached) },
        },
        Elsewhere: {
          Type: 'AWS::IAM::Policy',
          Properties: { PolicyName: 'q', Roles: [{ Ref: 'Other' }], PolicyDocument: document(own) },
        },
      },
    };

    // Act
    const sizes = policySizes(template);

    // Assess
    expect(sizes.roles).toEqual([
      { role: 'Role', inlineCharacters: sizeOfDocument(own) + sizeOfDocument(attached), managedPolicies: 0 },
    ]);
  });

  it('resolves pseudo parameters and references at their longest, AppConfig ids at 7 characters', () => {
    // Prepare
    const arn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':appconfig:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':application/',
          { 'Fn::GetAtt': ['App', 'ApplicationId'] },
          '/*',
        ],
      ],
    };
    const queue = { 'Fn::GetAtt': ['Queue', 'Arn'] };
    const sub = {
      'Fn::Sub':
        'arn:${AWS::Partition}:appconfig:${AWS::Region}:${AWS::AccountId}:deploymentstrategy/${Strategy}',
    };
    const template = {
      Resources: {
        App: { Type: 'AWS::AppConfig::Application', Properties: { Name: 'orders' } },
        Strategy: { Type: 'AWS::AppConfig::DeploymentStrategy', Properties: {} },
        Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
        Policy: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: { PolicyDocument: document([arn, queue, sub]) },
        },
      },
    };

    // Act
    const [policy] = policySizes(template).managedPolicies;

    // Assess
    const appArn = 'arn:aws-us-gov:appconfig:ap-southeast-5:123456789012:application/abcdefg/*';
    const strategyArn = 'arn:aws-us-gov:appconfig:ap-southeast-5:123456789012:deploymentstrategy/abcdefg';
    expect(policy).toEqual({
      policy: 'Policy',
      characters: sizeOfDocument([appArn, 'q'.repeat(256), strategyArn]),
    });
  });

  it('counts the managed policies attached to a role, by ManagedPolicyArns and by the policies naming it', () => {
    // Prepare
    const template = {
      Resources: {
        Role: {
          ...ROLE,
          Properties: {
            ManagedPolicyArns: [
              'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
              { Ref: 'Listed' },
            ],
          },
        },
        Listed: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: document(['a']) } },
        Naming: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: document(['b']) },
        },
        // Listed and naming the role: one attachment, not two.
        Both: {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: document(['c']) },
        },
      },
    };
    template.Resources.Role.Properties.ManagedPolicyArns.push({ Ref: 'Both' } as never);

    // Act
    const [role] = policySizes(template).roles;

    // Assess
    expect(role?.managedPolicies).toBe(4);
  });
});

describe('Function: policySizeFindings', () => {
  it('reports nothing when every role and policy fits', () => {
    // Prepare
    const template = {
      Resources: {
        Role: ROLE,
        Policy: {
          Type: 'AWS::IAM::Policy',
          Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: document(literals(10, 100)) },
        },
      },
    };

    // Act & Assess
    expect(policySizeFindings(template)).toEqual([]);
  });

  it('names a role whose inline policies exceed 10,240 characters together, each policy alone under it', () => {
    // Prepare: two policies of about 6,000 characters each
    const half = literals(60, 100);
    const policy = (roleRef: string) => ({
      Type: 'AWS::IAM::Policy',
      Properties: { Roles: [{ Ref: roleRef }], PolicyDocument: document(half) },
    });
    const template = { Resources: { Role: ROLE, First: policy('Role'), Second: policy('Role') } };
    const names = new Map([['Role', 'ConfigSteward/Delivery/Role']]);

    // Act
    const findings = policySizeFindings(template, names);

    // Assess
    const total = 2 * sizeOfDocument(half);
    expect(total).toBeGreaterThan(IAM_POLICY_LIMITS.roleInlineCharacters);
    expect(findings).toEqual([
      `role ConfigSteward/Delivery/Role: its inline policies hold ${total.toLocaleString('en-US')} characters ` +
        'with tokens resolved at their longest; IAM allows 10,240 per role',
    ]);
  });

  it('names a managed policy over 6,144 characters, attached or not, and a role with more than 10 managed policies', () => {
    // Prepare
    const big = literals(62, 100);
    const managed = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [
        `Small${i}`,
        {
          Type: 'AWS::IAM::ManagedPolicy',
          Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: document(['x']) },
        },
      ]),
    );
    const template = {
      Resources: {
        Role: ROLE,
        ...managed,
        Operator: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: document(big) } },
      },
    };

    // Act
    const findings = policySizeFindings(template);

    // Assess
    expect(sizeOfDocument(big)).toBeGreaterThan(IAM_POLICY_LIMITS.managedPolicyCharacters);
    expect(findings).toEqual([
      'role Role: 11 managed policies attached; IAM allows 10 per role by default',
      `managed policy Operator: ${sizeOfDocument(big).toLocaleString('en-US')} characters with tokens resolved ` +
        'at their longest; IAM allows 6,144 per managed policy',
    ]);
  });
});

describe('Function: refuseOversizedPolicies', () => {
  it('refuses a stack whose grant CDK had to move into an overflow policy too large for IAM, naming its construct path', () => {
    // Prepare: one statement CDK cannot split, 70 AppConfig environments (about 6,700 characters resolved)
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Fleet');
    const application = new appconfig.CfnApplication(stack, 'App', { name: 'orders' });
    const role = new iam.Role(stack, 'Deployer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    const environments = Array.from(
      { length: 70 },
      (_, i) =>
        new appconfig.CfnEnvironment(stack, `Env${i}`, { applicationId: application.ref, name: `env-${i}` }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['appconfig:StartDeployment'],
        resources: environments.map((env) =>
          stack.formatArn({
            service: 'appconfig',
            resource: 'application',
            resourceName: `${application.ref}/environment/${env.ref}`,
          }),
        ),
      }),
    );
    const template = app.synth().getStackByName('Fleet').template;

    // Act
    const refuse = () => refuseOversizedPolicies(stack, template);

    // Assess
    expect(refuse).toThrow(SynthRefusedError);
    expect(refuse).toThrow(/managed policy Fleet\/Deployer\/OverflowPolicy1\/Resource: [\d,]+ characters/);
    expect(refuse).toThrow(/IAM allows 6,144 per managed policy/);
  });

  it('lets the same stack through when the grant fits', () => {
    // Prepare
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Small');
    const role = new iam.Role(stack, 'Deployer', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['appconfig:GetApplication'], resources: ['*'] }));
    const template = app.synth().getStackByName('Small').template;

    // Act & Assess
    expect(() => refuseOversizedPolicies(stack, template)).not.toThrow();
  });
});
