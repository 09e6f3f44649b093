import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { DELIVERY_TIMEOUT_SECONDS } from '../../functions/core/delivery/deliver.ts';
import { ChangeDelivery, deliveryMaxReceives } from '../../lib/constructs/change-delivery.ts';
import { nagFindings } from '../../lib/nag.ts';
import { loadSettings, type Settings } from '../../lib/settings.ts';

const settings = loadSettings('config/settings.json');

function build(overrides: Partial<Settings> = {}) {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'config-steward' });
  const delivery = new ChangeDelivery(stack, 'ChangeDelivery', {
    settings: { ...settings, ...overrides },
    bus,
  });
  return { stack, delivery, template: () => Template.fromStack(stack) };
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
function statements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );
}

describe('Construct: ChangeDelivery', () => {
  it('queues requests on a FIFO queue that redrives to a FIFO dead-letter queue after the wait bound', () => {
    // Act
    const { stack, delivery, template } = build();

    // Assess
    const dlq = stack.getLogicalId(delivery.deadLetterQueue.node.defaultChild as never);
    template().hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      VisibilityTimeout: DELIVERY_TIMEOUT_SECONDS,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlq, 'Arn'] }, maxReceiveCount: 180 },
    });
    template().hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      MessageRetentionPeriod: 1_209_600,
      RedrivePolicy: Match.absent(),
    });
    expect(
      deliveryMaxReceives({
        pipeline: {
          ...settings.pipeline,
          delivery: { maxConcurrency: 2, retrySeconds: 45, maxWaitMinutes: 60 },
        },
      }),
    ).toBe(80);
  });

  it('feeds deliver-changes ten requests at a time, at most maxConcurrency at once, with partial failures', () => {
    // Act
    const { template } = build({
      pipeline: {
        ...settings.pipeline,
        delivery: { maxConcurrency: 4, retrySeconds: 30, maxWaitMinutes: 120 },
      },
    });

    // Assess: FIFO mappings take no batching window
    template().hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: Match.absent(),
      ScalingConfig: { MaximumConcurrency: 4 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template().hasResourceProperties('AWS::Lambda::Function', {
      Timeout: DELIVERY_TIMEOUT_SECONDS,
      DeadLetterConfig: Match.absent(),
      Environment: {
        Variables: Match.objectLike({
          STEWARD_DELIVERY_RETRY_SECONDS: '30',
          STEWARD_DELIVERY_QUEUE_URL: { Ref: Match.stringLikeRegexp('DeliveryQueue') },
          // 20 requests/s over 2 validate-change, 4 deliver-changes and 1 reconcile instance
          STEWARD_READS_PER_SECOND: '2.857',
        }),
      },
    });
  });

  it('lets deliver-changes use only its own queue, and restore and compose only under the root', () => {
    // Act
    const { stack, delivery, template } = build();

    // Assess
    const all = statements(template());
    const queue = stack.getLogicalId(delivery.queue.node.defaultChild as never);
    const onSqs = all.filter((s) => actionsOf(s).some((a) => a.startsWith('sqs:')));
    for (const statement of onSqs) expect(statement.Resource).toEqual({ 'Fn::GetAtt': [queue, 'Arn'] });
    // Consume (the mapping), send back later (ChangeMessageVisibility), and queue a restore's follow-up
    expect([...new Set(onSqs.flatMap(actionsOf))].sort()).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:GetQueueUrl',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    const ssm = all.find((s) => s.Sid === 'RestoreAndComposeUnderRoot');
    expect(JSON.stringify(ssm?.Resource)).toContain(':parameter/config/*');
    expect(actionsOf(ssm!).sort()).toEqual([
      'ssm:DeleteParameter',
      'ssm:GetParameterHistory',
      'ssm:GetParametersByPath',
      'ssm:LabelParameterVersion',
      'ssm:PutParameter',
    ]);
  });

  it('grants AppConfig delivery on the given applications only, with the targets in the environment', () => {
    // Prepare
    const { delivery, template } = build();

    // Act
    delivery.deliverTo({
      orders: {
        applicationId: 'app111',
        documentProfileId: 'doc111',
        flagsProfileId: 'flg111',
        environments: { production: { environmentId: 'env111', deploymentStrategyId: 'str111' } },
      },
    });

    // Assess
    const appconfig = statements(template()).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('appconfig:')),
    );
    expect(appconfig.flatMap(actionsOf).sort()).toEqual([
      'appconfig:CreateHostedConfigurationVersion',
      'appconfig:GetDeployment',
      'appconfig:ListDeployments',
      'appconfig:ListHostedConfigurationVersions',
      'appconfig:StartDeployment',
    ]);
    for (const statement of appconfig) {
      const resources = JSON.stringify(statement.Resource);
      expect(resources).not.toContain('"*"');
      expect(resources).toContain('application/app111/');
    }
    template().hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STEWARD_APPCONFIG: Match.stringLikeRegexp('app111') }) },
    });
  });

  it('leaves no unacknowledged cdk-nag finding on its queues, mapping and permissions', () => {
    // Prepare
    const { stack, delivery } = build();
    delivery.deliverTo({
      orders: {
        applicationId: 'app111',
        documentProfileId: 'doc111',
        flagsProfileId: 'flg111',
        environments: { production: { environmentId: 'env111', deploymentStrategyId: 'str111' } },
      },
    });

    // Act
    const findings = nagFindings(stack).filter(
      (f) =>
        f.resource.includes('ChangeDelivery') &&
        !/L1|LambdaLatestVersion|Logs/.test(`${f.rule} ${f.resource}`),
    );

    // Assess
    expect(findings).toEqual([]);
  });
});
