import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ClientConfigurationError,
  clearFlagClients,
  loadFlags,
  InvalidConfigDocumentError,
} from '../../packages/client/src/index.ts';
import { rolloutBucket } from '../../packages/client/src/flag-evaluator.ts';
import type { DegradedReport } from '../../packages/client/src/telemetry.ts';
import { AppConfigExtensionServer } from '../support/appconfig-extension-server.ts';

const flagsDocument = {
  'new-checkout': {
    enabled: true,
    owner: 'team-orders',
    type: 'release',
    created: '2026-11-02',
    expires: '2027-01-31',
    rolloutPercent: 25,
    allow: ['customer-qa-1', 'customer-qa-2'],
  },
  'checkout-button-copy': {
    enabled: true,
    owner: 'team-growth',
    type: 'experiment',
    rolloutPercent: 50,
    value: 'Complete order',
    defaultValue: 'Buy now',
  },
  'disable-recommendations': { enabled: false, owner: 'team-orders', type: 'kill-switch' },
};

describe('Function: flags', () => {
  let extension: AppConfigExtensionServer;
  let now: number;
  let degraded: DegradedReport[];

  const options = (overrides: Record<string, unknown> = {}) => ({
    environment: 'production',
    profile: 'flags',
    port: extension.port,
    pollSeconds: 45,
    clock: () => now,
    logger: { warn: () => undefined, info: () => undefined },
    metricSink: () => undefined,
    onDegraded: (report: DegradedReport) => degraded.push(report),
    ...overrides,
  });

  beforeEach(async () => {
    clearFlagClients();
    extension = await AppConfigExtensionServer.start();
    extension.host('orders', 'production', 'flags', { type: 'feature-flags', content: flagsDocument });
    now = 1_800_000_000_000;
    degraded = [];
  });

  afterEach(async () => {
    await extension.stop().catch(() => undefined);
  });

  it('reads the flags profile once and evaluates locally', async () => {
    // Prepare
    const client = await loadFlags('orders', options());

    // Act
    const qa = client.isEnabled('new-checkout', { targetingKey: 'customer-qa-1' });
    const killSwitch = client.isEnabled('disable-recommendations');
    const again = await loadFlags('orders', options());

    // Assess
    expect(qa).toBe(true);
    expect(killSwitch).toBe(false);
    expect(client.attribute('new-checkout', 'owner')).toBe('team-orders');
    expect(again).toBe(client);
    expect(extension.requests).toHaveLength(1);
  });

  it('asks the extension for only the named flags with ?flag=', async () => {
    // Act
    const client = await loadFlags('orders', options({ only: ['new-checkout', 'no-such-flag'] }));

    // Assess
    expect(extension.requests[0]?.flags).toEqual(['new-checkout', 'no-such-flag']);
    expect(client.has('new-checkout')).toBe(true);
    expect(client.has('checkout-button-copy')).toBe(false);
  });

  it('swaps in the new flags after the poll interval without blocking the check', async () => {
    // Prepare
    const client = await loadFlags('orders', options());
    extension.host('orders', 'production', 'flags', {
      type: 'feature-flags',
      content: {
        ...flagsDocument,
        'disable-recommendations': { enabled: true, owner: 'team-orders', type: 'kill-switch' },
      },
    });
    now += 46_000;

    // Act
    await loadFlags('orders', options());
    const during = client.isEnabled('disable-recommendations');
    await client.whenIdle();
    const after = client.isEnabled('disable-recommendations');

    // Assess
    expect(during).toBe(false);
    expect(after).toBe(true);
    expect(extension.requests).toHaveLength(2);
  });

  it('keeps the last good flags when a later document is invalid or the extension fails', async () => {
    // Prepare
    const client = await loadFlags('orders', options());
    const customer = 'customer-qa-2';
    extension.host('orders', 'production', 'flags', {
      type: 'feature-flags',
      content: { 'new-checkout': { enabled: 'true' } },
    });
    now += 46_000;
    await loadFlags('orders', options());
    await client.whenIdle();
    extension.failWith(502);
    now += 46_000;

    // Act
    await loadFlags('orders', options());
    await client.whenIdle();

    // Assess
    expect(client.isEnabled('new-checkout', { targetingKey: customer })).toBe(true);
    expect(degraded.map((d) => d.reason)).toEqual(['invalid-document', 'server-error']);
  });

  it('fails fast when the first flags document is invalid, naming the flag', async () => {
    // Prepare
    extension.host('orders', 'production', 'flags', {
      type: 'feature-flags',
      content: { 'new-checkout': { enabled: true, rolloutPercent: 'half' } },
    });

    // Act
    const error = await loadFlags('orders', options()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidConfigDocumentError);
    expect((error as Error).message).toContain('new-checkout.rolloutPercent');
    expect((error as Error).message).not.toContain('half');
  });

  it('names STEWARD_APPCONFIG_FLAGS_PROFILE when no flags profile is configured', async () => {
    // Act
    const error = await loadFlags('orders', { env: { STEWARD_APPCONFIG_ENVIRONMENT: 'production' } }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(error).toBeInstanceOf(ClientConfigurationError);
    expect((error as Error).message).toContain('STEWARD_APPCONFIG_FLAGS_PROFILE');
  });

  it('serves string values by rollout bucket', async () => {
    // Prepare
    const client = await loadFlags('orders', options());
    const keys = Array.from({ length: 50 }, (_, i) => `customer-${i}`);

    // Act
    const copies = keys.map((key) => client.value('checkout-button-copy', 'fallback', { targetingKey: key }));

    // Assess
    keys.forEach((key, i) => {
      const expected = rolloutBucket('checkout-button-copy', key) < 5000 ? 'Complete order' : 'Buy now';
      expect(copies[i]).toBe(expected);
    });
  });
});
