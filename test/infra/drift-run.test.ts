import { App, Stack } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { beforeAll, describe, expect, it } from 'vitest';
import { NOT_RETRIED_STEP_ERRORS, RETRIED_STEP_ERRORS } from '../../lib/constructs/drift-run.ts';
import { NightlyJobs } from '../../lib/constructs/nightly-jobs.ts';
import { nagFindings } from '../../lib/nag.ts';
import { loadSettings } from '../../lib/settings.ts';

const settings = loadSettings('config/settings.json');

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown };
const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);

let stack: Stack;
let template: Template;
let definition: {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
};

function statementsOfRole(fragment: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.includes(fragment)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** The definition string with every token rendered as `<LogicalId>`, parsed. */
function definitionOf(template: Template) {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const parts = machine?.Properties.DefinitionString['Fn::Join'][1] as unknown[];
  const text = parts
    .map((part) => {
      if (typeof part === 'string') return part;
      const token = part as { 'Fn::GetAtt'?: string[]; Ref?: string };
      return `<${token['Fn::GetAtt']?.[0] ?? token.Ref}>`;
    })
    .join('');
  return JSON.parse(text);
}

beforeAll(() => {
  stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Test', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'config-steward' });
  new NightlyJobs(stack, 'Nightly', { settings, bus });
  template = Template.fromStack(stack);
  definition = definitionOf(template);
});

describe('Construct: DriftRun', () => {
  it('loops the drift step until it reports done, in a Standard state machine with logging and tracing', () => {
    // Assess
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [{ CloudWatchLogsLogGroup: { LogGroupArn: Match.anyValue() } }],
      },
    });
    const step = definition.States[definition.StartAt] as Record<string, unknown>;
    expect(step).toMatchObject({
      Type: 'Task',
      Resource: 'arn:<AWS::Partition>:states:::lambda:invoke',
      Parameters: { FunctionName: expect.stringMatching(/^<NightlyDriftJob.*>$/), 'Payload.$': '$' },
      ResultSelector: { 'checkpoint.$': '$.Payload.checkpoint', 'done.$': '$.Payload.done' },
    });
    const choice = definition.States[step.Next as string] as {
      Type: string;
      Choices: { Variable: string; BooleanEquals: boolean; Next: string }[];
      Default: string;
    };
    expect(choice.Type).toBe('Choice');
    expect(choice.Choices).toEqual([{ Variable: '$.done', BooleanEquals: true, Next: expect.any(String) }]);
    // Done: one publish invocation of the same function with the final checkpoint, then success.
    const publish = definition.States[choice.Choices[0]?.Next ?? ''] as Record<string, unknown>;
    expect(publish).toMatchObject({
      Type: 'Task',
      Resource: 'arn:<AWS::Partition>:states:::lambda:invoke',
      Parameters: {
        FunctionName: expect.stringMatching(/^<NightlyDriftJob.*>$/),
        Payload: { 'checkpoint.$': '$.checkpoint', publish: true },
      },
      ResultPath: null,
    });
    expect(definition.States[publish.Next as string]?.Type).toBe('Succeed');
    // Not done: the same step again, with the checkpoint it returned.
    expect(choice.Default).toBe(definition.StartAt);
  });

  it('retries the step and the publish with backoff on Lambda service errors and on an invocation that died, never on refused input', () => {
    // Assess
    const step = definition.States[definition.StartAt] as { Retry: Record<string, unknown>[]; Next: string };
    const choice = definition.States[step.Next] as { Choices: { Next: string }[] };
    const publish = definition.States[choice.Choices[0]?.Next ?? ''] as { Retry: Record<string, unknown>[] };
    expect(publish.Retry).toEqual(step.Retry);
    expect(step.Retry).toEqual([
      { ErrorEquals: ['DriftCheckpointError'], MaxAttempts: 0 },
      {
        ErrorEquals: RETRIED_STEP_ERRORS,
        IntervalSeconds: 2,
        MaxAttempts: 6,
        BackoffRate: 2,
        JitterStrategy: 'FULL',
      },
      { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 30, MaxAttempts: 2, BackoffRate: 4 },
    ]);
    // The names AWS documents for a lambda:invoke task (see the list's comment for the pages):
    // service errors, throttling, and a function that died (timeout, out of memory).
    expect(RETRIED_STEP_ERRORS).toEqual(
      expect.arrayContaining([
        'Lambda.ClientExecutionTimeoutException',
        'Lambda.ServiceException',
        'Lambda.TooManyRequestsException',
        'Lambda.Unknown',
        'Sandbox.Timedout',
      ]),
    );
    expect(NOT_RETRIED_STEP_ERRORS).toEqual(['DriftCheckpointError']);
  });

  it('is started nightly by the schedule, whose role may start this state machine and nothing else of it', () => {
    // Assess
    const role = new Capture();
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: settings.nightly.cron,
      ScheduleExpressionTimezone: settings.nightly.timeZone,
      Target: {
        Arn: { Ref: Match.stringLikeRegexp('DriftRunStateMachine') },
        RoleArn: { 'Fn::GetAtt': [role, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 7200 },
        DeadLetterConfig: Match.objectLike({}),
        Input: JSON.stringify({ job: 'drift' }),
      },
    });
    const starts = statementsOfRole(role.asString()).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('states:')),
    );
    expect(starts).toEqual([
      {
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: { Ref: expect.stringMatching(/DriftRunStateMachine/) },
      },
    ]);
    // The drift function is reached through the state machine only: the schedule's role may not invoke it.
    const invokes = statementsOfRole(role.asString()).filter((s) =>
      actionsOf(s).some((a) => a.startsWith('lambda:')),
    );
    for (const statement of invokes) {
      expect(JSON.stringify(resourcesOf(statement))).not.toMatch(/DriftJob/);
    }
    expect(
      statementsOfRole(role.asString())
        .flatMap(actionsOf)
        .filter((a) => !/^(states:StartExecution|lambda:InvokeFunction|sqs:)/.test(a)),
    ).toEqual([]);
  });

  it('lets the state machine invoke the drift step function only, and write its logs and traces', () => {
    // Assess
    const statements = statementsOfRole('DriftRunStateMachineRole');
    const invoke = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
    expect(invoke).toHaveLength(1);
    expect(actionsOf(invoke[0] as Statement)).toEqual(['lambda:InvokeFunction']);
    const targets = resourcesOf(invoke[0] as Statement).map((r) => JSON.stringify(r));
    expect(targets).toHaveLength(2);
    for (const target of targets) expect(target).toMatch(/NightlyDriftJob[A-Za-z0-9]*Function[A-Za-z0-9]*"/);
    const others = statements.flatMap(actionsOf).filter((a) => !a.startsWith('lambda:'));
    for (const action of others) expect(action).toMatch(/^(logs|xray):/);
  });

  it('leaves the drift function its own grants: it may not start or drive executions', () => {
    // Assess
    const actions = statementsOfRole('DriftJob').flatMap(actionsOf);
    expect(actions.some((a) => a.startsWith('states:'))).toBe(false);
    expect(actions.filter((a) => a.startsWith('lambda:'))).toEqual([]);
  });

  it('raises an alarm when a run fails or times out', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'failed + timedOut' }),
        Match.objectLike({
          Id: 'failed',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({ MetricName: 'ExecutionsFailed', Namespace: 'AWS/States' }),
            Stat: 'Sum',
          }),
        }),
        Match.objectLike({
          Id: 'timedOut',
          MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'ExecutionsTimedOut' }) }),
        }),
      ]),
    });
  });

  it('passes cdk-nag with no unacknowledged finding', () => {
    // Assess
    const onDriftRun = nagFindings(stack).filter((f) => f.resource.includes('DriftRun'));
    expect(onDriftRun).toEqual([]);
  });
});
