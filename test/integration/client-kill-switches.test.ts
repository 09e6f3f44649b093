import middy from '@middy/core';
import { ErrorCode, OpenFeature, ProviderStatus, StandardResolutionReasons } from '@openfeature/server-sdk';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import {
  clearConfigSources,
  clearFlagClients,
  InvalidConfigDocumentError,
  loadFlags,
} from '../../packages/client/src/index.ts';
import { type StewardContext, stewardConfig } from '../../packages/client/src/middy.ts';
import { StewardFlagProvider } from '../../packages/client/src/openfeature.ts';
import type { DegradedReport } from '../../packages/client/src/telemetry.ts';
import { AppConfigExtensionServer } from '../support/appconfig-extension-server.ts';

const flags = {
  'new-checkout': { enabled: true, owner: 'team-orders', type: 'release', created: '2026-11-02' },
};
const switches = (enabled: boolean) => ({
  'disable-recommendations': { enabled, owner: 'team-orders', type: 'kill-switch', created: '2026-06-01' },
});

describe('Function: loadFlags with kill switches in their own environment and profile', () => {
  let extension: AppConfigExtensionServer;
  let now: number;
  let degraded: DegradedReport[];

  const options = (overrides: Record<string, unknown> = {}) => ({
    application: 'orders',
    environment: 'production',
    profile: 'flags',
    port: extension.port,
    pollSeconds: 45,
    clock: () => now,
    logger: { warn: () => undefined, info: () => undefined },
    metricSink: () => undefined,
    onDegraded: (report: DegradedReport) => degraded.push(report),
    env: {
      STEWARD_APPCONFIG_SWITCHES_ENVIRONMENT: 'production-kill-switches',
      STEWARD_APPCONFIG_SWITCHES_PROFILE: 'kill-switches',
    },
    ...overrides,
  });

  beforeEach(async () => {
    clearFlagClients();
    now = 1_000_000;
    degraded = [];
    extension = await AppConfigExtensionServer.start();
    extension.host('orders', 'production', 'flags', { type: 'feature-flags', content: flags });
    extension.host('orders', 'production-kill-switches', 'kill-switches', {
      type: 'feature-flags',
      content: switches(false),
    });
  });

  afterEach(async () => {
    await extension.stop();
  });

  it('serves switches and flags through the same calls, reading the switches environment', async () => {
    // Act
    const loaded = await loadFlags('orders', options());

    // Assess
    expect(loaded.isEnabled('new-checkout')).toBe(true);
    expect(loaded.has('disable-recommendations')).toBe(true);
    expect(loaded.isEnabled('disable-recommendations')).toBe(false);
    expect(extension.requests.map((r) => r.path)).toEqual(
      expect.arrayContaining([
        '/applications/orders/environments/production/configurations/flags',
        '/applications/orders/environments/production-kill-switches/configurations/kill-switches',
      ]),
    );
  });

  it('sees a flipped switch on the next refresh', async () => {
    // Prepare
    const loaded = await loadFlags('orders', options());

    // Act
    extension.host('orders', 'production-kill-switches', 'kill-switches', {
      type: 'feature-flags',
      content: switches(true),
    });
    now += 46_000;
    loaded.refreshIfStale();
    await loaded.whenIdle();

    // Assess
    expect(loaded.isEnabled('disable-recommendations')).toBe(true);
  });

  it('keeps the last good flags and switches when the switches cannot be read', async () => {
    // Prepare
    const loaded = await loadFlags('orders', options());

    // Act
    extension.host('orders', 'production-kill-switches', 'kill-switches', {
      type: 'feature-flags',
      content: 'not json',
    });
    now += 46_000;
    loaded.refreshIfStale();
    await loaded.whenIdle();

    // Assess
    expect(degraded).toHaveLength(1);
    expect(loaded.isEnabled('new-checkout')).toBe(true);
    expect(loaded.has('disable-recommendations')).toBe(true);
  });

  it('fails the first load when the switches cannot be read, rather than serve flags without them', async () => {
    // Prepare: a switch engaged in the incident, and its document unreadable when a new process starts
    extension.host('orders', 'production-kill-switches', 'kill-switches', {
      type: 'feature-flags',
      content: 'not json',
    });

    // Act
    const load = loadFlags('orders', options());

    // Assess: no client that would answer false for an engaged switch
    await expect(load).rejects.toMatchObject({ reason: 'invalid-document' });
    expect(extension.requests.map((r) => r.path)).toContain(
      '/applications/orders/environments/production-kill-switches/configurations/kill-switches',
    );
  });

  describe.each(['[]', '"x"', '3', 'null'])(
    'a switches document that is JSON but not an object (%s)',
    (body) => {
      const breakSwitches = () =>
        extension.host('orders', 'production-kill-switches', 'kill-switches', {
          type: 'feature-flags',
          content: body,
        });

      it('fails the first load, naming the switches profile, instead of serving no switches', async () => {
        // Prepare
        breakSwitches();

        // Act
        const error = await loadFlags('orders', options()).catch((e: unknown) => e);

        // Assess
        expect(error).toBeInstanceOf(InvalidConfigDocumentError);
        expect(error).toMatchObject({ reason: 'invalid-document', keys: ['(document)'] });
        expect((error as Error).message).toBe(
          'the kill switches (kill-switches) are invalid: (document) is not a JSON object',
        );
      });

      it('keeps serving an engaged switch when a refresh brings it', async () => {
        // Prepare: the switch engaged in the incident, then its document breaks
        extension.host('orders', 'production-kill-switches', 'kill-switches', {
          type: 'feature-flags',
          content: switches(true),
        });
        const loaded = await loadFlags('orders', options());
        breakSwitches();

        // Act
        now += 46_000;
        loaded.refreshIfStale();
        await loaded.whenIdle();

        // Assess
        expect(degraded.map((report) => report.reason)).toEqual(['invalid-document']);
        expect(loaded.stale).toBe(true);
        expect(loaded.isEnabled('disable-recommendations')).toBe(true);
      });

      it('fails the invocation through the middleware, every time until the document is fixed', async () => {
        // Prepare
        breakSwitches();
        extension.host('orders', 'production', 'document', {
          type: 'freeform',
          content: { currency: 'EUR' },
        });
        clearConfigSources();
        const served: boolean[] = [];
        const handler = middy<unknown, void, Error, Context & StewardContext<{ currency: string }>>()
          .use(
            stewardConfig({
              service: 'orders',
              schema: z.object({ currency: z.string() }),
              ...options({ profile: 'document' }),
              flagsProfile: 'flags',
              prefetch: false,
            }),
          )
          .handler(async (_, context) => {
            served.push(context.flags.isEnabled('disable-recommendations'));
          });
        const lambdaContext = { functionName: 'orders-api' } as Context &
          StewardContext<{ currency: string }>;

        // Act
        const first = await handler({}, lambdaContext).catch((e: unknown) => e);
        const second = await handler({}, lambdaContext).catch((e: unknown) => e);
        extension.host('orders', 'production-kill-switches', 'kill-switches', {
          type: 'feature-flags',
          content: switches(true),
        });
        await handler({}, lambdaContext);

        // Assess: no invocation ran with the switch unknown; the first after the fix sees it engaged
        expect(first).toBeInstanceOf(InvalidConfigDocumentError);
        expect(second).toBeInstanceOf(InvalidConfigDocumentError);
        expect(served).toEqual([true]);
      });

      it('leaves the OpenFeature provider in ERROR, answering the caller default as an error, not as a flag', async () => {
        // Prepare
        breakSwitches();
        const { env, ...rest } = options();

        // Act
        const setUp = await OpenFeature.setProviderAndWait(
          `orders-switches-${body}`,
          new StewardFlagProvider({ service: 'orders', ...rest, env }),
        ).catch((e: unknown) => e);
        const client = OpenFeature.getClient(`orders-switches-${body}`);
        const details = await client.getBooleanDetails('disable-recommendations', true);

        // Assess
        expect(setUp).toBeInstanceOf(InvalidConfigDocumentError);
        expect(client.providerStatus).toBe(ProviderStatus.ERROR);
        expect(details).toMatchObject({
          value: true,
          reason: StandardResolutionReasons.ERROR,
          errorCode: ErrorCode.PROVIDER_NOT_READY,
        });
        await OpenFeature.close();
      });
    },
  );

  it('reads only the flags profile without the switches settings', async () => {
    // Act
    const loaded = await loadFlags('orders', options({ env: {} }));

    // Assess
    expect(loaded.has('disable-recommendations')).toBe(false);
    expect(extension.requests.every((r) => r.path.endsWith('/configurations/flags'))).toBe(true);
  });

  it('narrows the switches to `only` as it narrows the flags', async () => {
    // Act
    const loaded = await loadFlags('orders', options({ only: ['new-checkout'] }));

    // Assess
    expect(loaded.has('new-checkout')).toBe(true);
    expect(loaded.has('disable-recommendations')).toBe(false);
  });
});
