/**
 * The FIFO delivery queue's consumer: restores rejected parameters and delivers each (service,
 * environment)'s document once per batch (core/delivery/delivery-records.ts). A group whose AppConfig
 * environment is busy, or that failed, goes back to the queue and is tried again after
 * `STEWARD_DELIVERY_RETRY_SECONDS`; after the queue's bound it moves to the delivery dead-letter
 * queue, its body naming the (service, environment) and the change events it was for.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { AppConfigDelivery } from '../adapters/appconfig-delivery.ts';
import { EventBridgeEventPublisher } from '../adapters/eventbridge-publisher.ts';
import { RateLimiter } from '../adapters/rate-limiter.ts';
import { SqsDeliveryQueue } from '../adapters/sqs-delivery-queue.ts';
import { BULK_READ_CLIENT_CONFIG } from '../adapters/ssm-parameter-store.ts';
import { SsmParameterStoreWithOverrides } from '../adapters/ssm-override-store.ts';
import { createTicketTracker } from '../adapters/tickets/create-ticket-tracker.ts';
import { DELIVERY_TIMEOUT_SECONDS } from '../core/delivery/deliver.ts';
import {
  type DeliveryRecordsDependencies,
  handleDeliveryRecords,
} from '../core/delivery/delivery-records.ts';
import type { AppConfigTargets } from '../core/appconfig-targets.ts';
import type { BatchItemFailures } from '../core/pipeline/queue-records.ts';
import { functionEnvironment } from '../core/runtime-settings.ts';
import { enforcementOf } from '../core/validation/enforcement.ts';
import { systemClock } from '../ports/clock.ts';
import { loadRuntime } from '../runtime/runtime.ts';
import { stackTargets } from '../runtime/stack-targets.ts';
import { PowertoolsStructuredLog } from '../adapters/powertools-structured-log.ts';

/**
 * A group is started only while this much of the invocation is left: one delivery of a large service
 * reads its paths at this instance's share of the read budget (a 1,000-key service is 100 pages, 25 s
 * at 4 requests/s). Ten such groups in one batch would outlive the timeout, and a timed-out batch
 * comes back only after the queue's visibility timeout.
 */
const GROUP_START_MARGIN_MS = (DELIVERY_TIMEOUT_SECONDS * 1000) / 2;

/**
 * The handler over its dependencies; the module-scope `handler` wires the AWS adapters. `targets` may
 * be read on first use (the stack's parameters): a failed read fails the batch, which is retried.
 *
 * @example
 * const handler = createDeliverChangesHandler({ ...deps, queue, retrySeconds: 60, logger });
 */
export function createDeliverChangesHandler(
  deps: Omit<DeliveryRecordsDependencies, 'log' | 'targets'> & {
    readonly logger: Logger;
    readonly targets: AppConfigTargets | (() => Promise<AppConfigTargets>);
  },
) {
  const { logger, targets } = deps;
  return middy<unknown, BatchItemFailures, Error, Context>()
    .use({
      onError: async (request) => {
        logger.error('delivery batch not handled', {
          errorName: request.error?.name,
          errorMessage: request.error?.message,
        });
      },
    })
    .handler(async (event, context) =>
      handleDeliveryRecords(
        event,
        {
          ...deps,
          targets: typeof targets === 'function' ? await targets() : targets,
          log: new PowertoolsStructuredLog(logger),
        },
        { outOfTime: () => context.getRemainingTimeInMillis() < GROUP_START_MARGIN_MS },
      ),
    );
}

const logger = new Logger();
const { settings, registry } = loadRuntime(
  functionEnvironment(
    'STEWARD_DELIVERY_QUEUE_URL',
    'STEWARD_DELIVERY_RETRY_SECONDS',
    'STEWARD_VALIDATOR_PRINCIPAL',
    'STEWARD_APPCONFIG',
    'STEWARD_APPCONFIG_TARGETS_PATH',
  ),
);
const retrySeconds = settings.STEWARD_DELIVERY_RETRY_SECONDS;
const deliveryQueue = settings.STEWARD_DELIVERY_QUEUE_URL
  ? new SqsDeliveryQueue(new SQSClient({}), settings.STEWARD_DELIVERY_QUEUE_URL)
  : undefined;

const store = new SsmParameterStoreWithOverrides(new SSMClient(BULK_READ_CLIENT_CONFIG), {
  limiter: new RateLimiter({ requestsPerSecond: settings.STEWARD_READS_PER_SECOND }),
});

export const handler = createDeliverChangesHandler({
  registry,
  store,
  // Break-glass overrides are tags on the parameters: a document holding a new one ships all at once.
  overrides: store,
  publisher: new EventBridgeEventPublisher(new EventBridgeClient({}), settings.STEWARD_EVENT_BUS),
  tickets: createTicketTracker(settings.STEWARD_TICKETS),
  clock: systemClock,
  enforcement: enforcementOf(settings),
  validatorPrincipal: settings.STEWARD_VALIDATOR_PRINCIPAL,
  delivery: new AppConfigDelivery(new AppConfigClient({})),
  // Read once per container, through this function's store and its share of the read budget.
  targets: stackTargets(settings, { whenAbsent: 'empty', store: async () => store }).appConfig,
  minIntervalMs: retrySeconds * 1000,
  // A restore asks to deliver the documents it touched on the same queue. Without the queue's URL
  // (a local run) there is no follow-up, and waiting records come back after the queue's timeout.
  requests: deliveryQueue,
  queue: deliveryQueue ?? { retryLater: async (handles) => handles.length },
  retrySeconds,
  logger,
});
