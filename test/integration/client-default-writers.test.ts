import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import {
  clearConfigSources,
  clearFlagClients,
  flushFlagUsage,
  loadFlags,
} from '../../packages/client/src/index.ts';
import { configSource } from '../../packages/client/src/config.ts';
import { AppConfigExtensionServer } from '../support/appconfig-extension-server.ts';

/**
 * Without a logger or a metric sink the client writes JSON lines to stdout, through writers it loads
 * only when there is something to write (`telemetry.ts`, a lazy chunk): each such path, written.
 */
describe('Client default writers (stdout, loaded on first use)', () => {
  let extension: AppConfigExtensionServer;
  let now: number;
  let stdout: string[];

  const lines = () =>
    stdout
      .join('')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeEach(async () => {
    clearConfigSources();
    clearFlagClients();
    now = 1_800_000_000_000;
    stdout = [];
    extension = await AppConfigExtensionServer.start();
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    clearFlagClients();
    await extension.stop().catch(() => undefined);
  });

  it('logs a failed refresh once, counts it as an EMF line, and logs the recovery', async () => {
    // Prepare
    extension.host('orders', 'staging', 'document', { type: 'freeform', content: { currency: 'EUR' } });
    const source = configSource('orders', z.object({ currency: z.string() }), {
      environment: 'staging',
      profile: 'document',
      port: extension.port,
      clock: () => now,
    });
    await source.get();
    extension.failWith(503);

    // Act
    now += 46_000;
    await source.get();
    await source.whenIdle();
    extension.failWith(undefined);
    now += 46_000;
    await source.get();
    await source.whenIdle();

    // Assess
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'configuration refresh failed; serving the last good document',
        service: 'orders',
        profile: 'document',
        reason: 'server-error',
      }),
      expect.objectContaining({ service: 'orders', reason: 'server-error', ConfigRefreshFailed: 1 }),
      expect.objectContaining({
        level: 'INFO',
        message: 'configuration refresh recovered',
        failedRefreshes: 1,
      }),
    ]);
  });

  it('logs a flag whose rules do not compile once, and nothing for a healthy document', async () => {
    // Prepare
    const broken = {
      enabled: true,
      variants: [
        JSON.stringify({ name: 'on', rule: '(eq $tier', enabled: true }),
        JSON.stringify({ name: 'off', enabled: false }),
      ],
    };
    extension.host('orders', 'staging', 'flags', {
      type: 'feature-flags',
      content: { 'new-checkout': { enabled: true } },
    });
    const options = {
      environment: 'staging',
      profile: 'flags',
      port: extension.port,
      clock: () => now,
      usageMetrics: false,
    };
    const loaded = await loadFlags('orders', options);
    const healthy = lines();
    extension.host('orders', 'staging', 'flags', {
      type: 'feature-flags',
      content: { 'new-checkout': { enabled: true }, 'broken-rules': broken },
    });

    // Act: two refreshes with the flag still broken
    for (let i = 0; i < 2; i++) {
      now += 46_000;
      loaded.refreshIfStale();
      await loaded.whenIdle();
    }

    // Assess
    expect(healthy).toEqual([]);
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'flag rules do not compile: the flag answers the caller default',
        flag: 'broken-rules',
      }),
    ]);
  });

  it('writes flag usage to stdout when no metric sink is given', async () => {
    // Prepare
    extension.host('orders', 'staging', 'flags', {
      type: 'feature-flags',
      content: { 'new-checkout': { enabled: true } },
    });
    const loaded = await loadFlags('orders', {
      environment: 'staging',
      profile: 'flags',
      port: extension.port,
      usageMetrics: true,
    });
    loaded.isEnabled('new-checkout');

    // Act
    const written = await flushFlagUsage();

    // Assess
    expect(written).toBe(1);
    expect(lines()).toEqual([
      expect.objectContaining({
        service: 'orders',
        flag: 'new-checkout',
        variant: 'on',
        reason: 'STATIC',
        FlagEvaluations: 1,
      }),
    ]);
  });
});
