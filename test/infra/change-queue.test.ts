import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CHANGE_MAX_RECEIVES, ChangeQueue } from '../../lib/constructs/change-queue.ts';
import { formatNagFindings, nagFindings } from '../../lib/nag.ts';
import { loadSettings } from '../../lib/settings.ts';

const settings = loadSettings('config/settings.json');

function build(consumerTimeout: Duration) {
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const intake = new ChangeQueue(stack, 'Intake', { settings, consumerTimeout });
  return { stack, intake, template: Template.fromStack(stack) };
}

describe('Construct: ChangeQueue', () => {
  // Act: built once, outside the tests' time limits (the first build loads aws-cdk-lib)
  const fast = build(Duration.seconds(30));
  const usual = build(Duration.minutes(2));

  it("sizes the visibility timeout from its consumer's timeout and the batching window", () => {
    const { stack, intake, template } = fast;
    const window = settings.pipeline.validation.maxBatchingWindowSeconds;
    const dlqId = stack.getLogicalId(intake.deadLetterQueue.node.defaultChild as never);
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 6 * 30 + window,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: CHANGE_MAX_RECEIVES,
      },
    });
  });

  it('routes changes under the root only, and passes cdk-nag on its own', () => {
    const { stack, template } = usual;
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: Match.objectLike({ name: [{ prefix: '/config/' }] }) }),
    });
    const findings = nagFindings(stack);
    expect(findings, formatNagFindings(findings)).toEqual([]);
  });
});
