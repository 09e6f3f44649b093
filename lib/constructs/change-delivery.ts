/**
 * Delivery of accepted changes, and restores of rejected ones: a FIFO queue whose message group is a
 * (service, environment), so SQS never hands one group to two consumers at once, consumed by
 * deliver-changes through an event source mapping. A busy AppConfig environment sends its group back
 * for `pipeline.delivery.retrySeconds`; after `maxWaitMinutes` a request moves to the delivery
 * dead-letter queue (FIFO too), its body naming the (service, environment) and its change events.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AppConfigTargets } from '../../functions/core/appconfig-targets.ts';
import { DELIVERY_TIMEOUT_SECONDS } from '../../functions/core/delivery/deliver.ts';
import { DELIVERY_QUEUE_URL_ENV, VALIDATOR_PRINCIPAL_ENV } from '../../functions/core/names.ts';
import { OVERRIDE_DEPLOYMENT_STRATEGY_ID } from '../../functions/core/override.ts';
import { appConfigArn, grantWithinApplications } from '../appconfig-access.ts';
import { grantReadOverrides } from '../override-access.ts';
import { acknowledgeWildcardGrant } from '../nag.ts';
import type { Settings } from '../settings.ts';
import type { AppConfigTargetParameters } from './appconfig-target-parameters.ts';
import { grantParameterKeys } from './parameter-keys.ts';
import { StewardFunction } from './steward-function.ts';
import { grantTicketAccess } from './ticket-access.ts';

/** SQS hands a FIFO consumer at most ten messages a batch. */
const FIFO_BATCH = 10;

/**
 * The delivery queue's visibility timeout: six times the function's timeout, as AWS advises for an
 * event source mapping, so a batch whose invocation Lambda retried after a throttle is never handed
 * out again while it may still run. With visibility equal to the timeout, a late invocation could
 * still be running when SQS hands its message group to the other consumer: two restores of one
 * parameter, or two deliveries of one document, at once. Waiting and failed records come back
 * sooner, after `retrySeconds` (ChangeMessageVisibility); only a crashed or timed-out invocation's
 * records wait this long.
 */
export const DELIVERY_VISIBILITY_TIMEOUT_SECONDS = 6 * DELIVERY_TIMEOUT_SECONDS;

export interface ChangeDeliveryProps {
  readonly settings: Settings;
  /** The Steward bus `Config Deployment Started` and `Config Change Restored` go to. */
  readonly bus: events.IEventBus;
}

/**
 * How often a request is received before it moves to the dead-letter queue: it is retried every
 * `retrySeconds`, for `maxWaitMinutes` in all.
 *
 * @example
 * deliveryMaxReceives(settings); // 180 minutes / 60 s = 180
 */
export function deliveryMaxReceives(settings: Pick<Settings, 'pipeline'>): number {
  const { retrySeconds, maxWaitMinutes } = settings.pipeline.delivery;
  return Math.ceil((maxWaitMinutes * 60) / retrySeconds);
}

/**
 * @example
 * const delivery = new ChangeDelivery(this, 'ChangeDelivery', { settings, bus });
 * delivery.deliverTo(configDelivery.targets);
 */
