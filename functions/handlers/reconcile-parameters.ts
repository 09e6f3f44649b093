/**
 * CloudFormation custom resource: on each stack deployment, reconciles the desired plain parameters
 * into Parameter Store and requests their delivery (core/reconcile-deployment.ts).
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import {
  answerCustomResource,
  type CustomResourceOutcome,
} from '../adapters/cloudformation-custom-resource.ts';
import { RateLimiter } from '../adapters/rate-limiter.ts';
import { SqsDeliveryQueue } from '../adapters/sqs-delivery-queue.ts';
import { BULK_READ_CLIENT_CONFIG } from '../adapters/ssm-parameter-store.ts';
import { SsmParameterStoreWithOverrides } from '../adapters/ssm-override-store.ts';
import { reconcileForDeployment } from '../core/reconcile-deployment.ts';
import { functionEnvironment } from '../core/runtime-settings.ts';
import { systemClock } from '../ports/clock.ts';
import { loadRuntime } from '../runtime/runtime.ts';
import { PowertoolsStructuredLog } from '../adapters/powertools-structured-log.ts';

/** Leave this much of the Lambda's time to answer CloudFormation. */
const RESPONSE_MARGIN_MS = 20_000;

const logger = new Logger();
const { settings, registry } = loadRuntime(functionEnvironment('STEWARD_DELIVERY_QUEUE_URL'));
const queueUrl = settings.STEWARD_DELIVERY_QUEUE_URL;
// Its reads (one scan per environment) take the reconcile's share of the pipeline's read budget;
// its writes are bounded by WritesPerSecond.
const store = new SsmParameterStoreWithOverrides(new SSMClient(BULK_READ_CLIENT_CONFIG), {
  readLimiter: new RateLimiter({ requestsPerSecond: settings.STEWARD_READS_PER_SECOND }),
});
const deps = {
  registry,
  store,
  // Break-glass overrides are tags on the parameters: an active one is not overwritten.
  overrides: { store, now: () => systemClock.now() },
  deliveryQueue: queueUrl ? new SqsDeliveryQueue(new SQSClient({}), queueUrl) : undefined,
  writeLimiter: (requestsPerSecond: number) => new RateLimiter({ requestsPerSecond }),
  log: new PowertoolsStructuredLog(logger),
};

export const handler = middy<unknown, CustomResourceOutcome, Error, Context>().handler((event, context) =>
  answerCustomResource(event, `${registry.parameterRoot}-desired-parameters`, (request) =>
    reconcileForDeployment(request, deps, {
      outOfTime: () => context.getRemainingTimeInMillis() < RESPONSE_MARGIN_MS,
    }).catch((error: Error) => {
      // Answered FAILED by answerCustomResource; the log keeps the error's name for the operator.
      logger.error('reconcile failed', { errorName: error.name, errorMessage: error.message });
      throw error;
    }),
  ),
);
