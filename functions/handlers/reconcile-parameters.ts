/**
 * CloudFormation custom resource: on Create and Update, writes the desired plain parameters that
 * differ from Parameter Store (rate-limited), then requests one delivery per (service, environment)
 * it wrote to (its writes request none one by one); on Delete, leaves them (they are the services'
 * configuration, and the stack's removal must not take production down).
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import {
  answerCustomResource,
  type CustomResourceOutcome,
  type CustomResourceRequest,
} from '../adapters/cloudformation-custom-resource.ts';
import { RateLimiter } from '../adapters/rate-limiter.ts';
import { SqsDeliveryQueue } from '../adapters/sqs-delivery-queue.ts';
import { BULK_READ_CLIENT_CONFIG, SsmParameterStore } from '../adapters/ssm-parameter-store.ts';
import { deliveriesAfterReconcile, reconcileDesiredParameters } from '../core/reconcile.ts';
import { functionEnvironment } from '../core/runtime-settings.ts';
import { loadRuntime } from '../runtime/runtime.ts';

const logger = new Logger();
const { settings, registry } = loadRuntime(functionEnvironment('STEWARD_DELIVERY_QUEUE_URL'));
// Its reads (one scan per environment) take the reconcile's share of the pipeline's read budget;
// its writes are bounded by WritesPerSecond.
const store = new SsmParameterStore(new SSMClient(BULK_READ_CLIENT_CONFIG), {
  readLimiter: new RateLimiter({ requestsPerSecond: settings.STEWARD_READS_PER_SECOND }),
});
const queueUrl = settings.STEWARD_DELIVERY_QUEUE_URL;
const deliveryQueue = queueUrl ? new SqsDeliveryQueue(new SQSClient({}), queueUrl) : undefined;

const properties = z.looseObject({
  WritesPerSecond: z._default(z.coerce.number().check(z.positive()), 10),
});

/** Leave this much of the Lambda's time to answer CloudFormation. */
const RESPONSE_MARGIN_MS = 20_000;

async function reconcile(request: CustomResourceRequest, context: Context): Promise<CustomResourceOutcome> {
  if (request.RequestType === 'Delete') return { status: 'SUCCESS', reason: 'parameters retained' };
  const { WritesPerSecond } = properties.parse(request.ResourceProperties ?? {});
  const limiter = new RateLimiter({ requestsPerSecond: WritesPerSecond });
  const written: string[] = [];
  const requestDeliveries = async () => {
    const deliveries = deliveriesAfterReconcile(registry, written, `reconcile:${request.RequestId}`);
    // A failure here fails the deployment: the written values would otherwise wait for the next change.
    if (deliveryQueue && deliveries.length > 0) await deliveryQueue.send(deliveries);
    return deliveries;
  };
  let outcome: Awaited<ReturnType<typeof reconcileDesiredParameters>>;
  try {
    outcome = await reconcileDesiredParameters(registry, store, {
      beforeWrite: () => limiter.acquire(),
      outOfTime: () => context.getRemainingTimeInMillis() < RESPONSE_MARGIN_MS,
      onWritten: (name) => written.push(name),
    });
  } catch (error) {
    // validate-change labels the reconcile's writes without requesting their delivery (this function
    // requests it): a write that fails half-way must not leave the earlier ones undelivered for good
    // (steward apply rewrites only what differs, so it would not ask for them either).
    await requestDeliveries();
    throw error;
  }
  const deliveries = await requestDeliveries();
  logger.info('reconciled desired parameters', {
    written: outcome.written.length,
    unchanged: outcome.unchanged,
    remaining: outcome.remaining.length,
    deliveriesRequested: deliveryQueue ? deliveries.length : 0,
  });
  // Fail loudly rather than report a half-applied desired state as deployed; `steward apply` finishes it.
  return outcome.remaining.length > 0
    ? { status: 'FAILED', reason: `${outcome.remaining.length} writes left: run steward apply` }
    : { status: 'SUCCESS', reason: `${outcome.written.length} written, ${outcome.unchanged} unchanged` };
}

export const handler = middy<unknown, CustomResourceOutcome, Error, Context>().handler((event, context) =>
  answerCustomResource(event, `${registry.parameterRoot}-desired-parameters`, (request) =>
    reconcile(request, context).catch((error: Error) => {
      logger.error('reconcile failed', { errorName: error.name, errorMessage: error.message });
      throw error;
    }),
  ),
);
