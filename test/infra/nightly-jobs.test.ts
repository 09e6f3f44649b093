import { App, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { AppConfigTargetParameters } from '../../lib/constructs/appconfig-target-parameters.ts';
import { flattenCfnReference } from '../../lib/cfn-reference.ts';
import { ConfigDelivery } from '../../lib/constructs/config-delivery.ts';
import { NightlyJobs } from '../../lib/constructs/nightly-jobs.ts';
import { nagFindings } from '../../lib/nag.ts';
import { loadSettings, type Settings } from '../../lib/settings.ts';

const settings = loadSettings('config/settings.json');

function build(overrides: Partial<Settings> = {}, options: { withHostedFlags?: boolean } = {}) {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'config-steward' });
  const hostedFlags = options.withHostedFlags
    ? new ConfigDelivery(stack, 'Delivery', {
        settings,
        registry: new SchemaRegistry(organisation, {
          parameterRoot: settings.parameterRoot,
          parameterTier: settings.parameterTier,
          environments: settings.environments.map((e) => e.name),
        }),
      })
    : undefined;
  const targets = hostedFlags
    ? new AppConfigTargetParameters(stack, 'AppConfigTargets', { settings, appConfig: hostedFlags.targets })
    : undefined;
  const nightly = new NightlyJobs(stack, 'Nightly', {
    settings: { ...settings, ...overrides },
    bus,
    hostedFlags,
    targets,
  });
  return { stack, nightly };
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

function statementsOfRole(template: Template, fragment: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.includes(fragment)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Where the stack writes the AppConfig ids, and the one read a job gets of them: the path, nothing under it. */
const TARGETS_PATH = '/config-steward/Test/appconfig-targets';
const readTargetsStatement = {
  Sid: 'ReadAppConfigTargets',
  Effect: 'Allow',
  Action: 'ssm:GetParametersByPath',
  Resource: {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':ssm:eu-west-1:123456789012:parameter/config-steward/Test/appconfig-targets',
      ],
    ],
  },
};

