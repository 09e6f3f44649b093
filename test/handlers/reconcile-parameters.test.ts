import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeParametersCommand,
  GetParametersByPathCommand,
  PutParameterCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { organisation } from '../../config/index.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { runtimeEnvironment } from '../../functions/core/runtime-settings.ts';
import { loadSettings } from '../../lib/settings.ts';

const ssm = mockClient(SSMClient);
const sqs = mockClient(SQSClient);
const settings = loadSettings('config/settings.json');
const registry = new SchemaRegistry(organisation, {
  parameterRoot: 'config',
  environments: settings.environments.map((e) => e.name),
});
const context = { getRemainingTimeInMillis: () => 600_000 } as Context;

/** Plays CloudFormation's presigned ResponseURL: records every answer. */
const answers: { method?: string; contentType?: string; body: Record<string, string> }[] = [];
let server: Server;
let responseUrl: string;
let handler: typeof import('../../functions/handlers/reconcile-parameters.ts').handler;

function request(type: 'Create' | 'Update' | 'Delete', properties: Record<string, unknown> = {}) {
  return {
    RequestType: type,
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/ConfigSteward/1',
    RequestId: `req-${type}`,
    LogicalResourceId: 'DesiredParametersReconcile',
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:reconcile',
    ResourceProperties: {
      ServiceToken: 'x',
      DesiredStateSha256: 'abc',
      WritesPerSecond: '1000',
      ...properties,
    },
  };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      answers.push({ method: req.method, contentType: req.headers['content-type'], body: JSON.parse(body) });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned?X-Amz-Signature=abc`;
  for (const [name, value] of Object.entries(runtimeEnvironment(settings))) vi.stubEnv(name, value);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('STEWARD_DELIVERY_QUEUE_URL', 'https://sqs.eu-west-1.amazonaws.com/123456789012/delivery.fifo');
  ({ handler } = await import('../../functions/handlers/reconcile-parameters.ts'));
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  ssm.reset();
  sqs.reset();
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  // No break-glass override is recorded (the reconcile looks for them with one DescribeParameters scan).
  ssm.on(DescribeParametersCommand).resolves({ Parameters: [] });
  answers.length = 0;
});

/** Parameter Store already holds config/'s plain values: the reconcile writes nothing. */
function storeHoldsConfig(): void {
  ssm.on(GetParametersByPathCommand).callsFake(async ({ Path }) => ({
    Parameters: registry
      .desiredParameters()
      .filter((p) => p.name.startsWith(`${Path}/`) && p.parameterType === 'String')
      .map((p) => ({ Name: p.name, Type: 'String', Value: p.value })),
  }));
}

describe('Handler: reconcile-parameters', () => {
  it('writes every missing desired parameter on Create and answers SUCCESS', async () => {
    // Prepare: an empty account, the first page empty but with a NextToken.
    ssm
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [], NextToken: 't' })
      .resolves({ Parameters: [] });
    ssm.on(PutParameterCommand).resolves({ Version: 1 });

    // Act
    await handler(request('Create'), context);

    // Assess
    const desired = registry.desiredParameters();
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, desired.length);
    expect(ssm).toHaveReceivedCommandWith(PutParameterCommand, {
      Name: '/config/production/orders/max-retries',
      Value: '5',
      Type: 'String',
      Overwrite: true,
    });
    expect(answers).toEqual([
      {
        method: 'PUT',
        contentType: '',
        body: expect.objectContaining({
          Status: 'SUCCESS',
          Reason: `${desired.length} written, 0 unchanged`,
          PhysicalResourceId: 'config-desired-parameters',
          RequestId: 'req-Create',
          LogicalResourceId: 'DesiredParametersReconcile',
        }),
      },
    ]);
  });

  it('requests one delivery per (service, environment) it wrote to, after its last write', async () => {
    // Prepare: only production's shared log level and orders' max-retries differ
    const differing = new Set([
      '/config/production/shared/log-level',
      '/config/production/orders/max-retries',
    ]);
    ssm.on(GetParametersByPathCommand).callsFake(async ({ Path }) => ({
      Parameters: registry
        .desiredParameters()
        .filter((p) => p.name.startsWith(`${Path}/`) && p.parameterType === 'String')
        .map((p) => ({ Name: p.name, Type: 'String', Value: differing.has(p.name) ? 'stale' : p.value })),
    }));
    ssm.on(PutParameterCommand).resolves({ Version: 2 });

    // Act
    await handler(request('Update'), context);

    // Assess: the shared key touches every service of production; nothing for staging
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 2);
    const entries = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries.map((e) => e.MessageGroupId).sort()).toEqual(['production#orders', 'production#payments']);
    expect(JSON.parse(entries[0]!.MessageBody!)).toMatchObject({
      kind: 'deliver',
      triggeringEventIds: ['reconcile:req-Update'],
    });
    expect(answers[0]?.body.Status).toBe('SUCCESS');
  });

  it("requests the documents config/ changed on Update from the old and new properties' hashes, with nothing written", async () => {
    // Prepare: Parameter Store already holds config/'s values; only staging's payments document changed
    storeHoldsConfig();
    const hashes = { staging: { orders: 'a', payments: 'b' }, production: { orders: 'c', payments: 'd' } };
    const update = request('Update', {
      DocumentSha256: { ...hashes, staging: { orders: 'a', payments: 'b2' } },
    });

    // Act
    await handler({ ...update, OldResourceProperties: { DocumentSha256: hashes } }, context);

    // Assess
    expect(ssm).toHaveReceivedCommandTimes(PutParameterCommand, 0);
    const entries = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries.map((e) => e.MessageGroupId)).toEqual(['staging#payments']);
    expect(answers[0]?.body.Status).toBe('SUCCESS');
  });

  it("requests the flags config/ changed on Update, in their document's message group", async () => {
    // Prepare: Parameter Store already holds config/'s values; only production's orders flags changed
    storeHoldsConfig();
    const hashes = { staging: { orders: 'a', payments: 'b' }, production: { orders: 'c', payments: 'd' } };
    const update = request('Update', {
      DocumentSha256: hashes,
      FlagsSha256: { ...hashes, production: { orders: 'c2', payments: 'd' } },
    });

    // Act
    await handler(
      { ...update, OldResourceProperties: { DocumentSha256: hashes, FlagsSha256: hashes } },
      context,
    );

    // Assess
    const entries = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries.map((e) => e.MessageGroupId)).toEqual(['production#orders']);
    expect(JSON.parse(entries[0]!.MessageBody!)).toEqual({
      kind: 'deliver-flags',
      service: 'orders',
      environment: 'production',
      triggeringEventIds: ['reconcile:req-Update'],
    });
    expect(answers[0]?.body.Status).toBe('SUCCESS');
  });

  it('answers FAILED when the deliveries cannot be requested, rather than leave documents stale', async () => {
    // Prepare
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    ssm.on(PutParameterCommand).resolves({ Version: 1 });
    sqs.on(SendMessageBatchCommand).rejects(new Error('unavailable'));

    // Act
    await handler(request('Update'), context);

    // Assess
    expect(answers[0]?.body.Status).toBe('FAILED');
  });

  it('requests the deliveries of what it wrote before a write failed, and answers FAILED', async () => {
    // Prepare: production's orders max-retries is written, the next write is refused. validate-change
    // labels the reconcile's writes without requesting their delivery, so only this request ships it.
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    ssm
      .on(PutParameterCommand)
      .resolvesOnce({ Version: 1 })
      .rejects(
        new SSMServiceException({
          name: 'InternalServerError',
          $fault: 'server',
          $metadata: {},
          message: 'x',
        }),
      );

    // Act
    await handler(request('Update'), context);

    // Assess
    const first = ssm.commandCalls(PutParameterCommand)[0]!.args[0].input.Name!;
    const [, , environment, service] = first.split('/');
    const entries = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries.map((e) => e.MessageGroupId)).toEqual(
      expect.arrayContaining([service === 'shared' ? `${environment}#orders` : `${environment}#${service}`]),
    );
    expect(answers[0]?.body.Status).toBe('FAILED');
  });

  it('leaves the parameters on Delete and answers SUCCESS without touching SSM', async () => {
    await handler({ ...request('Delete'), PhysicalResourceId: 'config-desired-parameters' }, context);
    expect(ssm.calls()).toHaveLength(0);
    expect(answers[0]?.body).toMatchObject({ Status: 'SUCCESS', Reason: 'parameters retained' });
  });

  it('answers FAILED with the error class when Parameter Store refuses, so the stack does not hang', async () => {
    // Prepare
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    ssm.on(PutParameterCommand).rejects(
      new SSMServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: {},
        message: 'denied',
      }),
    );

    // Act
    await handler(request('Update'), context);

    // Assess
    expect(answers[0]?.body.Status).toBe('FAILED');
    expect(answers[0]?.body.Reason).toMatch(/denied|AccessDenied/);
  });

  it('answers FAILED on malformed properties instead of leaving CloudFormation waiting', async () => {
    await handler(request('Update', { WritesPerSecond: 'fast' }), context);
    expect(ssm.calls()).toHaveLength(0);
    expect(answers[0]?.body.Status).toBe('FAILED');
  });

  it('rejects an event that is not a custom-resource request, changing nothing', async () => {
    await expect(handler({ hello: 'world' }, context)).rejects.toThrow(
      /not a CloudFormation custom resource request/,
    );
    expect(ssm.calls()).toHaveLength(0);
    expect(answers).toHaveLength(0);
  });
});
