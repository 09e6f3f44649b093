import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { describe, expect, it } from 'vitest';
import { flattenCfnReference } from '../../lib/cfn-reference.ts';
import { nagFindings } from '../../lib/nag.ts';

describe('Function: flattenCfnReference', () => {
  it('renders strings, Fn::Sub placeholders, Ref, Fn::GetAtt, Fn::Join and Fn::ImportValue', () => {
    expect(flattenCfnReference('*')).toBe('*');
    expect(flattenCfnReference({ 'Fn::Sub': 'arn:${AWS::Partition}:ssm:*' })).toBe(
      'arn:<AWS::Partition>:ssm:*',
    );
    expect(flattenCfnReference({ Ref: 'AWS::Region' })).toBe('<AWS::Region>');
    expect(flattenCfnReference({ 'Fn::GetAtt': ['Queue4A7E3555', 'Arn'] })).toBe('<Queue4A7E3555.Arn>');
    expect(
      flattenCfnReference({ 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Queue4A7E3555', 'Arn'] }, '/*']] }),
    ).toBe('<Queue4A7E3555.Arn>/*');
    expect(flattenCfnReference({ 'Fn::ImportValue': 'shared-queue-arn' })).toBe('shared-queue-arn');
    expect(flattenCfnReference(undefined)).toBe('');
    expect(flattenCfnReference({ 'Fn::Select': [0, ['a']] })).toBe('{"Fn::Select":[0,["a"]]}');
  });

  it('names a resource exactly as cdk-nag names it in an AwsSolutions-IAM5 finding', () => {
    // Prepare: a wildcard under a token ARN, the case an acknowledgement must render right
    const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
    const queue = new sqs.Queue(stack, 'Queue');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const resource = stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `${queue.queueName}/*`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [resource] }),
    );

    // Act
    const reported = nagFindings(stack)
      .map((f) => f.rule)
      .filter((rule) => rule.startsWith('AwsSolutions-IAM5[Resource::'));

    // Assess
    const rendered = flattenCfnReference(stack.resolve(resource));
    expect(rendered).toContain('<Queue4A7E3555.QueueName>/*');
    expect(reported).toEqual([`AwsSolutions-IAM5[Resource::${rendered}]`]);
  });
});
