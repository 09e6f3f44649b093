import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod';
import {
  ClientConfigurationError,
  clearConfigSources,
  type DegradedReport,
  clearFlagClients,
  ExtensionUnavailableError,
  InvalidConfigDocumentError,
  loadConfig,
  loadFlags,
} from '../../packages/client/src/index.ts';
import { type StewardContext, stewardConfig } from '../../packages/client/src/middy.ts';

const schema = z.object({ 'max-retries': z.number().int(), currency: z.enum(['EUR', 'USD']) });
type OrdersConfig = z.output<typeof schema>;

const flagsDocument = {
  'new-checkout': { enabled: true, owner: 'team-orders', type: 'release', allow: ['customer-qa-1'] },
  'disable-recommendations': { enabled: false, owner: 'team-orders', type: 'kill-switch' },
};

const quiet = { logger: { warn: () => undefined, info: () => undefined }, metricSink: () => undefined };

describe('Local mode', () => {
  let dir: string;
  let configFile: string;
  let flagsFile: string;

  beforeEach(() => {
    clearConfigSources();
    clearFlagClients();
    dir = mkdtempSync(path.join(tmpdir(), 'steward-local-'));
    configFile = path.join(dir, 'orders.json');
    flagsFile = path.join(dir, 'flags.json');
    writeFileSync(configFile, JSON.stringify({ 'max-retries': 3, currency: 'EUR' }));
    writeFileSync(flagsFile, JSON.stringify(flagsDocument));
    // Local mode never calls the extension: any fetch fails the test.
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('local mode must not call the extension'));
  });

  afterEach(() => {
    vi.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the composed document and the flags from the files named by environment variables', async () => {
    // Prepare: no AppConfig environment or profile is needed locally
    const env = { STEWARD_CONFIG_FILE: configFile, STEWARD_FLAGS_FILE: flagsFile };

    // Act
    const config = await loadConfig('orders', schema, { env, ...quiet });
    const flags = await loadFlags('orders', { env, ...quiet });

    // Assess
    expect(config).toEqual({ 'max-retries': 3, currency: 'EUR' });
    expect(flags.isEnabled('new-checkout', { targetingKey: 'customer-qa-1' })).toBe(true);
    expect(flags.isEnabled('new-checkout', { targetingKey: 'someone-else' })).toBe(false);
    expect(flags.reason('disable-recommendations')).toBe('DISABLED');
    expect(globalThis.fetch).not.toHaveBeenCalled();
  });

  it('takes the files as options, which win over the environment, and narrows flags with only', async () => {
    // Prepare
    const elsewhere = path.join(dir, 'other.json');
    writeFileSync(elsewhere, JSON.stringify({ 'max-retries': 9, currency: 'USD' }));
    const env = { STEWARD_CONFIG_FILE: elsewhere };

    // Act
    const config = await loadConfig('orders', schema, { env, configFile, ...quiet });
    const flags = await loadFlags('orders', { env: {}, flagsFile, only: ['new-checkout'], ...quiet });

    // Assess
    expect(config['max-retries']).toBe(3);
    expect(flags.has('new-checkout')).toBe(true);
    expect(flags.has('disable-recommendations')).toBe(false);
  });

  it('keeps a document per file: two files of one service are two documents', async () => {
    // Prepare
    const other = path.join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ 'max-retries': 9, currency: 'USD' }));

    // Act
    const first = await loadConfig('orders', schema, { env: {}, configFile, ...quiet });
    const second = await loadConfig('orders', schema, { env: {}, configFile: other, ...quiet });

    // Assess
    expect(first.currency).toBe('EUR');
    expect(second.currency).toBe('USD');
  });

  it('re-reads the file after the poll interval, and keeps the last good document when an edit breaks it', async () => {
    // Prepare
    let now = 1_800_000_000_000;
    const degraded: DegradedReport[] = [];
    const onDegraded = (report: DegradedReport) => degraded.push(report);
    const options = { env: {}, configFile, pollSeconds: 45, clock: () => now, onDegraded, ...quiet };
    await loadConfig('orders', schema, options);

    // Act: a good edit, then a broken one
    writeFileSync(configFile, JSON.stringify({ 'max-retries': 5, currency: 'USD' }));
    now += 46_000;
    await loadConfig('orders', schema, options); // starts the background re-read
    await vi.waitFor(async () => expect((await loadConfig('orders', schema, options)).currency).toBe('USD'));
    writeFileSync(configFile, '{ not json');
    now += 46_000;
    await loadConfig('orders', schema, options);
    await vi.waitFor(() => expect(degraded).toHaveLength(1));

    // Assess
    expect(degraded[0]?.reason).toBe('invalid-document');
    expect(await loadConfig('orders', schema, options)).toEqual({ 'max-retries': 5, currency: 'USD' });
  });

  it('fails fast with a clear error on a missing file, a file that is not JSON, and an invalid document', async () => {
    // Prepare
    const missing = path.join(dir, 'missing.json');
    const notJson = path.join(dir, 'broken.json');
    writeFileSync(notJson, '{ "max-retries": ');
    const invalid = path.join(dir, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ 'max-retries': 'hunter2-not-a-number', currency: 'EUR' }));

    // Act
    const missingError = await loadConfig('orders', schema, { env: {}, configFile: missing }).catch(
      (e: unknown) => e,
    );
    const notJsonError = await loadConfig('orders', schema, { env: {}, configFile: notJson }).catch(
      (e: unknown) => e,
    );
    const invalidError = await loadConfig('orders', schema, { env: {}, configFile: invalid }).catch(
      (e: unknown) => e,
    );

    // Assess
    expect(missingError).toBeInstanceOf(ExtensionUnavailableError);
    expect((missingError as ExtensionUnavailableError).reason).toBe('not-found');
    expect((missingError as Error).message).toBe(`the local document ${missing} does not exist`);
    expect(notJsonError).toBeInstanceOf(InvalidConfigDocumentError);
    expect((notJsonError as Error).message).toBe(`the local document ${notJson} is not JSON`);
    expect(invalidError).toBeInstanceOf(InvalidConfigDocumentError);
    expect((invalidError as InvalidConfigDocumentError).keys).toEqual(['max-retries']);
    expect((invalidError as Error).message).not.toContain('hunter2');
  });

  it('is refused inside Lambda unless allowed, naming the setting and the way to allow it', async () => {
    // Prepare
    const inLambda = { AWS_LAMBDA_FUNCTION_NAME: 'orders-api', STEWARD_CONFIG_FILE: configFile };

    // Act
    const configError = await loadConfig('orders', schema, { env: inLambda }).catch((e: unknown) => e);
    const flagsError = await loadFlags('orders', {
      env: { AWS_LAMBDA_FUNCTION_NAME: 'orders-api' },
      flagsFile,
    }).catch((e: unknown) => e);

    // Assess
    expect(configError).toBeInstanceOf(ClientConfigurationError);
    expect((configError as Error).message).toMatch(
      /^local mode \(configFile or STEWARD_CONFIG_FILE\) is refused inside Lambda for orders/,
    );
    expect(flagsError).toBeInstanceOf(ClientConfigurationError);
    expect((flagsError as Error).message).toMatch(/^local mode \(flagsFile or STEWARD_FLAGS_FILE\)/);
  });

  it('is allowed inside Lambda only when asked for, by option or by environment variable', async () => {
    // Prepare
    const inLambda = { AWS_LAMBDA_FUNCTION_NAME: 'orders-api', STEWARD_CONFIG_FILE: configFile };

    // Act
    const byOption = await loadConfig('orders', schema, { env: inLambda, allowLocalInLambda: true });
    clearConfigSources();
    const byVariable = await loadConfig('orders', schema, {
      env: { ...inLambda, STEWARD_ALLOW_LOCAL_IN_LAMBDA: 'true' },
    });
    clearConfigSources();
    const notTrue = await loadConfig('orders', schema, {
      env: { ...inLambda, STEWARD_ALLOW_LOCAL_IN_LAMBDA: '1' },
    }).catch((e: unknown) => e);

    // Assess
    expect(byOption.currency).toBe('EUR');
    expect(byVariable.currency).toBe('EUR');
    expect(notTrue).toBeInstanceOf(ClientConfigurationError);
  });

  it('feeds the middy middleware from both files through one set of options', async () => {
    // Prepare
    const handler = middy<{ customer: string }, string, Error, Context & StewardContext<OrdersConfig>>()
      .use(stewardConfig({ service: 'orders', schema, env: {}, configFile, flagsFile, ...quiet }))
      .handler(async (event, context) => {
        const fresh = context.flags.isEnabled('new-checkout', { targetingKey: event.customer });
        return `${context.config.currency}:${fresh}`;
      });

    // Act
    const answer = await handler({ customer: 'customer-qa-1' }, {
      functionName: 'local',
    } as Context & StewardContext<OrdersConfig>);

    // Assess
    expect(answer).toBe('EUR:true');
  });
});
