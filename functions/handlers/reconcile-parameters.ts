/**
 * CloudFormation custom resource: on Create and Update, writes the desired plain parameters that
 * differ from Parameter Store (rate-limited); on Delete, leaves them (they are the services'
 * configuration, and the stack's removal must not take production down).
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { RateLimiter } from '../adapters/rate-limiter.ts';
import { SsmParameterStore } from '../adapters/ssm-parameter-store.ts';
import { reconcileDesiredParameters } from '../core/reconcile.ts';
import { loadRuntime } from './runtime.ts';

const logger = new Logger();
const { registry } = loadRuntime();
const store = new SsmParameterStore(new SSMClient({}));

const customResourceEvent = z.object({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.url(),
  StackId: z.string(),
  RequestId: z.string(),
  LogicalResourceId: z.string(),
  PhysicalResourceId: z.optional(z.string()),
  ResourceProperties: z.looseObject({
    WritesPerSecond: z._default(z.coerce.number().check(z.positive()), 10),
  }),
});
type CustomResourceEvent = z.output<typeof customResourceEvent>;

/** Leave this much of the Lambda's time to answer CloudFormation. */
const RESPONSE_MARGIN_MS = 20_000;

async function reconcile(raw: unknown, context: Context): Promise<void> {
  const event = customResourceEvent.parse(raw);
  const physicalId = event.PhysicalResourceId ?? `${registry.parameterRoot}-desired-parameters`;
  try {
    if (event.RequestType === 'Delete')
      return await respond(event, 'SUCCESS', physicalId, 'parameters retained');
    const limiter = new RateLimiter({ requestsPerSecond: event.ResourceProperties.WritesPerSecond });
    const outcome = await reconcileDesiredParameters(registry, store, {
      beforeWrite: () => limiter.acquire(),
      outOfTime: () => context.getRemainingTimeInMillis() < RESPONSE_MARGIN_MS,
    });
    logger.info('reconciled desired parameters', {
      written: outcome.written.length,
      unchanged: outcome.unchanged,
      remaining: outcome.remaining.length,
    });
    if (outcome.remaining.length > 0) {
      // Fail loudly rather than report a half-applied desired state as deployed; `steward apply` finishes it.
      return await respond(
        event,
        'FAILED',
        physicalId,
        `${outcome.remaining.length} writes left: run steward apply`,
      );
    }
    await respond(
      event,
      'SUCCESS',
      physicalId,
      `${outcome.written.length} written, ${outcome.unchanged} unchanged`,
    );
  } catch (error) {
    logger.error('reconcile failed', {
      errorName: (error as Error).name,
      errorMessage: (error as Error).message,
    });
    await respond(event, 'FAILED', physicalId, `${(error as Error).name}: ${(error as Error).message}`);
  }
}

async function respond(
  event: CustomResourceEvent,
  status: 'SUCCESS' | 'FAILED',
  physicalId: string,
  reason: string,
) {
  const body = JSON.stringify({
    Status: status,
    Reason: reason.slice(0, 1000),
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
  });
  const response = await fetch(event.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`CloudFormation response rejected: HTTP ${response.status}`);
}

export const handler = middy<unknown, void, Error, Context>().handler(reconcile);
