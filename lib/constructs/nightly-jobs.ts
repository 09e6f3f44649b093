/**
 * The nightly jobs: the drift job's and the flag-expiry job's functions with their least-privilege
 * grants, and one EventBridge Scheduler schedule per job (cron and time zone from settings) invoking it
 * through a dedicated role, with a retry policy and a dead-letter queue. Other jobs join with
 * {@link NightlyJobs.addJob}.
 */
import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigurationError } from '../../functions/core/errors.ts';
import {
  APPCONFIG_TARGETS_PATH_ENV,
  FLAG_CODE_REFERENCES_ENV,
  FLAG_USAGE_DAYS_ENV,
} from '../../functions/core/names.ts';
import { grantReadOverrides } from '../override-access.ts';
import { acknowledgeWildcardGrant } from '../nag.ts';
import {
  DEFAULT_DIGEST_BUDGET_BYTES,
  encodeCodeReferenceDigest,
} from '../../functions/core/flags/code-reference-digest.ts';
import type { CodeReferenceReport } from '../../functions/core/flags/code-references.ts';
import { environmentBytes, LAMBDA_ENVIRONMENT_BYTES } from '../resolved-size.ts';
import { runtimeEnvironment, type Settings } from '../settings.ts';
import type { AppConfigTargetParameters } from './appconfig-target-parameters.ts';
import { DriftRun } from './drift-run.ts';
import type { ConfigDelivery } from './config-delivery.ts';
import { grantParameterKeys } from './parameter-keys.ts';
import { StewardFunction } from './steward-function.ts';
import { grantTicketAccess } from './ticket-access.ts';

export interface NightlyJob {
  /** Short name, used in the schedule's name and description, e.g. `flag-expiry`. */
  readonly name: string;
  readonly fn: lambda.IFunction;
}

/** The flag keys the code reads, as synth scanned them (lib/steward-app.ts). */
export interface FlagCodeReferences {
  readonly report: Pick<CodeReferenceReport, 'referenced'>;
  /** The scanned sources as the settings name them. */
  readonly sources: readonly string[];
}

/** Kept free for the variables StewardFunction adds (Powertools, NODE_OPTIONS: about 200 bytes). */
const ENVIRONMENT_RESERVE_BYTES = 512;

export interface NightlyJobsProps {
  readonly settings: Settings;
  /** The Steward bus the jobs publish `Config Drift Detected` and `Feature Flag Expired` on. */
  readonly bus: events.IEventBus;
  /**
   * The AppConfig applications whose hosted flag versions the flag-expiry job reads, and whose
   * deployed flag versions the drift run compares with config/. The flag-expiry job is built
   * in the stack's scope (see createFlagExpiryJob), so a stack holds one NightlyJobs given these.
   * @default - no flag-expiry job
   */
  readonly hostedFlags?: ConfigDelivery;
  /**
   * The parameters holding the stack's AppConfig and kill-switch ids: the drift job and the flag-expiry
   * job get their path. Required with `hostedFlags`.
   * @default - the jobs get no ids
   */
  readonly targets?: AppConfigTargetParameters;
  /**
   * The code references synth found; the flag-expiry job lists them in its tickets, from a digest
   * sized to what Lambda's 4 KB of environment variables leave over.
   * @default - tickets list no code references
   */
  readonly flagCodeReferences?: FlagCodeReferences;
  /** Further jobs on the same schedule. @default none */
  readonly jobs?: readonly NightlyJob[];
  /** Scheduler retries when it cannot deliver an invocation (Lambda's own async retries come on top). @default 2 */
  readonly retryAttempts?: number;
  /** How long Scheduler keeps retrying an invocation. @default Duration.hours(2) */
  readonly maximumEventAge?: Duration;
  /** The drift job's timeout: 10,000 parameters at 20 requests/s take minutes. @default Duration.minutes(15) */
  readonly driftTimeout?: Duration;
}

/**
 * @example
 * const nightly = new NightlyJobs(this, 'Nightly', { settings, bus, hostedFlags: delivery });
 * fingerprints.grantFingerprint(nightly.drift.fn);
 */
