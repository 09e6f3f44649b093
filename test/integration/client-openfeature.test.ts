import {
  ErrorCode,
  OpenFeature,
  ProviderEvents,
  ProviderStatus,
  StandardResolutionReasons,
} from '@openfeature/server-sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearFlagClients, loadFlags } from '../../packages/client/src/index.ts';
import { StewardFlagProvider } from '../../packages/client/src/openfeature.ts';
import type { ClientLogger } from '../../packages/client/src/telemetry.ts';
import { AppConfigExtensionServer } from '../support/appconfig-extension-server.ts';

/** The orders flags profile of staging on the test extension, with logs and metrics silenced. */
function quietProviderOptions(port: number) {
  return {
    service: 'orders',
    environment: 'staging',
    profile: 'flags',
    port,
    logger: { warn: () => undefined, info: () => undefined },
    metricSink: () => undefined,
  };
}

describe('Class: StewardFlagProvider (over the extension)', () => {
  let extension: AppConfigExtensionServer;

  const providerOptions = () => quietProviderOptions(extension.port);

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

describe('Class: StewardFlagProvider (events, through the OpenFeature SDK)', () => {
  let extension: AppConfigExtensionServer;
  let now = 0;

  beforeEach(async () => {
    clearFlagClients();
    now = 1_000_000;
    extension = await AppConfigExtensionServer.start();
  });

  afterEach(async () => {
    await OpenFeature.close();
    await extension.stop().catch(() => undefined);
  });

  /** Staging's flags on the test extension, polled every 30 s of the test's clock, metrics silenced. */
  const liveOptions = (logger: ClientLogger = { warn: () => undefined, info: () => undefined }) => ({
    environment: 'staging',
    profile: 'flags',
    port: extension.port,
    pollSeconds: 30,
    clock: () => now,
    logger,
    metricSink: () => undefined,
  });

  const flags = (rollout: number) => ({
    'new-checkout': { enabled: true, owner: 'team-orders', type: 'release', rolloutPercent: rollout },
    'dark-mode': { enabled: true, owner: 'team-web', type: 'release' },
  });

  it('emits READY after load, CONFIGURATION_CHANGED with the changed keys, STALE in an outage, READY on recovery', async () => {
    // Prepare
    extension.host('orders', 'staging', 'flags', { type: 'feature-flags', content: flags(25) });
    const live = await loadFlags('orders', liveOptions());
    const provider = new StewardFlagProvider({ flags: live });
    const client = OpenFeature.getClient('orders-events');
    const seen: { type: string; flags?: string[] }[] = [];
    for (const type of [
      ProviderEvents.Ready,
      ProviderEvents.ConfigurationChanged,
      ProviderEvents.Stale,
      ProviderEvents.Error,
    ]) {
      client.addHandler(type, (details) =>
        seen.push({
          type,
          ...(details?.flagsChanged ? { flags: [...(details.flagsChanged as string[])] } : {}),
        }),
      );
    }
    const evaluate = async () => {
      await client.getBooleanValue('dark-mode', false, { targetingKey: 'customer-1' });
      await live.whenIdle();
    };

    // Act: load, hot reload, outage, recovery
    await OpenFeature.setProviderAndWait('orders-events', provider);
    extension.host('orders', 'staging', 'flags', { type: 'feature-flags', content: flags(50) });
    now += 31_000;
    await evaluate();
    extension.failWith(503);
    now += 31_000;
    await evaluate();
    const duringOutage = await client.getBooleanDetails('dark-mode', false, { targetingKey: 'customer-1' });
    now += 31_000;
    await evaluate();
    extension.failWith(undefined);
    now += 31_000;
    await evaluate();
    await new Promise((resolve) => setImmediate(resolve));
    const afterRecovery = await client.getBooleanDetails('dark-mode', false, { targetingKey: 'customer-1' });

    // Assess
    expect(seen).toEqual([
      { type: ProviderEvents.Ready },
      { type: ProviderEvents.ConfigurationChanged, flags: ['new-checkout'] },
      { type: ProviderEvents.Stale },
      { type: ProviderEvents.Ready },
    ]);
    expect(duringOutage.value).toBe(true);
    // Served from the last good document: STALE, the evaluation's own reason kept in the metadata.
    expect(duringOutage.reason).toBe(StandardResolutionReasons.STALE);
    expect(duringOutage.flagMetadata['evaluationReason']).toBe(StandardResolutionReasons.STATIC);
    expect(afterRecovery.reason).toBe(StandardResolutionReasons.STATIC);
    expect(afterRecovery.flagMetadata['evaluationReason']).toBeUndefined();
    expect(client.providerStatus).toBe(ProviderStatus.READY);
  });

  it('answers TARGETING_KEY_MISSING for a rollout or split asked without a targeting key, and passes every attribute to the rules', async () => {
    // Prepare
    extension.host('orders', 'staging', 'flags', {
      type: 'feature-flags',
      content: {
        ...flags(25),
        'checkout-theme': {
          enabled: true,
          owner: 'team-growth',
          type: 'experiment',
          valueKind: 'string',
          variants: [
            JSON.stringify({
              name: 'pro',
              rule: '(and (eq $tier "pro") (gte $accountAgeDays 30))',
              value: 'midnight',
            }),
            JSON.stringify({ name: 'sample', rule: '(split pct::10 by::$targetingKey)', value: 'sunrise' }),
            JSON.stringify({ name: 'default', value: 'classic' }),
          ],
        },
      },
    });
    await OpenFeature.setProviderAndWait(
      'orders-targeting',
      new StewardFlagProvider(quietProviderOptions(extension.port)),
    );
    const client = OpenFeature.getClient('orders-targeting');

    // Act
    const rollout = await client.getBooleanDetails('new-checkout', false, {});
    const split = await client.getStringDetails('checkout-theme', 'none', {
      tier: 'pro',
      accountAgeDays: 40,
    });
    const pro = await client.getStringDetails('checkout-theme', 'none', {
      targetingKey: 'customer-1',
      tier: 'pro',
      accountAgeDays: 40,
    });
    const unrolled = await client.getBooleanDetails('dark-mode', false, {});

    // Assess
    expect(rollout).toMatchObject({
      value: false,
      reason: 'ERROR',
      errorCode: ErrorCode.TARGETING_KEY_MISSING,
    });
    expect(split).toMatchObject({ value: 'none', errorCode: ErrorCode.TARGETING_KEY_MISSING });
    expect(pro).toMatchObject({ value: 'midnight', variant: 'pro', reason: 'TARGETING_MATCH' });
    expect(unrolled).toMatchObject({ value: true, reason: 'STATIC' });
  });

  it('answers PARSE_ERROR for a flag whose rules do not compile, serves the others, and logs it once', async () => {
    // Prepare
    const content = {
      ...flags(25),
      'broken-rules': {
        enabled: true,
        owner: 'team-growth',
        type: 'experiment',
        variants: [
          JSON.stringify({ name: 'on', rule: '(eq $tier', enabled: true }),
          JSON.stringify({ name: 'off', enabled: false }),
        ],
      },
    };
    extension.host('orders', 'staging', 'flags', { type: 'feature-flags', content });
    const warnings: Record<string, unknown>[] = [];
    const live = await loadFlags(
      'orders',
      liveOptions({ warn: (_message, attributes) => warnings.push(attributes), info: () => undefined }),
    );
    await OpenFeature.setProviderAndWait('orders-broken', new StewardFlagProvider({ flags: live }));
    const client = OpenFeature.getClient('orders-broken');

    // Act: evaluate, then a refresh that still carries the broken flag (with a change elsewhere)
    const broken = await client.getBooleanDetails('broken-rules', true, { tier: 'pro' });
    const sound = await client.getBooleanDetails('dark-mode', false, {});
    extension.host('orders', 'staging', 'flags', {
      type: 'feature-flags',
      content: { ...content, ...flags(50) },
    });
    now += 31_000;
    await client.getBooleanValue('dark-mode', false, {});
    await live.whenIdle();
    const brokenAfterRefresh = await client.getBooleanDetails('broken-rules', false, {});

    // Assess
    expect(broken).toMatchObject({ value: true, reason: 'ERROR', errorCode: ErrorCode.PARSE_ERROR });
    expect(broken.errorMessage).toBe('flag broken-rules: its variants do not compile');
    expect(sound).toMatchObject({ value: true, reason: 'STATIC' });
    expect(brokenAfterRefresh).toMatchObject({ value: false, errorCode: ErrorCode.PARSE_ERROR });
    expect(live.evaluator.attribute('new-checkout', 'rolloutPercent')).toBe(50); // the refresh landed
    expect(warnings).toEqual([
      { service: 'orders', profile: 'flags', flag: 'broken-rules', problem: 'its variants do not compile' },
    ]);
  });
});
