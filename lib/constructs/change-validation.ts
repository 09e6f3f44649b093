/**
 * Validation of every Parameter Store change: an EventBridge rule on the default bus sends each
 * `Parameter Store Change` under the root to the validate-change function (retries, then a DLQ),
 * which may read, restore, label and delete only under the root, publish on the Steward bus, file
 * tickets, and deliver through AppConfig, deferring a change through a one-time EventBridge Scheduler
 * schedule while AppConfig stays busy. Also the AppConfig validator function that every configuration
 * profile calls.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFERRAL_SCHEDULE_PREFIX } from '../../functions/adapters/scheduler-delivery-deferral.ts';
import { acknowledgeWildcardGrant } from '../nag.ts';
import type { Settings } from '../settings.ts';
import { StewardFunction } from './steward-function.ts';
import { grantParameterKeys } from './parameter-keys.ts';
import { grantTicketAccess } from './ticket-access.ts';

export interface ChangeValidationProps {
  readonly settings: Settings;
  /** The Steward bus the change events go to. */
  readonly bus: events.IEventBus;
  /**
   * How long validate-change may run: long enough to wait for a running AppConfig deployment
   * (see `functions/core/delivery/deliver.ts`) before deferring the change.
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;
  /**
   * Prefix of the AppConfig application names (the config-delivery construct's `namePrefix`), so the
   * AppConfig validator can find the service of an application.
   * @default ''
   */
  readonly appConfigNamePrefix?: string;
}

/** The AppConfig ids of one service, as `STEWARD_APPCONFIG` carries them. */
export interface DeliveryTarget {
  readonly applicationId: string;
  readonly documentProfileId: string;
  readonly flagsProfileId: string;
  readonly environments: Record<
    string,
    { readonly environmentId: string; readonly deploymentStrategyId: string }
  >;
}

/**
 * @example
 * const validation = new ChangeValidation(this, 'ChangeValidation', { settings, bus: changeEvents.bus });
 * const delivery = new ConfigDelivery(this, 'Delivery', {
 *   settings, registry, validatorFunctionArn: validation.validatorFunction.functionArn,
 * });
 * validation.deliverTo(delivery.targets);
 */
export class ChangeValidation extends Construct {
  /** validate-change: judges each change, restores, publishes, delivers. */
  public readonly validateChange: StewardFunction;
  /** appconfig-validator, for every configuration profile's `validators`. */
  public readonly appConfigValidator: StewardFunction;
  /** The AppConfig validator's function, to pass as the profiles' validator. */
  public readonly validatorFunction: lambda.IFunction;
  /** `Parameter Store Change` under the root → validate-change. */
  public readonly rule: events.Rule;
  /** Change events that could not be delivered to validate-change after the rule's retries. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The role EventBridge Scheduler assumes to invoke validate-change with a deferred change. */
  public readonly deferralRole: iam.Role;

  private readonly parameterArn: string;

