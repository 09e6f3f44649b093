import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { AppConfigTargetParameters } from '../../lib/constructs/appconfig-target-parameters.ts';
import { flattenCfnReference } from '../../lib/cfn-reference.ts';
import { ChangeDelivery } from '../../lib/constructs/change-delivery.ts';
import { CHANGE_MAX_RECEIVES, ChangeValidation } from '../../lib/constructs/change-validation.ts';
import { nagFindings } from '../../lib/nag.ts';
import { loadSettings, type Settings } from '../../lib/settings.ts';

const settings = loadSettings('config/settings.json');
const unbundled = () =>
  new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });

function build(overrides: Partial<Settings> = {}) {
  const stack = unbundled();
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'config-steward' });
  const validation = new ChangeValidation(stack, 'ChangeValidation', {
    settings: { ...settings, ...overrides },
    bus,
  });
  return { stack, validation };
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

/** Every statement of every policy attached to the role whose logical id contains `fragment`. */
function statementsOfRole(template: Template, fragment: string): Statement[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.includes(fragment)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('Construct: ChangeValidation', () => {
  it('routes every Parameter Store change under the root to the change queue, with retries and a DLQ', () => {
    // Act
    const { stack, validation } = build();

    // Assess
    const template = Template.fromStack(stack);
    const queueId = stack.getLogicalId(validation.queue.node.defaultChild as never);
    const dlqId = stack.getLogicalId(validation.deadLetterQueue.node.defaultChild as never);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ssm'],
        'detail-type': ['Parameter Store Change'],
        detail: {
          name: [{ prefix: '/config/' }],
          operation: [{ 'anything-but': ['LabelParameterVersion'] }],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlqId, 'Arn'] } },
        }),
      ],
    });
    // The rule is on the default bus: no EventBusName.
    const rules = template.findResources('AWS::Events::Rule');
    expect(Object.values(rules)[0]?.Properties.EventBusName).toBeUndefined();
  });

  it('redrives a change that failed five receives to its dead-letter queue; queues encrypted, TLS only', () => {
    // Act
    const { stack, validation } = build();

    // Assess: six times the function timeout, as AWS advises for event source mappings
    const template = Template.fromStack(stack);
    const dlqId = stack.getLogicalId(validation.deadLetterQueue.node.defaultChild as never);
    template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 6 * 120 + 5, // six times the timeout, plus the batching window
      SqsManagedSseEnabled: true,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: CHANGE_MAX_RECEIVES,
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    });
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Effect: string; Condition?: unknown }[],
    );
    const denies = statements.filter((st) => st.Effect === 'Deny');
    expect(denies.length).toBeGreaterThanOrEqual(2);
    for (const deny of denies) expect(deny.Condition).toEqual({ Bool: { 'aws:SecureTransport': 'false' } });
    // EventBridge may put change events on the queue and, when that fails, on the DLQ
    expect(JSON.stringify(policies)).toContain('events.amazonaws.com');
  });

  it('feeds validate-change through an event source mapping with the settings and partial batch failures', () => {
    // Act
    const { stack } = build({
      pipeline: {
        ...settings.pipeline,
        validation: { batchSize: 50, maxBatchingWindowSeconds: 10, maxConcurrency: 3 },
      },
    });

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 10,
      ScalingConfig: { MaximumConcurrency: 3 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ChangeQueue'), 'Arn'] },
    });
  });

  it("gives validate-change one failure channel (its queue's redrive) and its share of the read budget", () => {
    // Act
    const { stack } = build();

    // Assess: no function DLQ and no asynchronous failure destination for a queue consumer
    const template = Template.fromStack(stack);
    const [validator] = Object.values(template.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME === 'config-steward-validate-change',
    );
    expect(validator?.Properties.Timeout).toBe(120);
    expect(validator?.Properties.DeadLetterConfig).toBeUndefined();
    expect(validator?.Properties.Environment.Variables.STEWARD_READS_PER_SECOND).toBe('4');
    // The AppConfig validator (invoked synchronously by AppConfig) is the only other function here
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 15,
      Environment: {
        Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'config-steward-appconfig-validator' }),
      },
    });
  });

  it('lets validate-change consume its own queue and send to the delivery queue, nothing more on SQS', () => {
    // Prepare
    const { stack, validation } = build();
    const delivery = new ChangeDelivery(stack, 'ChangeDelivery', {
      settings,
      bus: events.EventBus.fromEventBusName(stack, 'Imported', 'config-steward'),
    });

    // Act
    validation.sendRequestsTo(delivery.queue, delivery.deliverChanges.role);

    // Assess
    const template = Template.fromStack(stack);
    const sqsStatements = statementsOfRole(template, 'ValidateChangeRole').filter((s) =>
      actionsOf(s).some((a) => a.startsWith('sqs:')),
    );
    const byQueue = Object.fromEntries(
      sqsStatements.map((s) => [JSON.stringify(s.Resource), actionsOf(s).sort()]),
    );
    const changeQueue = stack.getLogicalId(validation.queue.node.defaultChild as never);
    const deliveryQueue = stack.getLogicalId(delivery.queue.node.defaultChild as never);
    expect(byQueue).toEqual({
      [JSON.stringify({ 'Fn::GetAtt': [changeQueue, 'Arn'] })]: [
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
      ],
      [JSON.stringify({ 'Fn::GetAtt': [deliveryQueue, 'Arn'] })]: [
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STEWARD_DELIVERY_QUEUE_URL: { Ref: deliveryQueue },
          // The restores are written by deliver-changes: its writes are the platform's own.
          STEWARD_VALIDATOR_PRINCIPAL: { Ref: Match.stringLikeRegexp('DeliverChangesRole') },
        }),
      },
    });
  });

  it('lets validate-change read history and label parameters only under the root, and write none', () => {
    // Act
    const { stack } = build();

    // Assess
    const statements = statementsOfRole(Template.fromStack(stack), 'ValidateChange');
    const ssm = statements.filter((s) =>
      actionsOf(s).some((a) => a.startsWith('ssm:') && a.includes('Parameter')),
    );
    expect(ssm.flatMap(actionsOf).sort()).toEqual(['ssm:GetParameterHistory', 'ssm:LabelParameterVersion']);
    for (const statement of ssm) {
      expect(JSON.stringify(statement.Resource)).toContain(':parameter/config/*');
      expect(statement.Resource).not.toBe('*');
    }
  });

  it('grants no KMS use for SecureStrings under the AWS managed aws/ssm key (its key policy allows it)', () => {
    // Act
    const { stack } = build();

    // Assess
    const statements = statementsOfRole(Template.fromStack(stack), 'ValidateChange');
    expect(statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')))).toEqual([]);
  });

  it('uses exactly the customer managed keys the settings name, through Parameter Store only', () => {
    // Prepare
    const keys = [
      'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      'arn:aws:kms:eu-west-1:123456789012:key/mrk-1234abcd12ab34cd56ef1234567890ab',
    ];

    // Act
    const standard = build({ parameterKmsKeyArns: keys });
    const advanced = build({ parameterKmsKeyArns: keys, parameterTier: 'Advanced' });

    // Assess
    const kmsOf = (stack: Stack) =>
      statementsOfRole(Template.fromStack(stack), 'ValidateChange').filter((s) =>
        actionsOf(s).some((a) => a.startsWith('kms:')),
      );
    // It only reads history (restores run in deliver-changes): decrypt, whatever the tier.
    expect(kmsOf(standard.stack)).toEqual([
      {
        Sid: 'ParameterKeysThroughSsmOnly',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: keys,
        Condition: { StringEquals: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' } },
      },
    ]);
    expect(actionsOf(kmsOf(advanced.stack)[0]!)).toEqual(['kms:Decrypt']);
  });

  it('publishes only on the Steward bus and files OpsItems when OpsCenter is the tracker', () => {
    // Act
    const { stack } = build();

    // Assess
    const statements = statementsOfRole(Template.fromStack(stack), 'ValidateChange');
    const putEvents = statements.find((s) => actionsOf(s).includes('events:PutEvents'));
    expect(JSON.stringify(putEvents?.Resource)).toContain('Bus');
    expect(statements.find((s) => actionsOf(s).includes('ssm:CreateOpsItem'))?.Resource).not.toBe('*');
    expect(statements.some((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))).toBe(false);
  });

  it('reads only the tracker token secret when GitHub is the tracker', () => {
    // Act
    const { stack } = build({
      tickets: {
        tracker: 'github',
        owner: 'acme',
        repo: 'config',
        tokenSecret: 'steward/github',
        apiUrl: 'https://api.github.com',
      },
    });

    // Assess
    const statements = statementsOfRole(Template.fromStack(stack), 'ValidateChange');
    const read = statements.find((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));
    expect(JSON.stringify(read?.Resource)).toContain(':secret:steward/github-??????');
    expect(statements.some((s) => actionsOf(s).includes('ssm:CreateOpsItem'))).toBe(false);
  });

  it("lets the AppConfig validator read only the names of the stack's applications and their profiles", () => {
    // Prepare
    const withoutDelivery = build();
    const { stack, validation } = build();
    const appconfigOf = (template: Template) =>
      statementsOfRole(template, 'AppConfigValidator').filter((s) =>
        actionsOf(s).some((a) => a.startsWith('appconfig:')),
      );

    // Act
    validation.validateDocumentsOf({
      orders: {
        applicationId: 'app111',
        documentProfileId: 'doc111',
        flagsProfileId: 'flg111',
        environments: { production: { environmentId: 'env111', deploymentStrategyId: 'str111' } },
      },
    });

    // Assess
    expect(validation.validatorFunction).toBe(validation.appConfigValidator.fn);
    expect(appconfigOf(Template.fromStack(withoutDelivery.stack))).toEqual([]);
    // One statement, one ARN pair for the application: GetApplication authorises on the application
    // only and GetConfigurationProfile on it and its profiles, so `application/app111/*` reaches
    // nothing else, and no other application.
    const [locate, ...others] = appconfigOf(Template.fromStack(stack));
    expect(others).toEqual([]);
    expect(actionsOf(locate!)).toEqual(['appconfig:GetApplication', 'appconfig:GetConfigurationProfile']);
    expect([locate!.Resource].flat().map(flattenCfnReference)).toEqual([
      'arn:<AWS::Partition>:appconfig:eu-west-1:123456789012:application/app111',
      'arn:<AWS::Partition>:appconfig:eu-west-1:123456789012:application/app111/*',
    ]);
  });

  it('leaves no unacknowledged cdk-nag finding on its own rule, queue and permissions', () => {
    // Prepare: findings about the shared function defaults (runtime, failure queue, log stream) belong to StewardFunction
    const { stack } = build();
    const sharedDefaults = /L1|LambdaLatestVersion|LambdaDLQ|FailureQueue|Logs/;

    // Act
    const findings = nagFindings(stack).filter(
      (f) => f.resource.includes('ChangeValidation') && !sharedDefaults.test(`${f.rule} ${f.resource}`),
    );

    // Assess
    expect(findings).toEqual([]);
  });
});

