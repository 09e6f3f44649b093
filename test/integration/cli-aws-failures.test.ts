import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AwsCalls, cliClientConfig } from '../../functions/cli/aws-calls.ts';
import { drift } from '../../functions/cli/commands/drift.ts';
import { main } from '../../functions/cli/main.ts';
import { recordingIo } from '../support/command-io.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** A local port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** An environment with nothing of the machine's AWS setup in it. */
function isolatedAwsEnv() {
  const home = mkdtempSync(path.join(tmpdir(), 'steward-aws-'));
  vi.stubEnv('HOME', home);
  vi.stubEnv('AWS_CONFIG_FILE', path.join(home, 'config'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', path.join(home, 'credentials'));
  vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
  for (const name of [
    'AWS_PROFILE',
    'AWS_DEFAULT_REGION',
    'AWS_SESSION_TOKEN',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
  ]) {
    vi.stubEnv(name, undefined);
  }
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDSTEWARDTEST');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-a-real-secret');
}

describe('CLI: AWS and network failures', () => {
  let endpoint: string;
  let port: number;

  beforeEach(async () => {
    port = await closedPort();
    endpoint = `http://127.0.0.1:${port}`;
    isolatedAwsEnv();
  });

  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('drift against a closed port exits 4 in seconds after one connection attempt, naming call, resource, endpoint and cause', async () => {
    // Prepare
    vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
    const aws = new AwsCalls();
    const { io, err } = recordingIo();
    const started = performance.now();

    // Act
    const failure = await drift(['--env', 'staging'], io, aws).catch((error: unknown) => error);
    const code = await main(['drift', '--env', 'staging'], io);
    const elapsedMs = performance.now() - started;

    // Assess: the old client retried every one of 5 scans 8 times with backoff (16-20 s)
    expect(failure).toBeInstanceOf(Error);
    expect(aws.attempts).toBe(1);
    // The run's first step lists the root; when that fails the run stops there, before any service read.
    expect(aws.failures.map((call) => `${call.operation} ${call.resource}`)).toEqual([
      'DescribeParameters /config',
    ]);
    expect(code).toBe(4);
    expect(elapsedMs).toBeLessThan(8000);
    const stderr = err.join('\n');
    expect(stderr).toContain('steward drift: AWS or network error');
    expect(stderr).toContain(`connection refused (ECONNREFUSED) at ${endpoint}`);
    expect(stderr).toMatch(/cause: DescribeParameters \/config: connection refused/);
    expect(stderr).not.toContain('GetParametersByPath');
  });

  it('plan against a closed port exits 1 (its code for any error), naming the first call and the endpoint', async () => {
    // Prepare
    vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
    const { io, err } = recordingIo();
    const started = performance.now();

    // Act
    const code = await main(['plan', '--env', 'staging'], io);

    // Assess
    expect(code).toBe(1);
    expect(performance.now() - started).toBeLessThan(8000);
    const stderr = err.join('\n');
    expect(stderr).toContain('steward plan: AWS or network error');
    expect(stderr).toContain(`cause: ListApplications: connection refused (ECONNREFUSED) at ${endpoint}`);
  });

  it('leaves clients the CLI did not build (the Lambda handlers) to retry a refused connection', async () => {
    // Prepare
    vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
    const handlerClient = new SSMClient({ maxAttempts: 3 });
    const cliClient = new AwsCalls().instrument(new SSMClient(cliClientConfig({ maxAttempts: 3 })));

    // Act
    const attempts = async (client: SSMClient) =>
      client.send(new GetParametersByPathCommand({ Path: '/config' })).then(
        () => 0,
        (error: { $metadata?: { attempts?: number } }) => error.$metadata?.attempts,
      );

    // Assess
    expect(await attempts(handlerClient)).toBe(3);
    expect(await attempts(cliClient)).toBe(1);
  });

  it('says "no region" with exit 4 when no region is configured', async () => {
    // Prepare
    vi.stubEnv('AWS_REGION', undefined);
    vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
    const { io, err } = recordingIo();

    // Act
    const code = await main(['apply', '--env', 'staging', '--dry-run'], io);

    // Assess
    expect(code).toBe(4);
    expect(err.join('\n')).toContain(
      'cause: GetParametersByPath /config/staging: no region: set AWS_REGION (or a region in your AWS profile)',
    );
  });

  it('says "no credentials" with exit 4 when the SDK finds none', async () => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);
    vi.stubEnv('AWS_ENDPOINT_URL', endpoint);
    const { io, err } = recordingIo();

    // Act
    const code = await main(['apply', '--env', 'staging', '--dry-run'], io);

    // Assess
    expect(code).toBe(4);
    expect(err.join('\n')).toMatch(
      /cause: GetParametersByPath \/config\/staging: no credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID.*CredentialsProviderError/,
    );
  });

  it('names the call, the application and the SDK error an AWS service answered with', async () => {
    // Prepare: an AppConfig endpoint that refuses every call, as AWS does without permission
    const server = createHttpServer((request, response) => {
      response.writeHead(403, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'AccessDeniedException',
      });
      response.end(
        JSON.stringify({ Message: 'not authorized to perform appconfig:ListHostedConfigurationVersions' }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    vi.stubEnv('AWS_ENDPOINT_URL', `http://127.0.0.1:${(server.address() as { port: number }).port}`);
    const targets = {
      orders: {
        applicationId: 'app-orders',
        documentProfileId: 'doc',
        flagsProfileId: 'flags-orders',
        environments: {},
      },
    };
    const { io, err } = recordingIo({ STEWARD_APPCONFIG: JSON.stringify(targets) });

    // Act
    const code = await main(['flags', '--live'], io).finally(() => server.close());

    // Assess
    expect(code).toBe(4);
    expect(err.join('\n')).toContain(
      'cause: ListHostedConfigurationVersions app-orders: AccessDeniedException: not authorized to perform appconfig:ListHostedConfigurationVersions (HTTP 403)',
    );
  });

  it('the steward bin exits 4 against a closed port, naming the endpoint, with nothing on stdout', () => {
    // Act
    const result = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'steward.mjs'), 'drift', '--json'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, AWS_ENDPOINT_URL: endpoint, NODE_NO_WARNINGS: '1' },
      timeout: 20_000,
    });

    // Assess
    expect(result.status).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`connection refused (ECONNREFUSED) at ${endpoint}`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
