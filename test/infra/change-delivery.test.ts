import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import type { AppConfigTargets } from '../../functions/core/appconfig-targets.ts';
import { DELIVERY_TIMEOUT_SECONDS } from '../../functions/core/delivery/deliver.ts';
import { AppConfigTargetParameters } from '../../lib/constructs/appconfig-target-parameters.ts';
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

/** The parameters holding `targets` (ORDERS_TARGETS by default), as the stack writes them. */
function targetParameters(stack: Stack, targets: AppConfigTargets = ORDERS_TARGETS) {
  return new AppConfigTargetParameters(stack, 'AppConfigTargets', { settings, appConfig: targets });
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
function statements(template: Template): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => p.Properties.PolicyDocument.Statement as Statement[],
  );
}

/** One service's AppConfig ids, as ConfigDelivery hands them over. */
const ORDERS_TARGETS = {
  orders: {
    applicationId: 'app111',
    documentProfileId: 'doc111',
    flagsProfileId: 'flg111',
    environments: { production: { environmentId: 'env111', deploymentStrategyId: 'str111' } },
  },
};

describe('Construct: ChangeDelivery', () => {
  it('queues requests on a FIFO queue that redrives to a FIFO dead-letter queue after the wait bound', () => {
    // Act
    const { stack, delivery, template } = build();

    // Assess
    const dlq = stack.getLogicalId(delivery.deadLetterQueue.node.defaultChild as never);
    template().hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      SqsManagedSseEnabled: true,
      // AWS's advice for event source mappings: six times the function timeout, so a group is never
      // handed to a second consumer while a late (throttled, retried) invocation may still run it.
      VisibilityTimeout: 6 * DELIVERY_TIMEOUT_SECONDS,
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
          STEWARD_VALIDATOR_PRINCIPAL: { Ref: Match.stringLikeRegexp('DeliverChangesRole') },
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

  it('grants AppConfig delivery (documents and flags) within the given applications, with the given strategies only', () => {
    // Prepare
    const { stack, delivery, template } = build();

    // Act
    delivery.deliverTo(ORDERS_TARGETS, targetParameters(stack));

    // Assess
    const appconfig = statements(template()).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('appconfig:')),
    );
    // Each resource ARN as text, the partition written out.
    const arns = (s: Statement) =>
      [s.Resource]
        .flat()
        .map((r) =>
          (r as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
            .map((part) => (typeof part === 'string' ? part : 'aws'))
            .join(''),
        );
    const bySid = (sid: string) => appconfig.find((s) => s.Sid === sid)!;
    expect([...new Set(appconfig.flatMap(actionsOf))].sort()).toEqual([
      'appconfig:CreateHostedConfigurationVersion',
      'appconfig:ListDeployments',
      'appconfig:ListHostedConfigurationVersions',
      'appconfig:StartDeployment',
    ]);
    expect(appconfig.map((s) => s.Sid).sort()).toEqual([
      'DeliverDocuments',
      'StartDeploymentsWithStrategies',
    ]);
    // One ARN pair per application: the application and what is in it, never another application.
    expect(arns(bySid('DeliverDocuments'))).toEqual([
      'arn:aws:appconfig:eu-west-1:123456789012:application/app111',
      'arn:aws:appconfig:eu-west-1:123456789012:application/app111/*',
    ]);
    expect(actionsOf(bySid('DeliverDocuments')).sort()).toEqual([
      'appconfig:CreateHostedConfigurationVersion',
      'appconfig:ListDeployments',
      'appconfig:ListHostedConfigurationVersions',
      'appconfig:StartDeployment',
    ]);
    // Strategies exactly: the environments' own, and nothing the kill switches use.
    expect(actionsOf(bySid('StartDeploymentsWithStrategies'))).toEqual(['appconfig:StartDeployment']);
    expect(arns(bySid('StartDeploymentsWithStrategies'))).toEqual([
      'arn:aws:appconfig:eu-west-1:123456789012:deploymentstrategy/str111',
      // AppConfig's predefined strategy, for a document holding a new break-glass override.
      'arn:aws:appconfig:eu-west-1:123456789012:deploymentstrategy/AppConfig.AllAtOnce',
    ]);
    expect(JSON.stringify(appconfig)).not.toMatch(/application\/\*|"\*"|appconfig:\*/);
    // The ids reach deliver-changes through the parameters' path, readable by it alone.
    template().hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/config-steward/Test/appconfig-targets/1',
      Value: Match.stringLikeRegexp('app111'),
    });
    template().hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STEWARD_APPCONFIG_TARGETS_PATH: '/config-steward/Test/appconfig-targets',
        }),
      },
    });
    expect(arns(statements(template()).find((s) => s.Sid === 'ReadAppConfigTargets')!)).toEqual([
      'arn:aws:ssm:eu-west-1:123456789012:parameter/config-steward/Test/appconfig-targets',
    ]);
  });

  it('puts at most 18 applications (36 ARNs) in one statement, so CDK can spread a large fleet over overflow policies', () => {
    // Prepare
    const { stack, delivery, template } = build();
    const production = ORDERS_TARGETS.orders.environments.production;
    const fleet = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [
        `service-${i}`,
        { ...ORDERS_TARGETS.orders, applicationId: `app${i}`, environments: { production } },
      ]),
    );

    // Act
    delivery.deliverTo(fleet, targetParameters(stack, fleet));

    // Assess
    // CDK moves what does not fit the inline policy into overflow managed policies: read both.
    const policies = [
      ...Object.values(template().findResources('AWS::IAM::Policy')),
      ...Object.values(template().findResources('AWS::IAM::ManagedPolicy')),
    ];
    const deliver = policies
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[])
      .filter((s) => s.Sid?.startsWith('DeliverDocuments'))
      .sort((a, b) => a.Sid!.localeCompare(b.Sid!));
    expect(deliver.map((s) => s.Sid)).toEqual(['DeliverDocuments', 'DeliverDocuments2', 'DeliverDocuments3']);
    expect(deliver.map((s) => [s.Resource].flat().length)).toEqual([36, 36, 8]);
  });

  it('grants no KMS use under the AWS managed aws/ssm key, and restores with exactly the keys the settings name', () => {
    // Prepare
    const keys = ['arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'];
    const kmsOf = (t: Template) =>
      statements(t).filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')));

    // Act
    const awsManaged = build();
    const standard = build({ parameterKmsKeyArns: keys });
    const advanced = build({ parameterKmsKeyArns: keys, parameterTier: 'Advanced' });

    // Assess
    expect(kmsOf(awsManaged.template())).toEqual([]);
    expect(kmsOf(standard.template())).toEqual([
      {
        Sid: 'ParameterKeysThroughSsmOnly',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:Encrypt'],
        Resource: keys[0],
        Condition: { StringEquals: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' } },
      },
    ]);
    expect(actionsOf(kmsOf(advanced.template())[0]!)).toEqual([
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey',
    ]);
  });

  it('leaves no unacknowledged cdk-nag finding on its queues, mapping and permissions', () => {
    // Prepare
    const { stack, delivery } = build();
    delivery.deliverTo(ORDERS_TARGETS, targetParameters(stack));

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
