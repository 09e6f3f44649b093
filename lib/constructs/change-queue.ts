/**
 * The change intake: an EventBridge rule on the default bus puts each `Parameter Store Change` under
 * the root on the change queue, whose dead-letter queue keeps what could not be put or judged.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PARAMETER_CHANGE_DETAIL_TYPE, PARAMETER_CHANGE_SOURCE } from '../../functions/core/names.ts';
import type { Settings } from '../settings.ts';

/**
 * Receives of one change record before it moves to the change dead-letter queue: Parameter Store
 * throttling is retried inside an invocation first, so five failed receives mean a real fault.
 */
export const CHANGE_MAX_RECEIVES = 5;

export interface ChangeQueueProps {
  readonly settings: Settings;
  /** The timeout of the function consuming the queue, which the visibility timeout must cover. */
  readonly consumerTimeout: Duration;
}

/**
 * @example
 * const intake = new ChangeQueue(this, 'Intake', { settings, consumerTimeout: Duration.minutes(2) });
 * validateChange.fn.addEventSource(new SqsEventSource(intake.queue));
 */
export class ChangeQueue extends Construct {
  /** `Parameter Store Change` under the root → the change queue. */
  public readonly rule: events.Rule;
  /** The changes, waiting for their consumer. */
  public readonly queue: sqs.Queue;
  /**
   * Changes the consumer failed CHANGE_MAX_RECEIVES times, and events EventBridge could not put on
   * the queue: the body is the `Parameter Store Change` event itself, id and parameter name included.
   */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ChangeQueueProps) {
    super(scope, id);
    const root = props.settings.parameterRoot;
    const { maxBatchingWindowSeconds } = props.settings.pipeline.validation;

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
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6 + maxBatchingWindowSeconds),
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
  }
}
