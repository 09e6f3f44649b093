/**
 * Validation of every Parameter Store change, composed from its capabilities: the change intake (rule,
 * change queue and its dead-letter queue: change-queue.ts), validate-change consuming it
 * (change-validator.ts), and the AppConfig validator function every configuration profile calls
 * (document-validator.ts).
 */
import { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { AppConfigTargets } from '../../functions/core/appconfig-targets.ts';
import type { Settings } from '../settings.ts';
import { ChangeQueue } from './change-queue.ts';
import { ChangeValidator } from './change-validator.ts';
import { DocumentValidator } from './document-validator.ts';
import type { StewardFunction } from './steward-function.ts';

export { CHANGE_MAX_RECEIVES } from './change-queue.ts';

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
  /** The rule, the change queue and its dead-letter queue. */
  public readonly intake: ChangeQueue;
  /** validate-change with its event source mapping and grants. */
  public readonly validator: ChangeValidator;
  /** The AppConfig validator function. */
  public readonly documents: DocumentValidator;

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
  /** See {@link ChangeQueue.deadLetterQueue}. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The event source mapping from the change queue to validate-change. */
  public readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: ChangeValidationProps) {
    super(scope, id);
    const { settings } = props;
    const timeout = props.timeout ?? Duration.minutes(2);

    // The intake is the 'Default' child (left out of logical IDs), and each function sits in a
    // construct of the id it had: the queues and functions keep the logical IDs of deployed stacks.
    this.intake = new ChangeQueue(this, 'Default', { settings, consumerTimeout: timeout });
    this.validator = new ChangeValidator(this, 'ValidateChange', {
      settings,
      bus: props.bus,
      changes: this.intake.queue,
      timeout,
    });
    this.documents = new DocumentValidator(this, 'AppConfigValidator', {
      settings,
      appConfigNamePrefix: props.appConfigNamePrefix,
    });

    this.validateChange = this.validator.function;
    this.eventSource = this.validator.eventSource;
    this.appConfigValidator = this.documents.function;
    this.validatorFunction = this.appConfigValidator.fn;
    this.rule = this.intake.rule;
    this.queue = this.intake.queue;
    this.deadLetterQueue = this.intake.deadLetterQueue;
  }

  /**
   * Queue deliver and restore requests on the delivery queue: its URL in the environment, SendMessage
   * on it alone. The consumer's role writes the restores, so its writes are the ones validate-change
   * recognises as its own (no loops).
   */
  sendRequestsTo(queue: sqs.IQueue, restorer: iam.IRole): void {
    this.validator.sendRequestsTo(queue, restorer);
  }

  /** The reconcile's writes are judged, but their delivery is the reconcile's to request. */
  trustDeliveriesOf(reconciler: iam.IRole): void {
    this.validator.trustDeliveriesOf(reconciler);
  }

  /**
   * Let the AppConfig validator read the names of these applications and of their profiles, which is how
   * it finds the service and document of an invocation: within these applications (`application/<id>`
   * and `application/<id>/*`, see DocumentValidator.validateApplications); naming the profiles' ids would
   * be a cycle (each profile references the validator function, which waits for its role's policy).
   */
  validateDocumentsOf(deliveryTargets: AppConfigTargets): void {
    const applicationIds = Object.values(deliveryTargets).map((t) => t.applicationId);
    this.documents.validateApplications(applicationIds);
  }
}
