/**
 * Validation of every Parameter Store change: an EventBridge rule on the default bus puts each
 * `Parameter Store Change` under the root on the change queue, which validate-change consumes through
 * an event source mapping (batch size, batching window and maximum concurrency from the settings,
 * partial batch failures). validate-change may read history and label under the root, publish on
 * the Steward bus, file tickets, and queue deliver and restore requests (see change-delivery.ts).
 * Also the AppConfig validator function that every configuration profile calls.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AppConfigTargets } from '../../functions/core/appconfig-targets.ts';
import {
  APPCONFIG_PREFIX_ENV,
  DELIVERY_QUEUE_URL_ENV,
  PARAMETER_CHANGE_DETAIL_TYPE,
  PARAMETER_CHANGE_SOURCE,
  RECONCILER_PRINCIPAL_ENV,
  VALIDATOR_PRINCIPAL_ENV,
} from '../../functions/core/names.ts';
import { acknowledgeWildcardGrant } from '../nag.ts';
import type { Settings } from '../settings.ts';
import { grantParameterKeys } from './parameter-keys.ts';
import { StewardFunction } from './steward-function.ts';
import { grantTicketAccess } from './ticket-access.ts';

/**
 * Receives of one change record before it moves to the change dead-letter queue: Parameter Store
 * throttling is retried inside an invocation first, so five failed receives mean a real fault.
 */
export const CHANGE_MAX_RECEIVES = 5;

export interface ChangeValidationProps {
  readonly settings: Settings;
  /** The Steward bus the change events go to. */
  readonly bus: events.IEventBus;
  /**
   * How long validate-change may run for one batch (its reads are rate-limited).
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

/**
 * @example
 * const validation = new ChangeValidation(this, 'ChangeValidation', { settings, bus: changeEvents.bus });
 * const delivery = new ChangeDelivery(this, 'ChangeDelivery', { settings, bus: changeEvents.bus });
 * validation.sendRequestsTo(delivery.queue, delivery.deliverChanges.role);
 */
export class ChangeValidation extends Construct {
  /** validate-change: judges each change, queues deliver and restore requests. */
  public readonly validateChange: StewardFunction;
  /** appconfig-validator, for every configuration profile's `validators`. */
  public readonly appConfigValidator: StewardFunction;
  /** The AppConfig validator's function, to pass as the profiles' validator. */
  public readonly validatorFunction: lambda.IFunction;
  /** `Parameter Store Change` under the root → the change queue. */
  public readonly rule: events.Rule;
  /** The changes, waiting for validate-change. */
  public readonly queue: sqs.Queue;
  /**
   * Changes validate-change failed CHANGE_MAX_RECEIVES times, and events EventBridge could not put on
   * the queue: the body is the `Parameter Store Change` event itself, id and parameter name included.
   */
  public readonly deadLetterQueue: sqs.Queue;
  /** The event source mapping from the change queue to validate-change. */
  public readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: ChangeValidationProps) {
    super(scope, id);
    const { settings } = props;
    const stack = Stack.of(this);
    const root = settings.parameterRoot;
    const timeout = props.timeout ?? Duration.minutes(2);
    const consumer = settings.pipeline.validation;

    this.validateChange = new StewardFunction(this, 'ValidateChange', {
      entry: 'functions/handlers/validate-change.ts',
      settings,
      description: `Validates every change under /${root}/ and queues its delivery or restore`,
      timeout,
      consumesQueue: true,
    });

    this.appConfigValidator = new StewardFunction(this, 'AppConfigValidator', {
      entry: 'functions/handlers/appconfig-validator.ts',
      settings,
      description: 'AppConfig validator: re-validates every configuration document before deployment',
      // AppConfig allows the validator 15 seconds, start-up included.
      timeout: Duration.seconds(15),
      memorySize: 512,
      environment: { [APPCONFIG_PREFIX_ENV]: props.appConfigNamePrefix ?? '' },
    });
    this.validatorFunction = this.appConfigValidator.fn;
    // It reads application and profile names of the stack's applications only: see validateDocumentsOf.

    this.deadLetterQueue = new sqs.Queue(this, 'ChangeDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'ChangeQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // AWS's advice for event source mappings: six times the function timeout plus the batching
      // window, so a record whose invocation was throttled is not received again while it may still run.
      visibilityTimeout: Duration.seconds(timeout.toSeconds() * 6 + consumer.maxBatchingWindowSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: CHANGE_MAX_RECEIVES },
    });
    this.rule = new events.Rule(this, 'ParameterChanges', {
      description: `Every Parameter Store change under /${root}/ → the change queue`,
      eventPattern: {
        source: [PARAMETER_CHANGE_SOURCE],
        detailType: [PARAMETER_CHANGE_DETAIL_TYPE],
        // A label move changes no value (validate-change's own labels would double its reads), and a
        // restore re-checks the labelled value before using it.
        detail: {
          name: events.Match.prefix(`/${root}/`),
          operation: events.Match.anythingBut('LabelParameterVersion'),
        },
      },
      targets: [
        new targets.SqsQueue(this.queue, {
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });
    this.eventSource = new SqsEventSource(this.queue, {
      batchSize: consumer.batchSize,
      maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
      maxConcurrency: consumer.maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.validateChange.fn.addEventSource(this.eventSource);

    const parameterArn = stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `${root}/*`,
    });
    const role = this.validateChange.role;
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'JudgeParametersUnderRoot',
        // Judging reads history and moves the label; restores and deliveries run in deliver-changes.
        actions: ['ssm:GetParameterHistory', 'ssm:LabelParameterVersion'],
        resources: [parameterArn],
      }),
    );
    // SecureStrings: read history with the keys the settings name, through Parameter Store only.
    grantParameterKeys(role, settings);
    props.bus.grantPutEventsTo(role);
    grantTicketAccess(role, settings);

    Validations.of(this.deadLetterQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of the change queue and of the rule target.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself a dead-letter queue; an operator redrives its messages to the change queue.',
      },
    );
    acknowledgeWildcardGrant(role, {
      actions: ['ssm:GetParameterHistory', 'ssm:LabelParameterVersion'],
      resources: [parameterArn],
      reason: `The validator reads the history of and labels any parameter under /${root}/, and nothing else.`,
    });
  }

  /**
   * Queue deliver and restore requests on the delivery queue: its URL in the environment, SendMessage
   * on it alone. The consumer's role writes the restores, so its writes are the ones validate-change
   * recognises as its own (no loops).
   */
  sendRequestsTo(queue: sqs.IQueue, restorer: iam.IRole): void {
    this.validateChange.fn.addEnvironment(DELIVERY_QUEUE_URL_ENV, queue.queueUrl);
    this.validateChange.fn.addEnvironment(VALIDATOR_PRINCIPAL_ENV, restorer.roleName);
    queue.grantSendMessages(this.validateChange.role);
  }

  /** The reconcile's writes are judged, but their delivery is the reconcile's to request. */
  trustDeliveriesOf(reconciler: iam.IRole): void {
    this.validateChange.fn.addEnvironment(RECONCILER_PRINCIPAL_ENV, reconciler.roleName);
  }

  /**
   * Let the AppConfig validator read the names of these applications and of their profiles, which is how
   * it finds the service and document of an invocation. The profiles are granted as
   * `application/<id>/configurationprofile/*`: naming their ids would be a cycle (each profile references
   * the validator function, which waits for its role's policy). The stack's applications hold only the
   * profiles it creates.
   */
  validateDocumentsOf(deliveryTargets: AppConfigTargets): void {
    const applicationIds = Object.values(deliveryTargets).map((t) => t.applicationId);
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
