/**
 * validate-change, fed by the change queue through an event source mapping (batch size, batching
 * window and maximum concurrency from the settings, partial batch failures). It may read history and
 * label under the root, publish on the Steward bus, file tickets, and queue deliver and restore requests
 * (see change-delivery.ts).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  DELIVERY_QUEUE_URL_ENV,
  RECONCILER_PRINCIPAL_ENV,
  VALIDATOR_PRINCIPAL_ENV,
} from '../../functions/core/names.ts';
import { acknowledgeWildcardGrant } from '../nag.ts';
import type { Settings } from '../settings.ts';
import { grantParameterKeys } from './parameter-keys.ts';
import { StewardFunction } from './steward-function.ts';
import { grantTicketAccess } from './ticket-access.ts';

export interface ChangeValidatorProps {
  readonly settings: Settings;
  /** The Steward bus the change events go to. */
  readonly bus: events.IEventBus;
  /** The change queue validate-change consumes. */
  readonly changes: sqs.IQueue;
  /** How long validate-change may run for one batch (its reads are rate-limited). */
  readonly timeout: Duration;
}

/**
 * @example
 * const validator = new ChangeValidator(this, 'ValidateChange', { settings, bus, changes: intake.queue, timeout });
 * validator.sendRequestsTo(delivery.queue, delivery.deliverChanges.role);
 */
export class ChangeValidator extends Construct {
  /** validate-change: judges each change, queues deliver and restore requests. */
  public readonly function: StewardFunction;
  /** The event source mapping from the change queue to validate-change. */
  public readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: ChangeValidatorProps) {
    super(scope, id);
    const { settings } = props;
    const root = settings.parameterRoot;
    const consumer = settings.pipeline.validation;

    // 'Default' is left out of logical IDs: the function keeps the IDs it had before this construct.
    this.function = new StewardFunction(this, 'Default', {
      entry: 'functions/handlers/validate-change.ts',
      settings,
      description: `Validates every change under /${root}/ and queues its delivery or restore`,
      timeout: props.timeout,
      consumesQueue: true,
    });
    this.eventSource = new SqsEventSource(props.changes, {
      batchSize: consumer.batchSize,
      maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
      maxConcurrency: consumer.maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.function.fn.addEventSource(this.eventSource);

    const parameterArn = Stack.of(this).formatArn({
      service: 'ssm',
      resource: 'parameter',
      resourceName: `${root}/*`,
    });
    const role = this.function.role;
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
    this.function.fn.addEnvironment(DELIVERY_QUEUE_URL_ENV, queue.queueUrl);
    this.function.fn.addEnvironment(VALIDATOR_PRINCIPAL_ENV, restorer.roleName);
    queue.grantSendMessages(this.function.role);
  }

  /** The reconcile's writes are judged, but their delivery is the reconcile's to request. */
  trustDeliveriesOf(reconciler: iam.IRole): void {
    this.function.fn.addEnvironment(RECONCILER_PRINCIPAL_ENV, reconciler.roleName);
  }
}
