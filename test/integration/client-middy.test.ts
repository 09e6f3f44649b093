import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import {
  clearConfigSources,
  clearFlagClients,
  InvalidConfigDocumentError,
} from '../../packages/client/src/index.ts';
import { type StewardContext, stewardConfig } from '../../packages/client/src/middy.ts';
import { AppConfigExtensionServer } from '../support/appconfig-extension-server.ts';

const schema = z.object({ 'max-retries': z.number().int(), currency: z.enum(['EUR', 'USD']) });
type OrdersConfig = z.output<typeof schema>;

// Lambda hands over a plain context; the middleware adds `config` and `flags` to it.
const lambdaContext = { functionName: 'orders-api', awsRequestId: 'req-1' } as Context &
  StewardContext<OrdersConfig>;

describe('Function: stewardConfig', () => {
  let extension: AppConfigExtensionServer;

  const clientOptions = () => ({
    environment: 'staging',
    profile: 'document',
    flagsProfile: 'flags',
    port: extension.port,
    logger: { warn: () => undefined, info: () => undefined },
    metricSink: () => undefined,
  });

  beforeEach(async () => {
    clearConfigSources();
    clearFlagClients();
    extension = await AppConfigExtensionServer.start();
    extension.host('orders', 'staging', 'document', {
      type: 'freeform',
      content: { 'max-retries': 3, currency: 'EUR' },
    });
    extension.host('orders', 'staging', 'flags', {
      type: 'feature-flags',
      content: {
        'new-checkout': { enabled: true, owner: 'team-orders', type: 'release', allow: ['customer-qa-1'] },
      },
    });
  });

  afterEach(async () => {
    await extension.stop().catch(() => undefined);
  });

  it('puts the validated config and the flags on the handler context', async () => {
    // Prepare
    const handler = middy<{ customer: string }, string, Error, Context & StewardContext<OrdersConfig>>()
      .use(stewardConfig({ service: 'orders', schema, ...clientOptions() }))
      .handler(async (event, context) => {
        const fresh = context.flags.isEnabled('new-checkout', { targetingKey: event.customer });
        return `${context.config.currency}:${context.config['max-retries']}:${fresh}`;
      });

    // Act
    const qa = await handler({ customer: 'customer-qa-1' }, lambdaContext);
    const other = await handler({ customer: 'customer-9' }, lambdaContext);

    // Assess
    expect(qa).toBe('EUR:3:true');
    expect(other).toBe('EUR:3:false');
    expect(extension.requests.map((r) => r.path)).toEqual([
      '/applications/orders/environments/staging/configurations/document',
      '/applications/orders/environments/staging/configurations/flags',
    ]);
  });

  it('prefetches when created, before the first invocation', async () => {
    // Act
    stewardConfig({ service: 'orders', schema, ...clientOptions() });

    // Assess: both profiles are read although no invocation happened
    await vi.waitFor(() => expect(extension.requests).toHaveLength(2));
  });

  it('fails the invocation when the first document is invalid, naming the key', async () => {
    // Prepare
    extension.host('orders', 'staging', 'document', {
      type: 'freeform',
      content: { 'max-retries': 3, currency: 'JPY' },
    });
    const handler = middy<unknown, string, Error, Context & StewardContext<OrdersConfig>>()
      .use(stewardConfig({ service: 'orders', schema, ...clientOptions(), prefetch: false }))
      .handler(async () => 'unreachable');

    // Act
    const error = await handler({}, lambdaContext).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidConfigDocumentError);
    expect((error as InvalidConfigDocumentError).keys).toEqual(['currency']);
  });

  it('skips the flags profile when flags are turned off', async () => {
    // Prepare
    const handler = middy<unknown, boolean, Error, Context & StewardContext<OrdersConfig>>()
      .use(stewardConfig({ service: 'orders', schema, ...clientOptions(), flags: false, prefetch: false }))
      .handler(async (_event, context) => context.flags.isEnabled('new-checkout'));

    // Act
    const enabled = await handler({}, lambdaContext);

    // Assess
    expect(enabled).toBe(false);
    expect(extension.requests.map((r) => r.path)).toEqual([
      '/applications/orders/environments/staging/configurations/document',
    ]);
  });
});
