import { OpenFeature, StandardResolutionReasons } from '@openfeature/server-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import {
  clearFlagClients,
  createFlagEvaluator,
  loadFlags,
  InvalidConfigDocumentError,
} from '../../packages/client/src/index.ts';
import { StewardFlagProvider } from '../../packages/client/src/openfeature.ts';
import { toAppConfigFlags } from '../../functions/core/flags/appconfig-format.ts';
import type { FlagDefinition } from '../../functions/core/model.ts';
import { AppConfigExtensionServer } from '../support/appconfig-extension-server.ts';

const ordersFlags = organisation.services.find((service) => service.name === 'orders')?.flags ?? {};

/** The example organisation's orders flags plus object-valued ones (orders has none of its own). */
const testFlags: Record<string, FlagDefinition> = {
  ...ordersFlags,
  'shipping-banner': {
    description: 'The banner above the basket',
    owner: 'team-orders',
    type: 'release',
    created: '2026-11-01',
    expires: '2027-02-28',
    valueKind: 'object',
    defaultValue: { text: 'Welcome', tone: 'neutral' },
    environments: {
      staging: { enabled: false },
      production: { enabled: true, value: { text: 'Free shipping', tone: 'promo', thresholds: [20, 50] } },
    },
  },
  'checkout-limits': {
    description: 'Per-order limits',
    owner: 'team-orders',
    type: 'operational',
    created: '2026-11-01',
    expires: '2027-02-28',
    valueKind: 'object',
    defaultValue: { maxItems: 10 },
    environments: {
      production: { enabled: true, groups: ['wholesale'], value: { maxItems: 500 } },
    },
  },
};

/** What the extension serves for a feature-flag profile: values only, attributes of enabled flags only. */
function dataPlane(environment: string): Record<string, unknown> {
  const hosted = JSON.parse(JSON.stringify(toAppConfigFlags(testFlags, environment))) as ReturnType<
    typeof toAppConfigFlags
  >;
  return Object.fromEntries(
    Object.entries(hosted.values).map(([key, value]) => [key, value.enabled ? value : { enabled: false }]),
  );
}