/** Resource dependencies in a template: Ref, Fn::GetAtt and DependsOn. */
function dependencyGraph(template: Template): Map<string, Set<string>> {
  const resources = template.toJSON().Resources as Record<string, { DependsOn?: string | string[] }>;
  const graph = new Map<string, Set<string>>();
  const walk = (node: unknown, into: Set<string>) => {
    if (Array.isArray(node)) for (const item of node) walk(item, into);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'Ref' && typeof value === 'string' && value in resources) into.add(value);
        else if (key === 'Fn::GetAtt' && Array.isArray(value) && value[0] in resources) into.add(value[0]);
        else walk(value, into);
      }
    }
  };
  for (const [id, resource] of Object.entries(resources)) {
    const edges = new Set<string>([resource.DependsOn ?? []].flat());
    walk(resource, edges);
    graph.set(id, edges);
  }
  return graph;
}

function findCycle(graph: Map<string, Set<string>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const next of graph.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of graph.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('Construct: ChangeValidation with ConfigDelivery', () => {
  it('puts the AppConfig validator on every profile, and delivery targets on deliver-changes, without a cycle', async () => {
    // Prepare
    const { ConfigDelivery } = await import('../../lib/constructs/config-delivery.ts');
    const { exampleRegistry } = await import('../support/validate-change-harness.ts');
    const { stack, validation } = build();
    const changeDelivery = new ChangeDelivery(stack, 'ChangeDelivery', {
      settings,
      bus: events.EventBus.fromEventBusName(stack, 'Imported', 'config-steward'),
    });
    validation.sendRequestsTo(changeDelivery.queue, changeDelivery.deliverChanges.role);

    // Act
    const delivery = new ConfigDelivery(stack, 'Delivery', {
      settings,
      registry: exampleRegistry(),
      validatorFunctionArn: validation.validatorFunction.functionArn,
    });
    changeDelivery.deliverTo(
      delivery.targets,
      new AppConfigTargetParameters(stack, 'AppConfigTargets', { settings, appConfig: delivery.targets }),
    );

    // Assess
    const template = Template.fromStack(stack);
    const profiles = Object.values(template.findResources('AWS::AppConfig::ConfigurationProfile'));
    // A document profile and a flags profile for each service of config/.
    expect(profiles.length).toBe(2 * exampleRegistry().serviceNames().length);
    const validatorArn = stack.resolve(validation.validatorFunction.functionArn);
    for (const profile of profiles) {
      expect(profile.Properties.Validators).toEqual([{ Type: 'LAMBDA', Content: validatorArn }]);
    }
    expect(findCycle(dependencyGraph(template))).toBeUndefined();
  });
});
