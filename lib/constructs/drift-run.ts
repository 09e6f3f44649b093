/**
 * The nightly drift run as a Step Functions Standard state machine looping the drift step function:
 * each invocation works until its remaining time leaves a margin and returns a small checkpoint, and
 * the loop calls it again until the run is done. A loop rather than a Map over services: every step
 * shares one Parameter Store read budget (a client-side rate limiter in the function), so running
 * steps in parallel would only split the same budget, and one step at a time keeps the run at the
 * floor (requests ÷ budget) with no concurrency to tune. When the run is done a last state invokes the
 * function to publish the run's event: a retried work step then never publishes twice (see
 * functions/core/drift/step.ts). EventBridge Scheduler starts one execution a night; an execution that
 * fails raises the alarm.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeWildcardGrant } from '../nag.ts';
import type { Settings } from '../settings.ts';

export interface DriftRunProps {
  readonly settings: Settings;
  /** The drift step function (functions/handlers/drift-job.ts). */
  readonly step: lambda.IFunction;
  /** The role EventBridge Scheduler assumes; it is allowed to start this state machine only. */
  readonly schedulerRole: iam.IRole;
  /** Where Scheduler puts a start it could not deliver after its retries. */
  readonly deadLetterQueue: sqs.IQueue;
  /** Scheduler retries when it cannot start the execution. @default 2 */
  readonly retryAttempts?: number;
  /** How long Scheduler keeps retrying. @default Duration.hours(2) */
  readonly maximumEventAge?: Duration;
  /** The longest a whole run may take: 100,000 parameters at 20 requests/s take about 25 minutes. @default Duration.hours(4) */
  readonly timeout?: Duration;
}

/**
 * Lambda errors worth retrying with backoff, as AWS names them for a `lambda:invoke` task:
 * - the transient service errors of "Handle Lambda service exceptions"
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html), which
 *   also says Lambda throttling is `Lambda.TooManyRequestsException` and an unhandled error, out of
 *   memory or timeout of the function is `Lambda.Unknown`;
 * - `Sandbox.Timedout`: the error type Lambda reports for a function that timed out
 *   (https://docs.aws.amazon.com/lambda/latest/dg/troubleshooting-invocation.html#troubleshooting-timeouts),
 *   which the task surfaces as the error name when the response carries it.
 * `States.Timeout` is left out: the task sets no timeout of its own, the function's 15 minutes bound it.
 */
export const RETRIED_STEP_ERRORS = [
  'Lambda.ClientExecutionTimeoutException',
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'Lambda.Unknown',
  'Sandbox.Timedout',
];

/**
 * What the function throws for input it refuses (a malformed or foreign checkpoint): the same input
 * would be refused again, so the execution fails at once instead of retrying.
 */
export const NOT_RETRIED_STEP_ERRORS = ['DriftCheckpointError'];

/**
 * @example
 * const run = new DriftRun(this, 'DriftRun', { settings, step: drift.fn, schedulerRole, deadLetterQueue });
 */
