import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  clearConfigSources,
  clearFlagClients,
  flushFlagUsage,
  loadFlags,
} from '../../packages/client/src/index.ts';
import { type StewardContext, stewardConfig } from '../../packages/client/src/middy.ts';
import { AppConfigExtensionServer } from '../support/appconfig-extension-server.ts';

const flagsDocument = {
  'new-checkout': { enabled: true, owner: 'team-orders', type: 'release', allow: ['customer-qa-1'] },
  'disable-recommendations': { enabled: false, owner: 'team-orders', type: 'kill-switch' },
};

interface UsageLine {
  service: string;
  flag: string;
  variant: string;
  reason: string;
  FlagEvaluations: number;
}

describe('Flag usage metrics through loadFlags and the middleware', () => {
  let extension: AppConfigExtensionServer;
  let now: number;
  let lines: string[];
  const usage = () =>
    lines.map((line) => {
      const { service, flag, variant, reason, FlagEvaluations } = JSON.parse(line) as UsageLine;
      return `${service}/${flag}/${variant}/${reason}=${FlagEvaluations}`;
    });

  const options = (overrides: Record<string, unknown> = {}) => ({
    environment: 'production',
    profile: 'flags',
    port: extension.port,
    clock: () => now,
    logger: { warn: () => undefined, info: () => undefined },
    // The sink also receives ConfigRefreshFailed lines (a background refresh after a test's server stopped).
    metricSink: (line: string) => {
      if (line.includes('"FlagEvaluations"')) lines.push(line);
    },
    ...overrides,
  });

  beforeEach(async () => {
    clearFlagClients();
    clearConfigSources();
    extension = await AppConfigExtensionServer.start();
    extension.host('orders', 'production', 'flags', { type: 'feature-flags', content: flagsDocument });
    extension.host('orders', 'production', 'document', { type: 'freeform', content: { currency: 'EUR' } });
    now = 1_800_000_000_000;
    lines = [];
  });

  afterEach(async () => {
    clearFlagClients();
    await extension.stop().catch(() => undefined);
  });

  it('writes the counts on the first loadFlags() a minute after the last lines, not on every call', async () => {
    // Prepare
    const flags = await loadFlags('orders', options({ usageMetrics: true }));
    flags.isEnabled('new-checkout', { targetingKey: 'customer-qa-1' });
    flags.isEnabled('disable-recommendations');

    // Act
    await loadFlags('orders', options({ usageMetrics: true }));
    await flushFlagUsage({ ifDue: true }); // waits for the write the call above started
    const afterFirstRequest = usage();
    flags.isEnabled('new-checkout', { targetingKey: 'customer-9' });
    now += 30_000;
    await loadFlags('orders', options({ usageMetrics: true }));
    const withinTheMinute = usage();
    now += 30_000;
    await loadFlags('orders', options({ usageMetrics: true }));
    await flushFlagUsage({ ifDue: true });

    // Assess
    expect(afterFirstRequest).toEqual([
      'orders/new-checkout/on/TARGETING_MATCH=1',
      'orders/disable-recommendations/off/DISABLED=1',
    ]);
    expect(withinTheMinute).toEqual(afterFirstRequest);
    expect(usage().slice(2)).toEqual(['orders/new-checkout/off/DEFAULT=1']);
  });

  it('is on inside Lambda by default and off outside it, and STEWARD_FLAG_USAGE_METRICS=false opts out', async () => {
    // Prepare
    const cases = {
      inLambda: { AWS_LAMBDA_FUNCTION_NAME: 'orders-api' },
      outsideLambda: {},
      optedOut: { AWS_LAMBDA_FUNCTION_NAME: 'orders-api', STEWARD_FLAG_USAGE_METRICS: 'false' },
      optedIn: { STEWARD_FLAG_USAGE_METRICS: 'true' },
    };
    const written: Record<string, number> = {};

    // Act
    for (const [name, env] of Object.entries(cases)) {
      clearFlagClients();
      lines = [];
      const flags = await loadFlags('orders', options({ env }));
      flags.isEnabled('new-checkout');
      await flushFlagUsage();
      written[name] = lines.length;
    }

    // Assess
    expect(written).toEqual({ inLambda: 1, outsideLambda: 0, optedOut: 0, optedIn: 1 });
  });

  it('writes nothing when the option opts out, even inside Lambda', async () => {
    // Prepare
    const flags = await loadFlags(
      'orders',
      options({ usageMetrics: false, env: { AWS_LAMBDA_FUNCTION_NAME: 'orders-api' } }),
    );
    flags.isEnabled('new-checkout');

    // Act
    const written = await flushFlagUsage();

    // Assess
    expect(written).toBe(0);
    expect(lines).toEqual([]);
  });

  it('writes at the end of an invocation through the middleware, so a frozen environment holds no counts', async () => {
    // Prepare
    const schema = z.object({ currency: z.string() });
    const handler = middy<
      { customer: string },
      boolean,
      Error,
      Context & StewardContext<{ currency: string }>
    >()
      .use(
        stewardConfig({
          service: 'orders',
          schema,
          ...options({ usageMetrics: true }),
          profile: 'document',
          flagsProfile: 'flags',
        }),
      )
      .handler(async (event, context) =>
        context.flags.isEnabled('new-checkout', { targetingKey: event.customer }),
      );
    const context = { functionName: 'orders-api', awsRequestId: 'req-1' } as Context &
      StewardContext<{ currency: string }>;

    // Act
    await handler({ customer: 'customer-qa-1' }, context);
    const afterFirst = usage();
    now += 10_000;
    await handler({ customer: 'customer-9' }, context);
    const afterSecond = usage();

    // Assess
    expect(afterFirst).toEqual(['orders/new-checkout/on/TARGETING_MATCH=1']);
    expect(afterSecond).toEqual(afterFirst); // within the minute: counted, written later
  });
});