export class NightlyJobs extends Construct {
  public readonly drift: StewardFunction;
  /** The state machine that runs the drift function in steps, its schedule and its failure alarm. */
  public readonly driftRun: DriftRun;

  /** The flag-expiry job; undefined without {@link NightlyJobsProps.hostedFlags}. */
  public readonly flagExpiry?: StewardFunction;
  /** The role EventBridge Scheduler assumes to invoke the jobs. */
  public readonly schedulerRole: iam.Role;
  /** Invocations Scheduler could not deliver after its retries. */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly schedules: scheduler.CfnSchedule[] = [];

  private readonly props: NightlyJobsProps;

  constructor(scope: Construct, id: string, props: NightlyJobsProps) {
    super(scope, id);
    this.props = props;
    const { settings } = props;

    this.deadLetterQueue = new sqs.Queue(this, 'ScheduleDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const stack = Stack.of(this);
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Lets EventBridge Scheduler invoke the nightly Config Steward jobs',
    });
    this.deadLetterQueue.grantSendMessages(this.schedulerRole);

    this.drift = new StewardFunction(this, 'DriftJob', {
      entry: 'functions/handlers/drift-job.ts',
      settings,
      description: `Nightly drift sweep of /${settings.parameterRoot}/ against config/ and between environments`,
      timeout: props.driftTimeout ?? Duration.minutes(15),
      memorySize: 512,
    });
    this.grantDrift(this.drift.role);

    // Drift runs as a Step Functions loop of this function (one run may outlive an invocation).
    this.driftRun = new DriftRun(this, 'DriftRun', {
      settings,
      step: this.drift.fn,
      schedulerRole: this.schedulerRole,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: props.retryAttempts,
      maximumEventAge: props.maximumEventAge,
    });

