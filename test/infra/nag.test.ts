import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import {
  acknowledgeWildcardGrant,
  nagFindings,
  WILDCARD_GRANT_RULE,
  wildcardGrantFindingId,
} from '../../lib/nag.ts';

describe('Function: nagFindings', () => {
  it('reports a deliberately non-compliant construct, naming rule and resource', () => {
    // Prepare: a function without DLQ, tracing or explicit log retention, and an unencrypted queue.
    const stack = new Stack(new App(), 'NonCompliant');
    new lambda.Function(stack, 'Careless', {
      runtime: lambda.Runtime.NODEJS_18_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
      timeout: Duration.seconds(3),
    });
    new sqs.Queue(stack, 'Plain');

    // Act
    const findings = nagFindings(stack);

    // Assess
    const rules = new Set(findings.map((f) => f.rule));
    expect(rules).toContain('AwsSolutions-L1'); // not the latest runtime
    expect(rules).toContain('AwsSolutions-SQS4'); // no SSL enforcement
    expect(rules).toContain('Serverless-LambdaDLQ');
    expect(rules).toContain('Serverless-LambdaTracing');
    expect(findings.find((f) => f.rule === 'Serverless-LambdaDLQ')?.resource).toBe(
      'NonCompliant/Careless/Resource',
    );
  });
});

/** A stack with one role and nothing else, for the wildcard rule. */
function roleStack() {
  const stack = new Stack(new App(), 'Grants', { env: { account: '123456789012', region: 'eu-west-1' } });
  const role = new iam.Role(stack, 'Job', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  return { stack, role };
}

const wildcardFindings = (scope: Stack) =>
  nagFindings(scope)
    .filter((f) => f.rule.startsWith(`${WILDCARD_GRANT_RULE}[`))
    .map((f) => f.rule)
    .sort();

describe('Rule: Steward-WildcardGrant', () => {
  it('reports each wildcard (action, resource) pair of an Allow statement, and no exact pair', () => {
    // Prepare
    const { stack, role } = roleStack();

    // Act
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: ['arn:aws:s3:::reports/*', 'arn:aws:s3:::reports/index.html'],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:*'], resources: ['arn:aws:sqs:eu-west-1:123456789012:jobs'] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['s3:DeleteObject'], resources: ['*'] }),
    );

    // Assess
    expect(wildcardFindings(stack)).toEqual([
      wildcardGrantFindingId('s3:GetObject', 'arn:aws:s3:::reports/*'),
      wildcardGrantFindingId('s3:PutObject', 'arn:aws:s3:::reports/*'),
      wildcardGrantFindingId('sqs:*', 'arn:aws:sqs:eu-west-1:123456789012:jobs'),
    ]);
  });

  it('renders tokens as cdk-nag does and reads inline role policies and managed policies too', () => {
    // Prepare
    const stack = new Stack(new App(), 'Inline');
    const under = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: 'config/*' });

    // Act
    new iam.Role(stack, 'Inline', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        read: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [under] })],
        }),
      },
    });
    new iam.ManagedPolicy(stack, 'Managed', {
      statements: [new iam.PolicyStatement({ actions: ['ssm:DescribeParameters'], resources: ['*'] })],
    });

    // Assess
    expect(wildcardFindings(stack)).toEqual([
      wildcardGrantFindingId('ssm:DescribeParameters', '*'),
      wildcardGrantFindingId(
        'ssm:GetParameter',
        'arn:<AWS::Partition>:ssm:<AWS::Region>:<AWS::AccountId>:parameter/config/*',
      ),
    ]);
  });

  it('always reports NotAction and NotResource, which allow everything else', () => {
    // Prepare
    const { stack, role } = roleStack();

    // Act
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ notActions: ['iam:*'], resources: ['arn:aws:s3:::reports'] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject'], notResources: ['arn:aws:s3:::secrets/key'] }),
    );

    // Assess
    expect(wildcardFindings(stack)).toEqual([
      `${WILDCARD_GRANT_RULE}[Action::s3:GetObject|NotResource::arn:aws:s3:::secrets/key]`,
      `${WILDCARD_GRANT_RULE}[NotAction::iam:*|Resource::arn:aws:s3:::reports]`,
    ]);
  });
});

describe('Function: acknowledgeWildcardGrant', () => {
  it('accepts exactly the named pairs: another action on the same resource stays a finding', () => {
    // Prepare
    const { stack, role } = roleStack();
    const objects = 'arn:aws:s3:::reports/*';
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:DeleteObject'], resources: [objects] }),
    );

    // Act
    acknowledgeWildcardGrant(role, {
      actions: ['s3:GetObject'],
      resources: [objects],
      reason: 'Reports are written by another job under keys it chooses.',
    });

    // Assess
    expect(wildcardFindings(stack)).toEqual([wildcardGrantFindingId('s3:DeleteObject', objects)]);
    // The resource-only IAM5 finding is acknowledged along with the pair: the pair check now guards it.
    expect(nagFindings(stack).filter((f) => f.rule.startsWith('AwsSolutions-IAM5'))).toEqual([]);
  });

  it('acknowledges pairs whose resources carry tokens, and the IAM5 findings of a wildcard action', () => {
    // Prepare
    const { stack, role } = roleStack();
    const queue = new sqs.Queue(stack, 'Jobs', { enforceSSL: true });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:*'], resources: [queue.queueArn] }));
    expect(wildcardFindings(stack)).toEqual([
      expect.stringMatching(/^Steward-WildcardGrant\[Action::sqs:\*\|Resource::<Jobs[0-9A-F]+\.Arn>\]$/),
    ]);

    // Act
    acknowledgeWildcardGrant(role, {
      actions: ['sqs:*'],
      resources: [queue.queueArn],
      reason: 'The job owns its queue.',
    });

    // Assess
    const iamFindings = nagFindings(stack).filter(
      (f) => f.rule.startsWith(WILDCARD_GRANT_RULE) || f.rule.startsWith('AwsSolutions-IAM5'),
    );
    expect(iamFindings).toEqual([]);
  });

  it('refuses an empty reason and a pair without a wildcard, naming the scope', () => {
    // Prepare
    const { role } = roleStack();

    // Act
    const noReason = () =>
      acknowledgeWildcardGrant(role, { actions: ['s3:GetObject'], resources: ['*'], reason: ' ' });
    const exact = () =>
      acknowledgeWildcardGrant(role, {
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::reports/index.html'],
        reason: 'Nothing to accept.',
      });

    // Assess
    expect(noReason).toThrow('acknowledgeWildcardGrant on Grants/Job: a reason is required');
    expect(exact).toThrow(/Grants\/Job: s3:GetObject on arn:aws:s3:::reports\/index.html holds no wildcard/);
  });
});