describe('Function: createFlagEvaluator (object-valued flags)', () => {
  it('decodes JSON-encoded value and defaultValue once, at document load', () => {
    // Prepare
    const document = dataPlane('production');
    expect(document['shipping-banner']).toMatchObject({ valueEncoding: 'json', value: expect.any(String) });

    // Act
    const evaluator = createFlagEvaluator(document, 'orders-flags');

    // Assess
    expect(evaluator.value('shipping-banner', {})).toEqual({
      text: 'Free shipping',
      tone: 'promo',
      thresholds: [20, 50],
    });
    expect(evaluator.definition('shipping-banner')?.value).toBe(evaluator.value('shipping-banner', {}));
    expect(evaluator.value('checkout-limits', {}, { groups: ['wholesale'] })).toEqual({ maxItems: 500 });
    expect(evaluator.value('checkout-limits', {}, { groups: ['retail'] })).toEqual({ maxItems: 10 });
    expect(evaluator.reason('checkout-limits', { groups: ['retail'] })).toBe('DEFAULT');
    // The example organisation's own flags are untouched.
    expect(evaluator.value('checkout-button-copy', 'fallback', { targetingKey: 'x' })).toMatch(
      /^(Complete order|Buy now)$/,
    );
    expect(evaluator.isEnabled('disable-recommendations')).toBe(false);
  });

  it('leaves the served document unchanged', () => {
    // Prepare
    const document = dataPlane('production');
    const before = JSON.stringify(document);

    // Act
    createFlagEvaluator(document);

    // Assess
    expect(JSON.stringify(document)).toBe(before);
  });

  it('answers the caller default with reason DISABLED for a disabled object flag, whose attributes the data plane drops', () => {
    // Prepare
    const evaluator = createFlagEvaluator(dataPlane('staging'));
    const fallback = { text: 'caller default' };

    // Act
    const value = evaluator.value('shipping-banner', fallback);
    const absent = evaluator.value('checkout-limits', { maxItems: 1 });

    // Assess
    expect(value).toBe(fallback);
    expect(evaluator.reason('shipping-banner')).toBe('DISABLED');
    // A flag without values for the environment is present and disabled.
    expect(absent).toEqual({ maxItems: 1 });
    expect(evaluator.reason('checkout-limits')).toBe('DISABLED');
  });

  it('rejects an undecodable JSON attribute naming the flag, never echoing the text', () => {
    // Prepare
    const secretish = '{"apiKey": "sk_live_DO_NOT_LEAK"';
    const document = {
      ...dataPlane('production'),
      'shipping-banner': { enabled: true, valueEncoding: 'json', value: secretish, defaultValue: '{}' },
      'bad-encoding': { enabled: true, valueEncoding: 'base64', value: 'e30=' },
    };

    // Act
    const error = (() => {
      try {
        createFlagEvaluator(document, 'orders-flags');
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    // Assess
    expect(error).toBeInstanceOf(InvalidConfigDocumentError);
    expect((error as InvalidConfigDocumentError).keys).toEqual([
      'shipping-banner.value',
      'bad-encoding.valueEncoding',
    ]);
    expect((error as Error).message).toContain('shipping-banner.value');
    expect(JSON.stringify(error)).not.toContain('DO_NOT_LEAK');
    expect((error as Error).message).not.toContain('DO_NOT_LEAK');
    expect(String((error as Error).stack)).not.toContain('DO_NOT_LEAK');
    expect((error as Error).cause).toBeUndefined();
  });
});

describe('Class: StewardFlagProvider (object-valued flags over the extension)', () => {
  let extension: AppConfigExtensionServer;

  const options = (environment: string) => ({
    environment,
    profile: 'flags',
    port: extension.port,
    logger: { warn: () => undefined, info: () => undefined },
    metricSink: () => undefined,
  });

  beforeEach(async () => {
    clearFlagClients();
    extension = await AppConfigExtensionServer.start();
    extension.host('orders', 'production', 'flags', {
      type: 'feature-flags',
      content: dataPlane('production'),
    });
    extension.host('orders', 'staging', 'flags', { type: 'feature-flags', content: dataPlane('staging') });
  });

  afterEach(async () => {
    await OpenFeature.close();
    await extension.stop().catch(() => undefined);
  });

  it('serves the decoded object through loadFlags() and OpenFeature object resolution', async () => {
    // Prepare
    const live = await loadFlags('orders', options('production'));
    await OpenFeature.setProviderAndWait(
      'orders-objects',
      new StewardFlagProvider({ service: 'orders', ...options('production') }),
    );
    const client = OpenFeature.getClient('orders-objects');

    // Act
    const banner = live.value('shipping-banner', {});
    const details = await client.getObjectDetails('shipping-banner', {});
    const limits = await client.getObjectDetails('checkout-limits', {}, { groups: ['retail'] });

    // Assess
    expect(banner).toEqual({ text: 'Free shipping', tone: 'promo', thresholds: [20, 50] });
    expect(details).toMatchObject({
      value: { text: 'Free shipping', tone: 'promo', thresholds: [20, 50] },
      reason: StandardResolutionReasons.STATIC,
      variant: 'on',
    });
    expect(details.errorCode).toBeUndefined();
    expect(limits).toMatchObject({
      value: { maxItems: 10 },
      reason: StandardResolutionReasons.DEFAULT,
      variant: 'off',
    });
  });

  it('answers a disabled flag with the caller default and reason DISABLED, not a type mismatch', async () => {
    // Prepare
    await OpenFeature.setProviderAndWait(
      'orders-disabled',
      new StewardFlagProvider({ service: 'orders', ...options('staging') }),
    );
    const client = OpenFeature.getClient('orders-disabled');

    // Act
    const banner = await client.getObjectDetails('shipping-banner', { text: 'caller default' });
    const copy = await client.getStringDetails('checkout-button-copy', 'caller copy');
    const killSwitch = await client.getBooleanDetails('disable-recommendations', true);

    // Assess
    expect(banner.value).toEqual({ text: 'caller default' });
    expect(banner.reason).toBe(StandardResolutionReasons.DISABLED);
    expect(banner.errorCode).toBeUndefined();
    // Enabled in staging: its value, decoded as a plain string.
    expect(copy.value).toBe('Complete order');
    expect([killSwitch.value, killSwitch.reason, killSwitch.variant]).toEqual([
      false,
      StandardResolutionReasons.DISABLED,
      'off',
    ]);
  });
});