export class DriftRun extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly schedule: scheduler.CfnSchedule;
  /** Any failed execution: a run that did not finish after its retries. */
  public readonly failureAlarm: cloudwatch.Alarm;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DriftRunProps) {
    super(scope, id);

    const step = new tasks.LambdaInvoke(this, 'DriftStep', {
      lambdaFunction: props.step,
      comment:
        'Checks units of the desired state until the invocation has a margin left; returns the checkpoint',
      // The whole state ({} at first, then { checkpoint, done }) is the step's input.
      payload: sfn.TaskInput.fromJsonPathAt('$'),
      resultSelector: { 'checkpoint.$': '$.Payload.checkpoint', 'done.$': '$.Payload.done' },
      // Explicit retries below, so the list and the backoff are visible in one place.
      retryOnServiceExceptions: false,
    });
    retryStep(step);
    const publish = new tasks.LambdaInvoke(this, 'PublishRun', {
      lambdaFunction: props.step,
      comment: "Publishes the finished run's one Config Drift Detected event and its metrics",
      payload: sfn.TaskInput.fromObject({ 'checkpoint.$': '$.checkpoint', publish: true }),
      // The execution's output stays the final checkpoint.
      resultPath: sfn.JsonPath.DISCARD,
      retryOnServiceExceptions: false,
    });
    retryStep(publish);
    const finished = new sfn.Choice(this, 'RunFinished?')
      .when(sfn.Condition.booleanEquals('$.done', true), publish.next(new sfn.Succeed(this, 'Done')))
      .otherwise(step);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.settings.logRetentionDays as logs.RetentionDays,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Config Steward nightly drift run: the drift step in a loop until the run is done',
      stateMachineType: sfn.StateMachineType.STANDARD,
      // The input is the first step's: the schedule's `{ job }` starts a run; an operator may start an
      // execution with the `{ checkpoint }` a failed execution last returned, to resume that run.
      definitionBody: sfn.DefinitionBody.fromChainable(step.next(finished)),
      timeout: props.timeout ?? Duration.hours(4),
      tracingEnabled: true,
      // Execution data is counts only, but there is no need to keep it twice (the step logs it).
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    acknowledgeWildcardGrant(this.stateMachine.role, {
      actions: [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ],
      resources: ['*'],
      reason:
        'Step Functions log delivery: CloudWatch Logs vended-log actions support no resource-level permissions.',
    });
    acknowledgeWildcardGrant(this.stateMachine.role, {
      actions: [
        'xray:PutTraceSegments',
        'xray:PutTelemetryRecords',
        'xray:GetSamplingRules',
        'xray:GetSamplingTargets',
      ],
      resources: ['*'],
      reason:
        'X-Ray tracing of the state machine: these X-Ray actions support no resource-level permissions.',
    });
    acknowledgeWildcardGrant(this.stateMachine.role, {
      actions: ['lambda:InvokeFunction'],
      resources: [`${props.step.functionArn}:*`],
      reason: 'The versions and aliases of the drift step function only (added by the LambdaInvoke task).',
    });

    this.stateMachine.grantStartExecution(props.schedulerRole);
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      description: 'Config Steward nightly drift run',
      scheduleExpression: props.settings.nightly.cron,
      scheduleExpressionTimezone: props.settings.nightly.timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: this.stateMachine.stateMachineArn,
        roleArn: props.schedulerRole.roleArn,
        input: JSON.stringify({ job: 'drift' }),
        retryPolicy: {
          maximumRetryAttempts: props.retryAttempts ?? 2,
          maximumEventAgeInSeconds: (props.maximumEventAge ?? Duration.hours(2)).toSeconds(),
        },
        deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
      },
    });

    this.failureAlarm = new cloudwatch.Alarm(this, 'FailedAlarm', {
      alarmDescription: `The nightly drift run failed after its retries (state machine ${Stack.of(this).stackName}); no drift report tonight.`,
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut',
        label: 'Drift runs that failed or timed out',
        period: Duration.minutes(5),
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ statistic: cloudwatch.Stats.SUM }),
          timedOut: this.stateMachine.metricTimedOut({ statistic: cloudwatch.Stats.SUM }),
        },
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

/** The same retries for both tasks: refused input never, Lambda's errors with backoff, any other twice. */
function retryStep(task: tasks.LambdaInvoke): void {
  task.addRetry({ errors: NOT_RETRIED_STEP_ERRORS, maxAttempts: 0 });
  task.addRetry({
    errors: RETRIED_STEP_ERRORS,
    interval: Duration.seconds(2),
    maxAttempts: 6,
    backoffRate: 2,
    jitterStrategy: sfn.JitterType.FULL,
  });
  // Anything else the step threw (a ticket tracker outage, Parameter Store unreachable): the same
  // checkpoint again a little later; its tickets are not filed twice (see core/drift/step.ts).
  task.addRetry({
    errors: ['States.TaskFailed'],
    interval: Duration.seconds(30),
    maxAttempts: 2,
    backoffRate: 4,
  });
}