  constructor(scope: Construct, id: string, props: ChangeValidationProps) {
    super(scope, id);
    const { settings } = props;
    const stack = Stack.of(this);
    const root = settings.parameterRoot;

    this.validateChange = new StewardFunction(this, 'ValidateChange', {
      entry: 'functions/handlers/validate-change.ts',
      settings,
      description: `Validates every change under /${root}/, restores bad edits, delivers good ones`,
      timeout: props.timeout ?? Duration.minutes(2),
    });
    // Its own writes are recognised by this role (LastModifiedUser is a session of it): no loops.
    this.validateChange.fn.addEnvironment('STEWARD_VALIDATOR_PRINCIPAL', this.validateChange.role.roleName);

    this.appConfigValidator = new StewardFunction(this, 'AppConfigValidator', {
      entry: 'functions/handlers/appconfig-validator.ts',
      settings,
      description: 'AppConfig validator: re-validates every configuration document before deployment',
      // AppConfig allows the validator 15 seconds, start-up included.
      timeout: Duration.seconds(15),
      memorySize: 512,
      environment: { STEWARD_APPCONFIG_PREFIX: props.appConfigNamePrefix ?? '' },
    });
    this.validatorFunction = this.appConfigValidator.fn;
    // It reads application and profile names of the stack's applications only: see deliverTo.

    this.deadLetterQueue = new sqs.Queue(this, 'RuleDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.rule = new events.Rule(this, 'ParameterChanges', {
      description: `Every Parameter Store change under /${root}/ → validate-change`,
      eventPattern: {
        source: ['aws.ssm'],
        detailType: ['Parameter Store Change'],
        detail: { name: events.Match.prefix(`/${root}/`) },
      },
      targets: [
        new targets.LambdaFunction(this.validateChange.fn, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });

    this.parameterArn = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${root}/*` });
    const role = this.validateChange.role;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'ParametersUnderRoot',
        actions: [
          'ssm:GetParameter',
          'ssm:GetParameterHistory',
          'ssm:GetParametersByPath',
          'ssm:PutParameter',
          'ssm:DeleteParameter',
          'ssm:LabelParameterVersion',
        ],
        resources: [this.parameterArn],
      }),
    );
    // SecureStrings: read history and restore with the keys the settings name, through Parameter Store only.
    grantParameterKeys(role, settings, { write: true });
    props.bus.grantPutEventsTo(role);
    grantTicketAccess(role, settings);

    // A change whose AppConfig environment stays busy (a production rollout takes half an hour) comes
    // back through a one-time schedule instead of going to the failure queue (core/validation/deferral.ts).
    const deferralSchedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `default/${DEFERRAL_SCHEDULE_PREFIX}*`,
    });
    this.deferralRole = new iam.Role(this, 'DeferralRole', {
      // Only Scheduler acting for this account (confused-deputy guard). aws:SourceArn is left out: which
      // ARN Scheduler presents (schedule or schedule group) could not be checked here, and a wrong one
      // would silently stop every deferral.
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'EventBridge Scheduler invokes validate-change again with a deferred change',
    });
    this.deferralRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'InvokeValidateChange',
        actions: ['lambda:InvokeFunction'],
        resources: [this.validateChange.fn.functionArn],
      }),
    );
    // An invocation Scheduler cannot make (after its own retries) lands where failed invocations do.
    this.deferralRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DeadLetters',
        actions: ['sqs:SendMessage'],
        resources: [this.validateChange.failureQueue.queueArn],
      }),
    );
    this.validateChange.fn.addEnvironment('STEWARD_DEFERRAL_ROLE_ARN', this.deferralRole.roleArn);
    this.validateChange.fn.addEnvironment(
      'STEWARD_DEFERRAL_DEAD_LETTER_ARN',
      this.validateChange.failureQueue.queueArn,
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DeferChanges',
        actions: ['scheduler:CreateSchedule'],
        resources: [deferralSchedules],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'PassDeferralRole',
        actions: ['iam:PassRole'],
        resources: [this.deferralRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );

    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the EventBridge rule target.',
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself a dead-letter queue; its messages are redriven to the rule by an operator.',
    });
    acknowledgeWildcardGrant(role, {
      actions: [
        'ssm:GetParameter',
        'ssm:GetParameterHistory',
        'ssm:GetParametersByPath',
        'ssm:PutParameter',
        'ssm:DeleteParameter',
        'ssm:LabelParameterVersion',
      ],
      resources: [this.parameterArn],
      reason: `The validator judges, restores, labels and deletes any parameter under /${root}/, and nothing else.`,
    });
    acknowledgeWildcardGrant(role, {
      actions: ['scheduler:CreateSchedule'],
      resources: [deferralSchedules],
      reason:
        `validate-change creates only one-time deferral schedules (${DEFERRAL_SCHEDULE_PREFIX}<hash>-<attempt>, ` +
        'deleted after they ran); their names derive from event ids unknown at deploy time.',
    });
  }

  /**
   * Deliver accepted changes through AppConfig: `STEWARD_APPCONFIG` for validate-change (environment
   * variable and least-privilege grant in one place), and the AppConfig validator's lookups of these
   * applications.
   */
  deliverTo(deliveryTargets: Record<string, DeliveryTarget>): void {
    this.validateChange.fn.addEnvironment('STEWARD_APPCONFIG', Stack.of(this).toJsonString(deliveryTargets));
    this.grantDelivery(deliveryTargets);
    this.grantProfileLookup(Object.values(deliveryTargets).map((t) => t.applicationId));
  }

  /**
   * Allow validate-change to create hosted versions of these document profiles and start and follow
   * deployments of them to these environments with these strategies, and nothing else. Hosted versions
   * and deployments are numbered by AppConfig at run time: they are granted under their exact profile
   * and environment only.
   */
  grantDelivery(deliveryTargets: Record<string, DeliveryTarget>): void {
    const targets = Object.values(deliveryTargets);
    if (targets.length === 0) return;
    const stack = Stack.of(this);
    const application = (id: string, rest: string) =>
      stack.formatArn({ service: 'appconfig', resource: 'application', resourceName: `${id}/${rest}` });
    const profiles = targets.map((t) =>
      application(t.applicationId, `configurationprofile/${t.documentProfileId}`),
    );
    const environments = targets.flatMap((t) =>
      Object.values(t.environments).map((e) =>
        application(t.applicationId, `environment/${e.environmentId}`),
      ),
    );
    const strategies = [
      ...new Set(targets.flatMap((t) => Object.values(t.environments).map((e) => e.deploymentStrategyId))),
    ].map((id) =>
      stack.formatArn({ service: 'appconfig', resource: 'deploymentstrategy', resourceName: id }),
    );
    const hostedVersions = profiles.map((arn) => `${arn}/hostedconfigurationversion/*`);
    const deployments = environments.map((arn) => `${arn}/deployment/*`);

    const role = this.validateChange.role;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FindHostedVersions',
        actions: ['appconfig:ListHostedConfigurationVersions'],
        resources: profiles,
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'CreateHostedVersions',
        actions: ['appconfig:CreateHostedConfigurationVersion'],
        resources: [...profiles, ...hostedVersions],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StartDeployments',
        actions: ['appconfig:StartDeployment'],
        resources: [...environments, ...deployments, ...profiles, ...strategies],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'FollowDeployments',
        actions: ['appconfig:ListDeployments'],
        resources: environments,
      }),
    );
    acknowledgeWildcardGrant(role, {
      actions: ['appconfig:CreateHostedConfigurationVersion'],
      resources: hostedVersions,
      reason:
        'Hosted versions are numbered by AppConfig when created; the grant names their document profile exactly.',
    });
    acknowledgeWildcardGrant(role, {
      actions: ['appconfig:StartDeployment'],
      resources: deployments,
      reason:
        'Deployments are numbered by AppConfig when started; the grant names their environment exactly.',
    });
  }

  /**
   * Let the AppConfig validator read the names of these applications and of their profiles, which is how
   * it finds the service and document of an invocation. The profiles are granted as
   * `application/<id>/configurationprofile/*`: naming their ids would be a cycle (each profile references
   * the validator function, which waits for its role's policy). The stack's applications hold only the
   * profiles it creates.
   */
  private grantProfileLookup(applicationIds: readonly string[]): void {
    if (applicationIds.length === 0) return;
    const stack = Stack.of(this);
    const applications = applicationIds.map((id) =>
      stack.formatArn({ service: 'appconfig', resource: 'application', resourceName: id }),
    );
    const profiles = applications.map((arn) => `${arn}/configurationprofile/*`);
    const role = this.appConfigValidator.role;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'LocateApplications',
        actions: ['appconfig:GetApplication'],
        resources: applications,
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'LocateProfiles',
        actions: ['appconfig:GetConfigurationProfile'],
        resources: profiles,
      }),
    );
    acknowledgeWildcardGrant(role, {
      actions: ['appconfig:GetConfigurationProfile'],
      resources: profiles,
      reason:
        "Profile metadata of the stack's own applications only; their ids cannot be named because every profile " +
        'references this validator (a cycle).',
    });
  }
}