export class ChangeDelivery extends Construct {
  /** deliver-changes: restores rejected parameters and delivers composed documents. */
  public readonly deliverChanges: StewardFunction;
  /** Deliver and restore requests, one message group per (service, environment). */
  public readonly queue: sqs.Queue;
  /** Requests that kept failing or waiting for `maxWaitMinutes`. */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: ChangeDeliveryProps) {
    super(scope, id);
    const { settings } = props;
    const stack = Stack.of(this);
    const root = settings.parameterRoot;
    const consumer = settings.pipeline.delivery;

    this.deadLetterQueue = new sqs.Queue(this, 'DeliveryDeadLetterQueue', {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new sqs.Queue(this, 'DeliveryQueue', {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(4),
      // Six times the function's timeout (see DELIVERY_VISIBILITY_TIMEOUT_SECONDS); waiting and failed
      // records come back sooner, after retrySeconds, through ChangeMessageVisibility.
      visibilityTimeout: Duration.seconds(DELIVERY_VISIBILITY_TIMEOUT_SECONDS),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: deliveryMaxReceives(settings) },
    });

    this.deliverChanges = new StewardFunction(this, 'DeliverChanges', {
      entry: 'functions/handlers/deliver-changes.ts',
      settings,
      description: `Restores rejected parameters under /${root}/ and delivers each changed document once`,
      timeout: Duration.seconds(DELIVERY_TIMEOUT_SECONDS),
      consumesQueue: true,
      environment: {
        [DELIVERY_QUEUE_URL_ENV]: this.queue.queueUrl,
        STEWARD_DELIVERY_RETRY_SECONDS: String(consumer.retrySeconds),
      },
    });
    // Its own writes are the restores: a retry recognises the one an earlier attempt left unfinished.
    this.deliverChanges.fn.addEnvironment(VALIDATOR_PRINCIPAL_ENV, this.deliverChanges.role.roleName);
    this.eventSource = new SqsEventSource(this.queue, {
      batchSize: FIFO_BATCH,
      maxConcurrency: consumer.maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.deliverChanges.fn.addEventSource(this.eventSource);
    // The event source mapping's grant covers ChangeMessageVisibility, which sends waiting records
    // back; a restore asks for the delivery of the documents it touched on the same queue.
    this.queue.grantSendMessages(this.deliverChanges.role);

    const parameterArn = stack.formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `${root}/*`,
    });
    const role = this.deliverChanges.role;
    const restoreAndCompose = [
      'ssm:GetParameterHistory',
      'ssm:GetParametersByPath',
      'ssm:PutParameter',
      'ssm:DeleteParameter',
      'ssm:LabelParameterVersion',
    ];
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'RestoreAndComposeUnderRoot',
        actions: restoreAndCompose,
        resources: [parameterArn],
      }),
    );
    // SecureStrings: restore them with the keys the settings name, through Parameter Store only.
    grantParameterKeys(role, settings, { write: true });
    // A document holding a new break-glass override ships all at once: delivery reads them.
    grantReadOverrides(role, root);
    props.bus.grantPutEventsTo(role);
    grantTicketAccess(role, settings);

    Validations.of(this.deadLetterQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of the delivery queue.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself a dead-letter queue; an operator redrives its messages to the delivery queue.',
      },
    );
    acknowledgeWildcardGrant(role, {
      actions: restoreAndCompose,
      resources: [parameterArn],
      reason: `deliver-changes restores any parameter under /${root}/ and reads the paths it composes; nothing else.`,
    });
  }

  /**
   * Deliver through AppConfig: the path of the parameters holding these ids for deliver-changes, and
   * its least-privilege grants, in one place.
   */
  deliverTo(deliveryTargets: AppConfigTargets, parameters: AppConfigTargetParameters): void {
    parameters.grantRead(this.deliverChanges.fn);
    this.grantDelivery(deliveryTargets);
  }

  /**
   * Allow deliver-changes to create hosted versions (documents and flags) in these applications and
   * start and follow deployments in them with these strategies, and nothing else: one ARN pair per application (hosted
   * versions and deployments are numbered by AppConfig at run time), the strategies exactly. The
   * kill-switch environments of the same applications are denied to it by KillSwitches.keepOut.
   */
  grantDelivery(deliveryTargets: AppConfigTargets): void {
    const targets = Object.values(deliveryTargets);
    if (targets.length === 0) return;
    const stack = Stack.of(this);
    const strategies = [
      ...new Set(targets.flatMap((t) => Object.values(t.environments).map((e) => e.deploymentStrategyId))),
      // AppConfig's predefined all-at-once strategy, for documents holding a new break-glass override.
      // StartDeployment requires the deploymentstrategy resource, whose ARN the Service Authorization
      // Reference gives as arn:${Partition}:appconfig:${Region}:${Account}:deploymentstrategy/${DeploymentStrategyId}
      // (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsappconfig.html), with no
      // other form for a predefined one: its id in the caller's account and region, as aws-cdk-lib's
      // DeploymentStrategy.fromDeploymentStrategyId(..., DeploymentStrategyId.ALL_AT_ONCE) forms it too.
      OVERRIDE_DEPLOYMENT_STRATEGY_ID,
    ].map((id) => appConfigArn(stack, { strategy: id }));

    const role = this.deliverChanges.role;
    grantWithinApplications(role, {
      sid: 'DeliverDocuments',
      actions: [
        'appconfig:ListHostedConfigurationVersions',
        'appconfig:CreateHostedConfigurationVersion',
        'appconfig:StartDeployment',
        'appconfig:ListDeployments',
      ],
      applicationIds: targets.map((t) => t.applicationId),
      reason:
        "The stack's own applications only: hosted versions and deployments are numbered by AppConfig when " +
        'created; the strategies are named exactly, and the kill-switch environments and profiles are denied.',
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'StartDeploymentsWithStrategies',
        actions: ['appconfig:StartDeployment'],
        resources: strategies,
      }),
    );
  }
}
