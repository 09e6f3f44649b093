import { App, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { ChangeValidation } from '../../lib/constructs/change-validation.ts';
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
  it('routes every Parameter Store change under the root to validate-change, with retries and a DLQ', () => {
    // Act
    const { stack } = build();

    // Assess
    const template = Template.fromStack(stack);
    const dlq = new Capture();
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ssm'],
        'detail-type': ['Parameter Store Change'],
        detail: { name: [{ prefix: '/config/' }] },
      },
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        }),
      ],
    });
    expect(template.toJSON().Resources[dlq.asString()].Type).toBe('AWS::SQS::Queue');
    // The rule is on the default bus: no EventBusName.
    const rules = template.findResources('AWS::Events::Rule');
    expect(Object.values(rules)[0]?.Properties.EventBusName).toBeUndefined();
  });

  it('gives validate-change time to wait for a running deployment and its own role as the loop guard', () => {
    // Act
    const { stack } = build();

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 120,
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'config-steward-validate-change',
          STEWARD_VALIDATOR_PRINCIPAL: { Ref: Match.stringLikeRegexp('ValidateChangeRole') },
        }),
      },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 15,
      Environment: {
        Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'config-steward-appconfig-validator' }),
      },
    });
  });

  it('lets validate-change write, delete and label parameters only under the root', () => {
    // Act
    const { stack } = build();

    // Assess
    const statements = statementsOfRole(Template.fromStack(stack), 'ValidateChange');
    const ssm = statements.filter((s) =>
      actionsOf(s).some((a) => a.startsWith('ssm:') && a.includes('Parameter')),
    );
    expect(ssm.flatMap(actionsOf).sort()).toEqual([
      'ssm:DeleteParameter',
      'ssm:GetParameter',
      'ssm:GetParameterHistory',
      'ssm:GetParametersByPath',
      'ssm:LabelParameterVersion',
      'ssm:PutParameter',
    ]);
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
    expect(kmsOf(standard.stack)).toEqual([
      {
        Sid: 'ParameterKeysThroughSsmOnly',
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:Encrypt'],
        Resource: keys,
        Condition: { StringEquals: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' } },
      },
    ]);
    expect(actionsOf(kmsOf(advanced.stack)[0]!)).toEqual([
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey',
    ]);
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

  it('grants AppConfig delivery on the given document profiles, environments and strategies only', () => {
    // Prepare
    const { stack, validation } = build();

    // Act
    validation.deliverTo({
      orders: {
        applicationId: 'app111',
        documentProfileId: 'doc111',
        flagsProfileId: 'flg111',
        environments: { production: { environmentId: 'env111', deploymentStrategyId: 'str111' } },
      },
    });

    // Assess
    const template = Template.fromStack(stack);
    const statements = statementsOfRole(template, 'ValidateChange');
    const appconfig = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('appconfig:')));
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
    expect(appconfig.flatMap(actionsOf).sort()).toEqual([
      'appconfig:CreateHostedConfigurationVersion',
      'appconfig:ListDeployments',
      'appconfig:ListHostedConfigurationVersions',
      'appconfig:StartDeployment',
    ]);
    expect(arns(bySid('FindHostedVersions'))).toEqual([
      'arn:aws:appconfig:eu-west-1:123456789012:application/app111/configurationprofile/doc111',
    ]);
    expect(arns(bySid('CreateHostedVersions'))).toEqual([
      'arn:aws:appconfig:eu-west-1:123456789012:application/app111/configurationprofile/doc111',
      'arn:aws:appconfig:eu-west-1:123456789012:application/app111/configurationprofile/doc111/hostedconfigurationversion/*',
    ]);
    expect(arns(bySid('StartDeployments'))).toEqual([
      'arn:aws:appconfig:eu-west-1:123456789012:application/app111/environment/env111',
      'arn:aws:appconfig:eu-west-1:123456789012:application/app111/environment/env111/deployment/*',
      'arn:aws:appconfig:eu-west-1:123456789012:application/app111/configurationprofile/doc111',
      'arn:aws:appconfig:eu-west-1:123456789012:deploymentstrategy/str111',
    ]);
    expect(arns(bySid('FollowDeployments'))).toEqual([
      'arn:aws:appconfig:eu-west-1:123456789012:application/app111/environment/env111',
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ STEWARD_APPCONFIG: Match.stringLikeRegexp('app111') }) },
    });
  });

  it('lets validate-change defer a change through one-time schedules whose failures reach its failure queue', () => {
    // Act
    const { stack, validation } = build();
    const template = Template.fromStack(stack);

    // Assess: Scheduler assumes the deferral role, which may invoke validate-change and nothing else
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          }),
        ],
      },
    });
    const deferralRoleId = stack.getLogicalId(validation.deferralRole.node.defaultChild as never);
    expect(statementsOfRole(template, deferralRoleId)).toEqual([
      {
        Sid: 'InvokeValidateChange',
        Effect: 'Allow',
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [expect.stringContaining('ValidateChange'), 'Arn'] },
      },
      {
        Sid: 'DeadLetters',
        Effect: 'Allow',
        Action: 'sqs:SendMessage',
        Resource: { 'Fn::GetAtt': [expect.stringContaining('ValidateChangeFailureQueue'), 'Arn'] },
      },
    ]);
    // validate-change creates deferral schedules only, and passes that role only to Scheduler
    const statements = statementsOfRole(template, 'ValidateChangeRole');
    expect(statements.find((s) => s.Sid === 'DeferChanges')).toMatchObject({
      Action: 'scheduler:CreateSchedule',
      Resource: {
        'Fn::Join': [
          '',
          expect.arrayContaining([':scheduler:eu-west-1:123456789012:schedule/default/steward-deferred-*']),
        ],
      },
    });
    expect(statements.find((s) => s.Sid === 'PassDeferralRole')).toMatchObject({
      Action: 'iam:PassRole',
      Resource: { 'Fn::GetAtt': [deferralRoleId, 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STEWARD_DEFERRAL_ROLE_ARN: { 'Fn::GetAtt': [deferralRoleId, 'Arn'] },
          STEWARD_DEFERRAL_DEAD_LETTER_ARN: {
            'Fn::GetAtt': [Match.stringLikeRegexp('ValidateChangeFailureQueue'), 'Arn'],
          },
        }),
      },
    });
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
    validation.deliverTo({
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
    const [applications, profiles] = appconfigOf(Template.fromStack(stack));
    const joined = (s: Statement) => JSON.stringify(s.Resource);
    expect(actionsOf(applications!)).toEqual(['appconfig:GetApplication']);
    expect(joined(applications!)).toMatch(/:application\/app111"\]\]\}$/);
    expect(actionsOf(profiles!)).toEqual(['appconfig:GetConfigurationProfile']);
    expect(joined(profiles!)).toMatch(/:application\/app111\/configurationprofile\/\*"\]\]\}$/);
  });

  it('leaves no unacknowledged cdk-nag finding on its own rule, queue and permissions', () => {
    // Prepare: findings about the shared function defaults (runtime, failure queue, log stream) belong to StewardFunction
    const { stack } = build();
    const sharedDefaults = /L1|LambdaLatestVersion|FailureQueue|Logs/;

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
  it('puts the AppConfig validator on every profile, and delivery targets on validate-change, without a cycle', async () => {
    // Prepare
    const { ConfigDelivery } = await import('../../lib/constructs/config-delivery.ts');
    const { exampleRegistry } = await import('../support/validate-change-harness.ts');
    const { stack, validation } = build();

    // Act
    const delivery = new ConfigDelivery(stack, 'Delivery', {
      settings,
      registry: exampleRegistry(),
      validatorFunctionArn: validation.validatorFunction.functionArn,
    });
    validation.deliverTo(delivery.targets);

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