    // The drift run also compares the flags each environment serves with config/, and reports kill
    // switches past their `until`.
    props.targets?.grantRead(this.drift.fn);
    if (props.hostedFlags) {
      if (!props.targets) {
        throw new ConfigurationError(
          'NightlyJobs: hostedFlags needs targets, the parameters holding their ids',
        );
      }
      props.hostedFlags.grantReadDeployedFlags(this.drift.fn);
      this.flagExpiry = this.createFlagExpiryJob(props.hostedFlags, props.targets);
      this.addJob({ name: 'flag-expiry', fn: this.flagExpiry.fn });
    }
    for (const job of props.jobs ?? []) this.addJob(job);

    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the nightly schedules.',
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This queue is itself a dead-letter queue; an operator re-runs the job instead of redriving.',
    });
  }

  /** Schedule another job nightly (same cron, time zone, retries and dead-letter queue). */
  addJob(job: NightlyJob): scheduler.CfnSchedule {
    const { settings } = this.props;
    // The unqualified ARN only (grantInvoke would add `<arn>:*`): Scheduler invokes $LATEST.
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [job.fn.functionArn] }),
    );
    const schedule = new scheduler.CfnSchedule(this, `${pascal(job.name)}Schedule`, {
      description: `Config Steward nightly ${job.name} job`,
      scheduleExpression: settings.nightly.cron,
      scheduleExpressionTimezone: settings.nightly.timeZone,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: job.fn.functionArn,
        roleArn: this.schedulerRole.roleArn,
        input: JSON.stringify({ job: job.name }),
        retryPolicy: {
          maximumRetryAttempts: this.props.retryAttempts ?? 2,
          maximumEventAgeInSeconds: (this.props.maximumEventAge ?? Duration.hours(2)).toSeconds(),
        },
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      },
    });
    this.schedules.push(schedule);
    return schedule;
  }

  /**
   * The flag-expiry job reads the hosted flag versions and the consumers' flag usage metrics,
   * publishes on the bus and files and resolves tickets. It is built in the stack's scope, where it
   * stood before this construct owned it, so that its logical IDs (its failure queue's above all) stay
   * those of deployed stacks.
   */
  private createFlagExpiryJob(
    hostedFlags: ConfigDelivery,
    targets: AppConfigTargetParameters,
  ): StewardFunction {
    const { settings, bus } = this.props;
    const environment = {
      [APPCONFIG_TARGETS_PATH_ENV]: targets.path,
      [FLAG_USAGE_DAYS_ENV]: String(settings.flags.usage.windowDays),
    };
    const job = new StewardFunction(Stack.of(this), 'FlagExpiry', {
      entry: 'functions/handlers/flag-expiry-job.ts',
      settings,
      description:
        'Nightly: reports expired, expiring and over-age feature flags and files one ticket per flag',
      timeout: Duration.minutes(5),
      environment: { ...environment, ...this.codeReferencesEnvironment(environment) },
    });
    targets.grantRead(job.fn);
    hostedFlags.grantReadHostedFlags(job.fn);
    bus.grantPutEventsTo(job.fn);
    grantTicketAccess(job.role, settings, { resolve: true });
    job.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadFlagUsageMetrics',
        actions: ['cloudwatch:GetMetricData'],
        resources: ['*'],
      }),
    );
    acknowledgeWildcardGrant(job.role, {
      actions: ['cloudwatch:GetMetricData'],
      resources: ['*'],
      reason:
        'cloudwatch:GetMetricData supports no resource-level permission and no namespace condition; ' +
        'read-only, and the job asks only for the client metric ConfigSteward/Client FlagEvaluations.',
    });
    return job;
  }

  /**
   * The digest variable, in the bytes the job's other variables leave of Lambda's 4 KB: the runtime
   * settings and `others` (CloudFormation references counted at their resolved size), less a reserve.
   */
  private codeReferencesEnvironment(others: Record<string, string>): Record<string, string> {
    const { flagCodeReferences, settings } = this.props;
    if (flagCodeReferences === undefined) return {};
    const used =
      environmentBytes(this, { ...runtimeEnvironment(settings), ...others }) +
      FLAG_CODE_REFERENCES_ENV.length +
      ENVIRONMENT_RESERVE_BYTES;
    const digest = encodeCodeReferenceDigest(
      flagCodeReferences.report,
      flagCodeReferences.sources,
      Math.min(DEFAULT_DIGEST_BUDGET_BYTES, LAMBDA_ENVIRONMENT_BYTES - used),
    );
    return { [FLAG_CODE_REFERENCES_ENV]: digest };
  }

  /** Least privilege for the drift sweep: read the root, decrypt via SSM, describe secrets, tickets, events. */
  private grantDrift(role: iam.IRole): void {
    const { settings, bus } = this.props;
    const stack = Stack.of(this);
    const root = settings.parameterRoot;
    const underRoot = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${root}/*` });
    const managedSecrets = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${root}/*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadParametersUnderRoot',
        actions: ['ssm:GetParametersByPath', 'ssm:GetParameter', 'ssm:GetParameters'],
        resources: [
          stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: root }),
          underRoot,
        ],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeParameters',
        actions: ['ssm:DescribeParameters'],
        resources: ['*'],
      }),
    );
    // SecureStrings: decrypt with the keys the settings name, through Parameter Store only.
    grantParameterKeys(role, settings);
    // Break-glass overrides are reported as such, not as value drift.
    grantReadOverrides(role, root, { describeGranted: true });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeManagedSecrets',
        actions: ['secretsmanager:DescribeSecret'],
        resources: [managedSecrets],
      }),
    );
    bus.grantPutEventsTo(role);
    grantTicketAccess(role, settings, { resolve: true });

    acknowledgeWildcardGrant(role, {
      actions: ['ssm:DescribeParameters'],
      resources: ['*'],
      reason: 'ssm:DescribeParameters supports no resource-level permissions.',
    });
    acknowledgeWildcardGrant(role, {
      actions: ['ssm:GetParametersByPath', 'ssm:GetParameter', 'ssm:GetParameters'],
      resources: [underRoot],
      reason: `The sweep reads every parameter under /${root}/ (read-only actions), and nothing else.`,
    });
    acknowledgeWildcardGrant(role, {
      actions: ['secretsmanager:DescribeSecret'],
      resources: [managedSecrets],
      reason: `Metadata only (DescribeSecret) of the managed secrets, all named under ${root}/.`,
    });
  }
}

function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]?.toUpperCase() + part.slice(1))
    .join('');
}