describe('Construct: NightlyJobs', () => {
  it('schedules the drift job with the cron and time zone from settings, a role, retries and a DLQ', () => {
    // Act
    const { stack } = build();

    // Assess
    const template = Template.fromStack(stack);
    const role = new Capture();
    const dlq = new Capture();
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Dublin',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        // The drift job runs as a state machine looping the function (test/infra/drift-run.test.ts).
        Arn: { Ref: Match.stringLikeRegexp('DriftRunStateMachine') },
        RoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 7200 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
        Input: JSON.stringify({ job: 'drift' }),
      },
    });
    const resources = template.toJSON().Resources;
    expect(resources[dlq.asString()].Type).toBe('AWS::SQS::Queue');
    expect(resources[role.asString()].Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
    const schedulerStatements = statementsOfRole(template, role.asString());
    expect(schedulerStatements.some((s) => actionsOf(s).includes('states:StartExecution'))).toBe(true);
    expect(schedulerStatements.some((s) => actionsOf(s).includes('sqs:SendMessage'))).toBe(true);
  });

  it('takes further jobs on the same schedule', () => {
    // Prepare
    const { stack, nightly } = build();
    const fn = new lambda.Function(stack, 'FlagExpiry', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('export const handler = async () => {}'),
    });

    // Act
    nightly.addJob({ name: 'flag-expiry', fn });

    // Assess
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpressionTimezone: 'Europe/Dublin',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('FlagExpiry'), 'Arn'] } }),
    });
  });

  it('owns the flag-expiry job: scheduled nightly, given the AppConfig targets, reading hosted flags only', () => {
    // Act
    const { stack, nightly } = build({}, { withHostedFlags: true });

    // Assess
    expect(nightly.flagExpiry).toBeDefined();
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FlagExpiryFunction'), 'Arn'] },
        Input: JSON.stringify({ job: 'flag-expiry' }),
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Nightly: reports expired'),
      Timeout: 300,
      Environment: { Variables: Match.objectLike({ STEWARD_APPCONFIG_TARGETS_PATH: TARGETS_PATH }) },
    });
    const statements = statementsOfRole(template, 'FlagExpiryRole');
    expect(statements.filter((s) => actionsOf(s).some((a) => a.startsWith('ssm:GetParameter')))).toEqual([
      readTargetsStatement,
    ]);
    const appConfigActions = statements.flatMap(actionsOf).filter((a) => a.startsWith('appconfig:'));
    expect(appConfigActions.sort()).toEqual([
      'appconfig:GetHostedConfigurationVersion',
      'appconfig:ListDeployments',
      'appconfig:ListHostedConfigurationVersions',
    ]);
    // Which version is current is read from the deployments; nothing is written.
    const listDeployments = statements.filter((s) => actionsOf(s).includes('appconfig:ListDeployments'));
    expect(listDeployments.flatMap(actionsOf)).toEqual(['appconfig:ListDeployments']);
    expect(statements.some((s) => actionsOf(s).includes('events:PutEvents'))).toBe(true);
    expect(statements.some((s) => actionsOf(s).includes('ssm:CreateOpsItem'))).toBe(true);
  });

  it('lets the flag-expiry job read the flag usage metrics with GetMetricData only, over the window the settings name', () => {
    // Act
    const { stack } = build(
      { flags: { ...settings.flags, usage: { windowDays: 14 } } },
      { withHostedFlags: true },
    );

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Nightly: reports expired'),
      Environment: { Variables: Match.objectLike({ STEWARD_FLAG_USAGE_DAYS: '14' }) },
    });
    const statements = statementsOfRole(template, 'FlagExpiryRole');
    const cloudWatch = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('cloudwatch:')));
    expect(cloudWatch).toEqual([
      { Sid: 'ReadFlagUsageMetrics', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
    ]);
    // The wildcard is acknowledged with its reason; nothing else of the job is left to cdk-nag.
    const sharedDefaults = /L1|LambdaLatestVersion|FailureQueue/;
    const findings = nagFindings(stack).filter((f) => !sharedDefaults.test(`${f.rule} ${f.resource}`));
    expect(findings).toEqual([]);
  });

  it('gives the flag-expiry job a 30-day usage window by default', () => {
    // Act
    const { stack } = build({}, { withHostedFlags: true });

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Nightly: reports expired'),
      Environment: { Variables: Match.objectLike({ STEWARD_FLAG_USAGE_DAYS: '30' }) },
    });
  });

  it('gives the drift job the AppConfig targets and reads of deployed flags, scoped to the flags profiles', () => {
    // Act
    const { stack } = build({}, { withHostedFlags: true });

    // Assess
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Nightly drift sweep'),
      Environment: { Variables: Match.objectLike({ STEWARD_APPCONFIG_TARGETS_PATH: TARGETS_PATH }) },
    });
    expect(statementsOfRole(template, 'DriftJob').filter((s) => s.Sid === 'ReadAppConfigTargets')).toEqual([
      readTargetsStatement,
    ]);
    const statements = statementsOfRole(template, 'DriftJob').filter((s) =>
      actionsOf(s).some((a) => a.startsWith('appconfig:')),
    );
    const resourcesOf = (action: string) =>
      statements
        .filter((s) => actionsOf(s).includes(action))
        .flatMap((s) => [s.Resource].flat().map(flattenCfnReference));
    expect([...new Set(statements.flatMap(actionsOf))].sort()).toEqual([
      'appconfig:GetDeployment',
      'appconfig:GetHostedConfigurationVersion',
      'appconfig:ListDeployments',
    ]);
    // orders and payments (shared has no application): deployments within each application (one ARN
    // pair each, whatever the number of environments); versions of the flags profiles only, never of
    // the documents.
    const application =
      /^arn:<AWS::Partition>:appconfig:eu-west-1:123456789012:application\/<[^>]*Application[^>]*\.ApplicationId>/;
    for (const action of ['appconfig:ListDeployments', 'appconfig:GetDeployment']) {
      const arns = resourcesOf(action);
      expect(arns).toHaveLength(4);
      for (const arn of arns) expect(arn).toMatch(new RegExp(`${application.source}(/\\*)?$`));
    }
    const versions = resourcesOf('appconfig:GetHostedConfigurationVersion');
    expect(versions).toHaveLength(6);
    expect(versions.filter((arn) => arn.endsWith('/*'))).toHaveLength(2);
    for (const arn of versions.filter((a) => a.includes('/configurationprofile/')))
      expect(arn).toMatch(/FlagsProfile[^>]*\.ConfigurationProfileId>(\/\*)?$/);
    // The applications' own ARN, not what is in them.
    for (const arn of versions.filter((a) => !a.includes('/configurationprofile/')))
      expect(arn).toMatch(new RegExp(`${application.source}$`));
    expect(versions.join()).not.toContain('DocumentProfile');
  });

  it('has no flag-expiry job without hosted flags to read', () => {
    // Act
    const { stack, nightly } = build();

    // Assess
    expect(nightly.flagExpiry).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::Scheduler::Schedule', 1);
  });

  it('grants the drift job reads under the root, secret metadata, OpsCenter and the bus', () => {
    // Act
    const { stack } = build();

    // Assess
    const statements = statementsOfRole(Template.fromStack(stack), 'DriftJob');
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid);
    expect(actionsOf(bySid('ReadParametersUnderRoot')!)).toEqual([
      'ssm:GetParametersByPath',
      'ssm:GetParameter',
      'ssm:GetParameters',
    ]);
    expect(JSON.stringify(bySid('ReadParametersUnderRoot')?.Resource)).toContain(':parameter/config/*');
    // SecureStrings under the AWS managed aws/ssm key: its key policy allows use through SSM, no grant.
    expect(statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')))).toEqual([]);
    expect(actionsOf(bySid('DescribeManagedSecrets')!)).toEqual(['secretsmanager:DescribeSecret']);
    expect(actionsOf(bySid('FileOpsItems')!)).toEqual(['ssm:CreateOpsItem', 'ssm:UpdateOpsItem']);
    expect(statements.some((s) => actionsOf(s).includes('events:PutEvents'))).toBe(true);
    expect(statements.some((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'))).toBe(false);
    expect(
      statements.some((s) => actionsOf(s).some((a) => /Put|Delete|Label/.test(a) && a.startsWith('ssm:'))),
    ).toBe(false);
  });

  it('decrypts with exactly the customer managed keys the settings name, through Parameter Store only', () => {
    // Prepare
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

    // Act
    const { stack } = build({ parameterKmsKeyArns: [key] });

    // Assess
    const statements = statementsOfRole(Template.fromStack(stack), 'DriftJob');
    expect(statements.filter((s) => actionsOf(s).some((a) => a.startsWith('kms:')))).toEqual([
      {
        Sid: 'ParameterKeysThroughSsmOnly',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: key,
        Condition: { StringEquals: { 'kms:ViaService': 'ssm.eu-west-1.amazonaws.com' } },
      },
    ]);
  });

  it('reads the tracker token secret only when GitHub or Jira is selected', () => {
    // Act
    const { stack } = build({
      tickets: {
        tracker: 'github',
        owner: 'acme',
        repo: 'platform',
        tokenSecret: 'steward/github',
        apiUrl: 'https://api.github.com',
      },
    });

    // Assess
    const statements = statementsOfRole(Template.fromStack(stack), 'DriftJob');
    const token = statements.find((s) => s.Sid === 'ReadTrackerToken');
    expect(actionsOf(token!)).toEqual(['secretsmanager:GetSecretValue']);
    expect(JSON.stringify(token?.Resource)).toContain('secret:steward/github-??????');
    expect(statements.some((s) => actionsOf(s).includes('ssm:CreateOpsItem'))).toBe(false);
    const sharedDefaults = /L1|LambdaLatestVersion|FailureQueue/;
    expect(nagFindings(stack).filter((f) => !sharedDefaults.test(`${f.rule} ${f.resource}`))).toEqual([]);
  });

  it('gives the drift job a long timeout and passes cdk-nag', () => {
    // Act
    const { stack } = build();

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      MemorySize: 512,
      Environment: { Variables: Match.objectLike({ STEWARD_DRIFT_RPS: '20' }) },
    });
    // Findings about the shared function defaults (runtime, failure queue) belong to StewardFunction.
    const sharedDefaults = /L1|LambdaLatestVersion|FailureQueue/;
    expect(nagFindings(stack).filter((f) => !sharedDefaults.test(`${f.rule} ${f.resource}`))).toEqual([]);
  });
});
