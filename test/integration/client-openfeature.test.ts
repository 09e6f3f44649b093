import { OpenFeature, ProviderStatus, StandardResolutionReasons } from '@openfeature/server-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearFlagClients } from '../../packages/client/src/index.ts';
import { StewardFlagProvider } from '../../packages/client/src/openfeature.ts';
import { AppConfigExtensionServer } from '../support/appconfig-extension-server.ts';

describe('Class: StewardFlagProvider (over the extension)', () => {
  let extension: AppConfigExtensionServer;

  const providerOptions = () => ({
    service: 'orders',
    environment: 'staging',
    profile: 'flags',
    port: extension.port,
    logger: { warn: () => undefined, info: () => undefined },
    metricSink: () => undefined,
  });

  beforeEach(async () => {
    clearFlagClients();
    extension = await AppConfigExtensionServer.start();
  });

  afterEach(async () => {
    await OpenFeature.close();
    await extension.stop().catch(() => undefined);
  });

  it('reads the flags profile when OpenFeature initializes it', async () => {
    // Prepare
    extension.host('orders', 'staging', 'flags', {
      type: 'feature-flags',
      content: { 'new-checkout': { enabled: true, owner: 'team-orders', type: 'release' } },
    });

    // Act
    await OpenFeature.setProviderAndWait('orders', new StewardFlagProvider(providerOptions()));
    const details = await OpenFeature.getClient('orders').getBooleanDetails('new-checkout', false);

    // Assess
    expect(details.value).toBe(true);
    expect(details.reason).toBe(StandardResolutionReasons.STATIC);
    expect(extension.requests).toHaveLength(1);
  });

  it('leaves the provider in ERROR when the extension cannot serve the flags', async () => {
    // Prepare
    extension.failWith(503);

    // Act
    const setUp = await OpenFeature.setProviderAndWait(
      'orders-down',
      new StewardFlagProvider(providerOptions()),
    ).catch((e: unknown) => e);
    const client = OpenFeature.getClient('orders-down');
    const details = await client.getBooleanDetails('new-checkout', true);

    // Assess
    expect(setUp).toBeInstanceOf(Error);
    expect(client.providerStatus).toBe(ProviderStatus.ERROR);
    expect(details.value).toBe(true);
    expect(details.reason).toBe(StandardResolutionReasons.ERROR);
  });
});
