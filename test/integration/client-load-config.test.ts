import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import {
  ClientConfigurationError,
  clearConfigSources,
  ExtensionUnavailableError,
  InvalidConfigDocumentError,
  loadConfig,
} from '../../packages/client/src/index.ts';
import { configSource } from '../../packages/client/src/config.ts';
import type { ClientLogger, DegradedReport } from '../../packages/client/src/telemetry.ts';
import { AppConfigExtensionServer } from '../support/appconfig-extension-server.ts';

const SECRET = 'whsec_2f9c1e7d8b6a4f30b1e2d3c4a5f60718';

const ordersSchema = z.strictObject({
  'max-retries': z.number().int().min(0).max(10),
  currency: z.enum(['EUR', 'USD', 'GBP']),
  'payments-api-url': z.url(),
  'webhook-signing-key': z.string().min(32),
});

const good = {
  'max-retries': 3,
  currency: 'EUR',
  'payments-api-url': 'https://payments.staging.example.com',
  'webhook-signing-key': SECRET,
};

class RecordingLogger implements ClientLogger {
  readonly lines: { level: string; message: string; attributes: Record<string, unknown> }[] = [];
  warn(message: string, attributes: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, attributes });
  }
  info(message: string, attributes: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, attributes });
  }
}

describe('Function: loadConfig', () => {
  let extension: AppConfigExtensionServer;
  let now: number;
  let logger: RecordingLogger;
  let metrics: string[];
  let degraded: DegradedReport[];

  const options = (overrides: Record<string, unknown> = {}) => ({
    environment: 'staging',
    profile: 'document',
    port: extension.port,
    pollSeconds: 45,
    timeoutMs: 1000,
    clock: () => now,
    logger,
    metricSink: (line: string) => metrics.push(line),
    onDegraded: (report: DegradedReport) => degraded.push(report),
    ...overrides,
  });

  /** A source with the first good document loaded, its poll interval over. */
  const loadedAndStale = async () => {
    const source = configSource('orders', ordersSchema, options());
    await source.get();
    now += 46_000;
    return source;
  };

  beforeEach(async () => {
    clearConfigSources();
    extension = await AppConfigExtensionServer.start();
    extension.host('orders', 'staging', 'document', { type: 'freeform', content: good });
    now = 1_800_000_000_000;
    logger = new RecordingLogger();
    metrics = [];
    degraded = [];
  });

  afterEach(async () => {
    await extension.stop().catch(() => undefined);
  });

  it('reads and validates the document on a cold start', async () => {
    // Act
    const config = await loadConfig('orders', ordersSchema, options());

    // Assess
    expect(config['max-retries']).toBe(3);
    expect(config.currency).toBe('EUR');
    expect(extension.requests).toEqual([
      { path: '/applications/orders/environments/staging/configurations/document', flags: [], status: 200 },
    ]);
  });

  it('takes names and port from the environment variables the consumer construct sets', async () => {
    // Prepare
    extension.host('orders-app', 'production', 'orders-document', { type: 'freeform', content: good });
    const env = {
      STEWARD_APPCONFIG_APPLICATION: 'orders-app',
      STEWARD_APPCONFIG_ENVIRONMENT: 'production',
      STEWARD_APPCONFIG_PROFILE: 'orders-document',
      AWS_APPCONFIG_EXTENSION_HTTP_PORT: String(extension.port),
      STEWARD_CONFIG_POLL_SECONDS: '30',
    };

    // Act
    const source = configSource('orders', ordersSchema, { env, clock: () => now });
    const config = await source.get();

    // Assess
    expect(config.currency).toBe('EUR');
    expect(source.target).toMatchObject({
      application: 'orders-app',
      environment: 'production',
      pollMs: 30_000,
    });
    expect(extension.requests[0]?.path).toBe(
      '/applications/orders-app/environments/production/configurations/orders-document',
    );
  });

  it('names the missing environment variable when the environment is not set', () => {
    // Act
    const attempt = () =>
      configSource('orders', ordersSchema, { env: { STEWARD_APPCONFIG_PROFILE: 'document' } });

    // Assess
    expect(attempt).toThrow(ClientConfigurationError);
    expect(attempt).toThrow(/STEWARD_APPCONFIG_ENVIRONMENT/);
  });

  it('answers warm calls within the poll interval from memory, without a second request', async () => {
    // Prepare
    const first = await loadConfig('orders', ordersSchema, options());
    now += 44_000;

    // Act
    const second = await loadConfig('orders', ordersSchema, options());

    // Assess
    expect(second).toBe(first);
    expect(extension.requests).toHaveLength(1);
  });

  it('shares one read between concurrent cold calls', async () => {
    // Act
    const [a, b] = await Promise.all([
      loadConfig('orders', ordersSchema, options()),
      loadConfig('orders', ordersSchema, options()),
    ]);

    // Assess
    expect(a).toBe(b);
    expect(extension.requests).toHaveLength(1);
  });

  it('re-reads after the poll interval in the background, serving the kept document meanwhile', async () => {
    // Prepare
    const source = await loadedAndStale();
    extension.host('orders', 'staging', 'document', {
      type: 'freeform',
      content: { ...good, 'max-retries': 7 },
    });
    extension.delay(200);

    // Act
    const during = await source.get();
    await source.whenIdle();
    const after = await source.get();

    // Assess
    expect(during['max-retries']).toBe(3);
    expect(after['max-retries']).toBe(7);
    expect(extension.requests).toHaveLength(2);
  });

  it('keeps the last good document when the extension is down, logging once and counting every failure', async () => {
    // Prepare
    const source = await loadedAndStale();
    await extension.stop();

    // Act
    const first = await source.get();
    await source.whenIdle();
    now += 46_000;
    const second = await source.get();
    await source.whenIdle();

    // Assess
    expect(first['max-retries']).toBe(3);
    expect(second['max-retries']).toBe(3);
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    expect(logger.lines[0]?.attributes).toMatchObject({
      service: 'orders',
      profile: 'document',
      reason: 'unavailable',
    });
    expect(degraded.map((d) => [d.reason, d.consecutiveFailures])).toEqual([
      ['unavailable', 1],
      ['unavailable', 2],
    ]);
    expect(metrics).toHaveLength(2);
    expect(JSON.parse(metrics[0]!)).toMatchObject({
      _aws: { CloudWatchMetrics: [{ Metrics: [{ Name: 'ConfigRefreshFailed', Unit: 'Count' }] }] },
      service: 'orders',
      reason: 'unavailable',
      ConfigRefreshFailed: 1,
    });
  });

  it('does not retry on every request while degraded, only once per poll interval', async () => {
    // Prepare
    const source = await loadedAndStale();
    extension.failWith(503);
    await source.get();
    await source.whenIdle();

    // Act
    for (let i = 0; i < 20; i++) await source.get();
    await source.whenIdle();

    // Assess
    expect(extension.requests.map((r) => r.status)).toEqual([200, 503]);
    expect(degraded).toHaveLength(1);
  });

  it('keeps the last good document on a 5xx and recovers when the extension answers again', async () => {
    // Prepare
    const source = await loadedAndStale();
    extension.failWith(500);
    await source.get();
    await source.whenIdle();
    extension.failWith(undefined);
    extension.host('orders', 'staging', 'document', {
      type: 'freeform',
      content: { ...good, currency: 'GBP' },
    });
    now += 46_000;

    // Act
    await source.get();
    await source.whenIdle();
    const recovered = await source.get();

    // Assess
    expect(degraded.map((d) => d.reason)).toEqual(['server-error']);
    expect(recovered.currency).toBe('GBP');
    expect(source.consecutiveFailures).toBe(0);
    expect(logger.lines.map((l) => l.level)).toEqual(['warn', 'info']);
  });

  it('keeps the last good document when the extension is slower than the timeout', async () => {
    // Prepare
    const source = configSource('orders', ordersSchema, options({ timeoutMs: 300 }));
    await source.get();
    now += 46_000;
    extension.delay(5_000);

    // Act
    const served = await source.get();
    await source.whenIdle();

    // Assess
    expect(served['max-retries']).toBe(3);
    expect(degraded.map((d) => d.reason)).toEqual(['timeout']);
  });

  it('keeps the last good document when a later one fails the schema or is not JSON', async () => {
    // Prepare
    const source = await loadedAndStale();
    extension.host('orders', 'staging', 'document', {
      type: 'freeform',
      content: { ...good, 'max-retries': 99 },
    });
    await source.get();
    await source.whenIdle();
    extension.host('orders', 'staging', 'document', { type: 'freeform', content: '{"max-retries": 4,' });
    now += 46_000;

    // Act
    await source.get();
    await source.whenIdle();
    const served = await source.get();

    // Assess
    expect(served['max-retries']).toBe(3);
    expect(degraded.map((d) => d.reason)).toEqual(['invalid-document', 'invalid-document']);
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('fails fast on the first load, naming every bad key and never a value', async () => {
    // Prepare
    const leakedSecret = `${SECRET.slice(0, 20)}`;
    extension.host('orders', 'staging', 'document', {
      type: 'freeform',
      content: {
        ...good,
        'max-retries': 'five',
        max_retires: 5,
        currency: 'YEN',
        'webhook-signing-key': leakedSecret,
      },
    });

    // Act
    const error = await loadConfig('orders', ordersSchema, options()).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidConfigDocumentError);
    const invalid = error as InvalidConfigDocumentError;
    expect(invalid.keys).toEqual(
      expect.arrayContaining(['max-retries', 'max_retires', 'currency', 'webhook-signing-key']),
    );
    expect(invalid.message).toContain('max-retries (expected number)');
    expect(invalid.message).toContain('max_retires (unknown key)');
    expect(invalid.message).not.toContain('five');
    expect(invalid.message).not.toContain('YEN');
    expect(invalid.message).not.toContain(leakedSecret);
  });

  it('fails fast on the first load when the extension is down or does not know the profile', async () => {
    // Prepare
    const unknownProfile = options({ profile: 'nope' });

    // Act
    const notFound = await loadConfig('orders', ordersSchema, unknownProfile).catch((e: unknown) => e);
    await extension.stop();
    const down = await loadConfig('orders', ordersSchema, options()).catch((e: unknown) => e);

    // Assess
    expect(notFound).toBeInstanceOf(ExtensionUnavailableError);
    expect((notFound as ExtensionUnavailableError).reason).toBe('not-found');
    expect(down).toBeInstanceOf(ExtensionUnavailableError);
    expect((down as ExtensionUnavailableError).reason).toBe('unavailable');
  });

  it('never lets a secret value reach a log line, a metric or a degraded report', async () => {
    // Prepare
    const source = await loadedAndStale();
    extension.host('orders', 'staging', 'document', {
      type: 'freeform',
      content: { ...good, currency: 'YEN', 'webhook-signing-key': SECRET.slice(0, 31) },
    });

    // Act
    await source.get();
    await source.whenIdle();
    await extension.stop();
    now += 46_000;
    await source.get();
    await source.whenIdle();

    // Assess
    const captured = JSON.stringify({ logs: logger.lines, metrics, degraded });
    expect(degraded).toHaveLength(2);
    expect(captured).not.toContain(SECRET.slice(0, 31));
    expect(captured).not.toContain('YEN');
  });

  it('logs through a Powertools Logger when one is given', async () => {
    // Prepare
    const powertools = new Logger({ serviceName: 'orders-api' });
    const warn = vi.spyOn(powertools, 'warn');
    const source = configSource('orders', ordersSchema, options({ logger: powertools }));
    await source.get();
    now += 46_000;
    extension.failWith(503);

    // Act
    await source.get();
    await source.whenIdle();

    // Assess
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(
      'configuration refresh failed; serving the last good document',
      expect.objectContaining({ service: 'orders', reason: 'server-error' }),
    );
  });
});
