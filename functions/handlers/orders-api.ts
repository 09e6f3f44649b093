/**
 * Example consumer: the orders API's `GET /checkout-options`, reading the orders document and flags
 * from the AppConfig extension through `@config-steward/client` (wired by `ConfigConsumer.grantConfig`).
 * A customer's options follow the live configuration without a restart.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { flushFlagUsage, loadConfig, loadFlags } from '@config-steward/client';

const logger = new Logger();

/** The part of the orders document this function depends on; other keys are ignored. */
const ordersConfig = z.object({
  'checkout-enabled': z.boolean(),
  currency: z.enum(['EUR', 'USD', 'GBP']),
  'page-size': z.int().check(z.minimum(1)),
});

const checkoutRequest = z.object({
  queryStringParameters: z.object({ customer: z.string().check(z.minLength(1), z.maxLength(128)) }),
});

async function checkoutOptions(raw: unknown) {
  const parsed = checkoutRequest.safeParse(raw);
  if (!parsed.success) {
    return { statusCode: 400, body: JSON.stringify({ message: 'query parameter "customer" is required' }) };
  }
  const targetingKey = parsed.data.queryStringParameters.customer;
  const [config, orderFlags] = await Promise.all([loadConfig('orders', ordersConfig), loadFlags('orders')]);
  const options = {
    checkoutEnabled: config['checkout-enabled'],
    currency: config.currency,
    pageSize: config['page-size'],
    newCheckout: orderFlags.isEnabled('new-checkout', { targetingKey }),
    buttonCopy: orderFlags.value('checkout-button-copy', 'Buy now', { targetingKey }),
    recommendations: !orderFlags.isEnabled('disable-recommendations'),
  };
  logger.info('checkout options served', {
    newCheckout: options.newCheckout,
    reason: orderFlags.reason('new-checkout', { targetingKey }),
  });
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(options) };
}

/**
 * Flag usage counts are written at most once a minute; the end of an invocation is the last moment
 * before Lambda may freeze, and later reclaim, the environment (the client's middleware does the same).
 */
const writeFlagUsage = async () => void (await flushFlagUsage({ ifDue: true }));

export const handler = middy()
  .use({ after: writeFlagUsage, onError: writeFlagUsage })
  .handler(checkoutOptions);
