/**
 * The change queue's consumer: a batch of `Parameter Store Change` events (EventBridge → SQS → event
 * source mapping), judged by core/validation/change-records.ts; the deliver and restore requests go
 * to the FIFO delivery queue, whose consumer is deliver-changes. A plain EventBridge event (`steward
 * invoke validate-change --event FILE`) is handled as a batch of one, and its outcome returned.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { EventBridgeEventPublisher } from '../adapters/eventbridge-publisher.ts';
import { FINGERPRINT_CLIENT_CONFIG, KmsValueFingerprinter } from '../adapters/kms-value-fingerprinter.ts';
import { RateLimiter } from '../adapters/rate-limiter.ts';
import { SqsDeliveryQueue } from '../adapters/sqs-delivery-queue.ts';
import { BULK_READ_CLIENT_CONFIG, SsmParameterStore } from '../adapters/ssm-parameter-store.ts';
import { createTicketTracker } from '../adapters/tickets/create-ticket-tracker.ts';
import { fingerprintKeyId } from '../core/fingerprint.ts';
import type { BatchItemFailures } from '../core/pipeline/queue-records.ts';
import { functionEnvironment } from '../core/runtime-settings.ts';
import { eventIdOf } from '../core/validation/change-event.ts';
import { judgeChangeEvent } from '../core/validation/change-records.ts';
import { enforcementOf } from '../core/validation/enforcement.ts';
import type { ValidateBatchDependencies } from '../core/validation/validate-batch.ts';
import type { ChangeOutcome } from '../core/validation/judgement.ts';
import { systemClock } from '../ports/clock.ts';
import { inProcessDeliveryQueue } from '../runtime/in-process-delivery.ts';
import { loadRuntime } from '../runtime/runtime.ts';
import { PowertoolsStructuredLog } from '../adapters/powertools-structured-log.ts';

/**
 * The handler over its dependencies; the module-scope `handler` wires the AWS adapters.
 *
 * @example
 * const handler = createValidateChangeHandler({ ...deps, logger: new Logger() });
 */
export function createValidateChangeHandler(deps: ValidateBatchDependencies & { readonly logger: Logger }) {
  const { logger } = deps;
  return middy<unknown, BatchItemFailures | ChangeOutcome, Error, Context>()
    .use({
      onError: async (request) => {
        // Names and ids only: an error message never carries a value (functions/core/errors.ts).
        logger.error('change not handled', {
          eventId: eventIdOf(request.event),
          errorName: request.error?.name,
          errorMessage: request.error?.message,
        });
      },
    })
    .handler((event) => judgeChangeEvent(event, { ...deps, log: new PowertoolsStructuredLog(logger) }));
}

const logger = new Logger();
const { settings, registry } = loadRuntime(
  functionEnvironment(
    'STEWARD_FINGERPRINT_KEY',
    'STEWARD_VALIDATOR_PRINCIPAL',
    'STEWARD_RECONCILER_PRINCIPAL',
    'STEWARD_DELIVERY_QUEUE_URL',
    'STEWARD_APPCONFIG',
    'STEWARD_APPCONFIG_TARGETS_PATH',
  ),
);
const store = new SsmParameterStore(new SSMClient(BULK_READ_CLIENT_CONFIG), {
  // This instance's share of the pipeline's read budget (core/pipeline/read-budget.ts).
  readLimiter: new RateLimiter({ requestsPerSecond: settings.STEWARD_READS_PER_SECOND }),
  // Its writes (a label per accepted change, a restore per refused one) at the same rate, in a bucket
  // of their own: one shared bucket made every change's label wait a quarter second on its read.
  writeLimiter: new RateLimiter({ requestsPerSecond: settings.STEWARD_READS_PER_SECOND }),
});
const publisher = new EventBridgeEventPublisher(new EventBridgeClient({}), settings.STEWARD_EVENT_BUS);
const tickets = createTicketTracker(settings.STEWARD_TICKETS);
const enforcement = enforcementOf(settings);
const ports = {
  registry,
  store,
  publisher,
  tickets,
  clock: systemClock,
  fingerprinter: new KmsValueFingerprinter(
    new KMSClient(FINGERPRINT_CLIENT_CONFIG),
    fingerprintKeyId(settings, settings.STEWARD_EVENT_BUS),
  ),
  enforcement,
  validatorPrincipal: settings.STEWARD_VALIDATOR_PRINCIPAL,
  reconcilerPrincipal: settings.STEWARD_RECONCILER_PRINCIPAL,
};
const queueUrl = settings.STEWARD_DELIVERY_QUEUE_URL;

export const handler = createValidateChangeHandler({
  ...ports,
  // Without a queue (steward invoke against an emulator) the requests run here, at once.
  requests: queueUrl
    ? new SqsDeliveryQueue(new SQSClient({}), queueUrl)
    : inProcessDeliveryQueue(ports, settings),
  logger,
});
