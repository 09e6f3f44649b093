import {
  DeleteParameterCommand,
  DescribeParametersCommand,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ParameterNotFound,
  ParameterVersionNotFound,
  PutParameterCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ParameterAccessDeniedError,
  ParameterDecryptionError,
  ParameterNotFoundError,
  ParameterRejectedError,
  ParameterStoreError,
  ParameterStoreThrottledError,
  ParameterVersionNotFoundError,
} from '../../functions/ports/parameter-store.errors.ts';
import { RateLimiter } from '../../functions/adapters/rate-limiter.ts';
import { SsmParameterStore } from '../../functions/adapters/ssm-parameter-store.ts';

const ssm = mockClient(SSMClient);
const noSleep = async () => undefined;

function serviceError(name: string, message = 'boom'): SSMServiceException {
  return new SSMServiceException({ name, $fault: 'client', $metadata: {}, message });
}

describe('Class: SsmParameterStore', () => {
  let store: SsmParameterStore;
  beforeEach(() => {
    ssm.reset();
    store = new SsmParameterStore(new SSMClient({}), { sleep: noSleep });
  });

  it('reads the current version decrypted', async () => {
    // Prepare
    ssm.on(GetParameterCommand).resolves({
      Parameter: { Name: '/config/staging/orders/max-retries', Value: '3', Type: 'String', Version: 4 },
    });

    // Act
    const parameter = await store.get('/config/staging/orders/max-retries');

    // Assess
    expect(ssm).toReceiveCommandWith(GetParameterCommand, {
      Name: '/config/staging/orders/max-retries',
      WithDecryption: true,
    });
    expect(parameter).toMatchObject({ value: '3', type: 'String', version: 4 });
  });

  it('returns undefined for a parameter that does not exist', async () => {
    // Prepare
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ $metadata: {}, message: 'nope' }));

    // Act
    const parameter = await store.get('/config/staging/orders/gone');

    // Assess
    expect(parameter).toBeUndefined();
  });

  it('reads history in pages of 50, oldest first, decrypted, with labels', async () => {
    // Prepare
    const name = '/config/staging/orders/max-retries';
    ssm
      .on(GetParameterHistoryCommand, { Name: name, NextToken: undefined })
      .resolves({
        Parameters: [{ Name: name, Value: '1', Type: 'String', Version: 1, Labels: [] }],
        NextToken: 'page-2',
      })
      .on(GetParameterHistoryCommand, { Name: name, NextToken: 'page-2' })
      .resolves({
        Parameters: [{ Name: name, Value: '2', Type: 'String', Version: 2, Labels: ['last-known-good'] }],
      });

    // Act
    const history = await store.history(name);

    // Assess
    expect(ssm).toReceiveCommandTimes(GetParameterHistoryCommand, 2);
    expect(ssm).toReceiveCommandWith(GetParameterHistoryCommand, {
      Name: name,
      WithDecryption: true,
      MaxResults: 50,
      NextToken: 'page-2',
    });
    expect(history.map((v) => [v.version, v.value, v.labels])).toEqual([
      [1, '1', []],
      [2, '2', ['last-known-good']],
    ]);
  });

  it('returns an empty history for a parameter that does not exist', async () => {
    // Prepare
    ssm.on(GetParameterHistoryCommand).rejects(new ParameterNotFound({ $metadata: {}, message: 'nope' }));

    // Act
    const history = await store.history('/config/staging/orders/gone');

    // Assess
    expect(history).toEqual([]);
  });

  it('overwrites on put and returns the new version', async () => {
    // Prepare
    ssm.on(PutParameterCommand).resolves({ Version: 7 });

    // Act
    const version = await store.put('/config/staging/orders/max-retries', '5', 'String');

    // Assess
    expect(ssm).toReceiveCommandWith(PutParameterCommand, {
      Name: '/config/staging/orders/max-retries',
      Value: '5',
      Type: 'String',
      Overwrite: true,
    });
    expect(version).toBe(7);
  });

  it('never lets a put failure carry the value in its message or cause', async () => {
    // Prepare
    const secret = 'hunter2-SUPER-secret-value';
    ssm.on(PutParameterCommand).rejects(serviceError('ValidationException', `Value '${secret}' failed`));

    // Act
    const error = await store
      .put('/config/staging/orders/db-password', secret, 'SecureString')
      .catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(ParameterStoreError);
    expect(
      JSON.stringify({ message: error.message, cause: String(error.cause), stack: error.stack }),
    ).not.toContain(secret);
  });

  it('treats deleting a parameter that is gone as done', async () => {
    // Prepare
    ssm.on(DeleteParameterCommand).rejects(new ParameterNotFound({ $metadata: {}, message: 'nope' }));

    // Act
    const result = store.delete('/config/staging/orders/gone');

    // Assess
    await expect(result).resolves.toBeUndefined();
    expect(ssm).toReceiveCommandWith(DeleteParameterCommand, { Name: '/config/staging/orders/gone' });
  });

  it('labels a version', async () => {
    // Prepare
    ssm.on(LabelParameterVersionCommand).resolves({ InvalidLabels: [], ParameterVersion: 3 });

    // Act
    await store.label('/config/staging/orders/max-retries', 3, ['last-known-good']);

    // Assess
    expect(ssm).toReceiveCommandWith(LabelParameterVersionCommand, {
      Name: '/config/staging/orders/max-retries',
      ParameterVersion: 3,
      Labels: ['last-known-good'],
    });
  });

  it('translates a missing version when labelling', async () => {
    // Prepare
    ssm
      .on(LabelParameterVersionCommand)
      .rejects(new ParameterVersionNotFound({ $metadata: {}, message: 'x' }));

    // Act
    const result = store.label('/config/staging/orders/max-retries', 99, ['last-known-good']);

    // Assess
    await expect(result).rejects.toBeInstanceOf(ParameterVersionNotFoundError);
  });

  it('reports labels SSM refused', async () => {
    // Prepare
    ssm.on(LabelParameterVersionCommand).resolves({ InvalidLabels: ['aws-reserved'] });

    // Act
    const result = store.label('/config/staging/orders/max-retries', 1, ['aws-reserved']);

    // Assess
    await expect(result).rejects.toThrow(/labels rejected.*aws-reserved/);
  });

  it('scans a path recursively through empty pages that still carry a NextToken', async () => {
    // Prepare
    ssm
      .on(GetParametersByPathCommand, { NextToken: undefined })
      .resolves({
        Parameters: [{ Name: '/config/staging/a', Value: '1', Type: 'String', Version: 1 }],
        NextToken: 't1',
      })
      .on(GetParametersByPathCommand, { NextToken: 't1' })
      .resolves({ Parameters: [], NextToken: 't2' })
      .on(GetParametersByPathCommand, { NextToken: 't2' })
      .resolves({
        Parameters: [{ Name: '/config/staging/b', Value: 'x', Type: 'SecureString', Version: 2 }],
      });

    // Act
    const parameters = await store.getByPath('/config/staging/', { decrypt: false });

    // Assess
    expect(ssm).toReceiveCommandTimes(GetParametersByPathCommand, 3);
    expect(ssm).toReceiveCommandWith(GetParametersByPathCommand, {
      Path: '/config/staging',
      Recursive: true,
      WithDecryption: false,
      MaxResults: 10,
    });
    expect(parameters.map((p) => p.name)).toEqual(['/config/staging/a', '/config/staging/b']);
  });

  it('finds labelled versions with a Label filter', async () => {
    // Prepare
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: '/config/staging/a', Version: 3 }] });

    // Act
    const labelled = await store.labelledVersions('/config/staging', 'last-known-good');

    // Assess
    expect(ssm).toReceiveCommandWith(GetParametersByPathCommand, {
      ParameterFilters: [{ Key: 'Label', Option: 'Equals', Values: ['last-known-good'] }],
    });
    expect([...labelled]).toEqual([['/config/staging/a', 3]]);
  });

  it('describes a path with a recursive Path filter, paginated', async () => {
    // Prepare
    ssm
      .on(DescribeParametersCommand, { NextToken: undefined })
      .resolves({ Parameters: [], NextToken: 'd1' })
      .on(DescribeParametersCommand, { NextToken: 'd1' })
      .resolves({
        Parameters: [
          {
            Name: '/config/staging/a',
            Type: 'String',
            Version: 2,
            LastModifiedUser: 'alice',
            Tier: 'Standard',
          },
        ],
      });

    // Act
    const metadata = await store.describe('/config/staging/');

    // Assess
    expect(ssm).toReceiveCommandWith(DescribeParametersCommand, {
      ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: ['/config/staging'] }],
      MaxResults: 50,
    });
    expect(ssm).toReceiveCommandTimes(DescribeParametersCommand, 2);
    expect(metadata).toEqual([
      expect.objectContaining({
        name: '/config/staging/a',
        version: 2,
        lastModifiedUser: 'alice',
        tier: 'Standard',
      }),
    ]);
  });

  it('reads many names ten per GetParameters request', async () => {
    // Prepare
    const names = Array.from({ length: 23 }, (_, i) => `/config/staging/s/${i}`);
    ssm.on(GetParametersCommand).callsFake(({ Names }: { Names: string[] }) => ({
      Parameters: Names.map((n) => ({ Name: n, Value: 'v', Type: 'SecureString', Version: 1 })),
      InvalidParameters: [],
    }));

    // Act
    const parameters = await store.getMany(names);

    // Assess
    expect(ssm).toReceiveCommandTimes(GetParametersCommand, 3);
    expect(ssm).toReceiveCommandWith(GetParametersCommand, { WithDecryption: true });
    expect(parameters).toHaveLength(23);
  });

  it('retries throttling and then succeeds', async () => {
    // Prepare
    ssm
      .on(GetParametersByPathCommand)
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .resolves({ Parameters: [{ Name: '/config/staging/a', Value: '1', Type: 'String', Version: 1 }] });
    const operations: string[] = [];
    store = new SsmParameterStore(new SSMClient({}), {
      sleep: noSleep,
      onRequest: (op) => operations.push(op),
    });

    // Act
    const parameters = await store.getByPath('/config/staging', { decrypt: false });

    // Assess
    expect(parameters).toHaveLength(1);
    expect(operations).toEqual(['GetParametersByPath', 'GetParametersByPath', 'GetParametersByPath']);
  });

  it('gives up on throttling after the bounded attempts with a translated error', async () => {
    // Prepare
    ssm.on(GetParameterCommand).rejects(serviceError('ThrottlingException'));
    store = new SsmParameterStore(new SSMClient({}), { sleep: noSleep, throttleAttempts: 3 });

    // Act
    const result = store.get('/config/staging/a');

    // Assess
    await expect(result).rejects.toBeInstanceOf(ParameterStoreThrottledError);
    expect(ssm).toReceiveCommandTimes(GetParameterCommand, 3);
  });

  it('translates access denied', async () => {
    // Prepare
    ssm.on(GetParametersByPathCommand).rejects(serviceError('AccessDeniedException'));

    // Act
    const result = store.getByPath('/config/production', { decrypt: true });

    // Assess
    await expect(result).rejects.toBeInstanceOf(ParameterAccessDeniedError);
  });

  it.each([
    ['LabelParameterVersion', 'ParameterNotFound', 'label', ParameterNotFoundError],
    ['GetParameter', 'KMSAccessDeniedException', 'get', ParameterAccessDeniedError],
    ['GetParameterHistory', 'AccessDeniedException', 'history', ParameterAccessDeniedError],
    ['GetParameterHistory', 'KMSAccessDeniedException', 'history', ParameterAccessDeniedError],
    ['GetParametersByPath', 'UnrecognizedClientException', 'getByPath', ParameterAccessDeniedError],
    ['GetParameterHistory', 'InvalidKeyId', 'history', ParameterDecryptionError],
    ['GetParametersByPath', 'InvalidKeyId', 'getByPath', ParameterDecryptionError],
    ['PutParameter', 'InvalidKeyId', 'put', ParameterRejectedError],
    ['PutParameter', 'ParameterLimitExceeded', 'put', ParameterRejectedError],
    ['PutParameter', 'ParameterMaxVersionLimitExceeded', 'put', ParameterRejectedError],
    ['PutParameter', 'HierarchyLevelLimitExceededException', 'put', ParameterRejectedError],
    ['PutParameter', 'UnsupportedParameterType', 'put', ParameterRejectedError],
    ['PutParameter', 'TooManyUpdates', 'put', ParameterStoreThrottledError],
    ['DescribeParameters', 'ThrottlingException', 'describe', ParameterStoreThrottledError],
    ['LabelParameterVersion', 'ParameterVersionNotFound', 'label', ParameterVersionNotFoundError],
    ['DeleteParameter', 'InternalServerError', 'delete', ParameterStoreError],
  ] as const)("translates %s's %s into the port error %#", async (operation, exception, method, expected) => {
    // Prepare
    ssm.onAnyCommand().rejects(serviceError(exception));
    store = new SsmParameterStore(new SSMClient({}), { sleep: noSleep, throttleAttempts: 1 });
    const calls: Record<typeof method, () => Promise<unknown>> = {
      get: () => store.get('/config/staging/a'),
      history: () => store.history('/config/staging/a'),
      getByPath: () => store.getByPath('/config/staging', { decrypt: true }),
      put: () => store.put('/config/staging/a', 'Tr0ub4dor&3', 'SecureString'),
      describe: () => store.describe('/config/staging'),
      label: () => store.label('/config/staging/a', 3, ['last-known-good']),
      delete: () => store.delete('/config/staging/a'),
    };

    // Act
    const error = await calls[method]().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(expected);
    expect(error).toMatchObject({ name: expected.name, operation });
    expect((error as Error).message).not.toContain('Tr0ub4dor&3');
  });

  it('translates any other failure into a ParameterStoreError naming the operation', async () => {
    // Prepare
    ssm.on(GetParameterCommand).rejects(serviceError('InternalServerError'));

    // Act
    const error = await store.get('/config/staging/a').catch((e) => e);

    // Assess
    expect(error).toBeInstanceOf(ParameterStoreError);
    expect(error.message).toBe('GetParameter on /config/staging/a failed: InternalServerError');
  });

  it('takes a limiter token before every request, pages included', async () => {
    // Prepare
    ssm
      .on(GetParametersByPathCommand, { NextToken: undefined })
      .resolves({ Parameters: [], NextToken: 't1' })
      .on(GetParametersByPathCommand, { NextToken: 't1' })
      .resolves({ Parameters: [] });
    let now = 0;
    const limiter = new RateLimiter({
      requestsPerSecond: 10,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });
    store = new SsmParameterStore(new SSMClient({}), { limiter });

    // Act
    await store.getByPath('/config/staging', { decrypt: false });

    // Assess
    expect(limiter.acquired).toBe(2);
    expect(now).toBe(100);
  });

  it('takes a read-limiter token before reads only, so a writer keeps its own write bound', async () => {
    // Prepare
    ssm.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    ssm.on(PutParameterCommand).resolves({ Version: 2 });
    const readLimiter = new RateLimiter({ requestsPerSecond: 4, now: () => 0, sleep: async () => undefined });
    store = new SsmParameterStore(new SSMClient({}), { readLimiter });

    // Act
    await store.getByPath('/config/staging', { decrypt: false });
    await store.put('/config/staging/a', '1', 'String');
    await store.put('/config/staging/b', '2', 'String');

    // Assess
    expect(readLimiter.acquired).toBe(1);
  });

  it('takes a write-limiter token before writes only: a label does not wait on the read before it', async () => {
    // Prepare
    ssm.on(GetParameterHistoryCommand).resolves({ Parameters: [] });
    ssm.on(LabelParameterVersionCommand).resolves({ InvalidLabels: [], ParameterVersion: 2 });
    let now = 0;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const readLimiter = new RateLimiter({ requestsPerSecond: 4, ...clock });
    const writeLimiter = new RateLimiter({ requestsPerSecond: 4, ...clock });
    store = new SsmParameterStore(new SSMClient({}), { readLimiter, writeLimiter });

    // Act
    await store.history('/config/staging/orders/max-retries');
    await store.label('/config/staging/orders/max-retries', 2, ['last-known-good']);

    // Assess
    expect(readLimiter.acquired).toBe(1);
    expect(writeLimiter.acquired).toBe(1);
    expect(now).toBe(0);
  });
});
