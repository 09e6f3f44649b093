import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearFlagClients, loadFlags } from '../../packages/client/src/index.ts';
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
