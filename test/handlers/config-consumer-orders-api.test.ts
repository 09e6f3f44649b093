import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { organisation } from '../../config/index.ts';
import { toAppConfigFlags } from '../../functions/core/flags/appconfig-format.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';

const registry = new SchemaRegistry(organisation, {
  parameterRoot: 'config',
  environments: ['staging', 'production'],
});
const composed = registry.compose('orders', 'production');
const hosted = toAppConfigFlags(
  organisation.services.find((s) => s.name === 'orders')?.flags ?? {},
  'production',
);
/** What the extension serves for a feature-flag profile: values only, attributes of enabled flags only. */
const dataPlaneFlags = Object.fromEntries(
  Object.entries(hosted.values).map(([key, value]) => [key, value.enabled ? value : { enabled: false }]),
);

let server: Server;
const requests: string[] = [];
let handler: typeof import('../../functions/handlers/orders-api.ts').handler;
const context = { functionName: 'orders-api', awsRequestId: 'req-1' } as Context;

beforeAll(async () => {
  // A stand-in for the AppConfig extension on localhost, serving the ids ConfigConsumer sets.
  server = createServer((request, response) => {
    requests.push(request.url ?? '');
    const body = request.url?.startsWith('/applications/app0rd1/environments/envprd1/configurations/doc0rd1')
      ? composed.ok && composed.document
      : request.url?.startsWith('/applications/app0rd1/environments/envprd1/configurations/fl0rd1')
        ? dataPlaneFlags
        : undefined;
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    response.end(body ? JSON.stringify(body) : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  vi.stubEnv('AWS_APPCONFIG_EXTENSION_HTTP_PORT', String((server.address() as AddressInfo).port));
  vi.stubEnv('STEWARD_APPCONFIG_APPLICATION', 'app0rd1');
  vi.stubEnv('STEWARD_APPCONFIG_ENVIRONMENT', 'envprd1');
  vi.stubEnv('STEWARD_APPCONFIG_PROFILE', 'doc0rd1');
  vi.stubEnv('STEWARD_APPCONFIG_FLAGS_PROFILE', 'fl0rd1');
  ({ handler } = await import('../../functions/handlers/orders-api.ts'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise((resolve) => server.close(resolve));
});

describe('Handler: orders-api (example consumer)', () => {
  it('answers from the composed document and the flags served by the extension', async () => {
    // Act
    const response = await handler({ queryStringParameters: { customer: 'customer-qa-1' } }, context);

    // Assess
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body);
    expect(['Complete order', 'Buy now']).toContain(body.buttonCopy);
    expect(body).toEqual({
      checkoutEnabled: true,
      currency: 'EUR',
      pageSize: 50,
      newCheckout: true,
      buttonCopy: expect.any(String),
      recommendations: true,
    });
    expect(requests).toContain('/applications/app0rd1/environments/envprd1/configurations/doc0rd1');
    expect(
      requests.some((url) =>
        url.startsWith('/applications/app0rd1/environments/envprd1/configurations/fl0rd1'),
      ),
    ).toBe(true);
  });

  it('answers 400 without a customer', async () => {
    // Act
    const response = await handler({ queryStringParameters: null }, context);

    // Assess
    expect(response.statusCode).toBe(400);
  });

  it('writes its flag usage at the end of the invocation inside Lambda, with no customer id in it', async () => {
    // Prepare: the package the handler imports by name, so the same flags clients
    const { clearFlagClients } = await import('@config-steward/client');
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'orders-api');
    clearFlagClients();
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });

    // Act
    try {
      await handler({ queryStringParameters: { customer: 'customer-qa-1' } }, context);
    } finally {
      write.mockRestore();
      vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
    }

    // Assess
    const usage = written
      .filter((line) => line.includes('"FlagEvaluations"'))
      .map((line) => JSON.parse(line));
    expect(usage.every((line) => line.service === 'orders' && line.FlagEvaluations === 1)).toBe(true);
    expect(usage.map((line) => line.flag).sort()).toEqual([
      'checkout-button-copy',
      'disable-recommendations',
      'new-checkout',
    ]);
    expect(written.join('')).not.toContain('customer-qa-1');
  });
});
