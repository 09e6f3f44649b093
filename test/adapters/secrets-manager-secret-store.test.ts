import { Readable } from 'node:stream';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerSecretStore } from '../../functions/adapters/secrets-manager-secret-store.ts';
import {
  InvalidSecretRequestError,
  SecretAccessDeniedError,
  SecretNotFoundError,
  SecretStoreError,
  SecretStoreThrottledError,
  SecretVersionConflictError,
} from '../../functions/ports/secret-store.errors.ts';
import { SecretShapeError } from '../../functions/core/rotation/errors.ts';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:config/production/orders/db-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);

function serviceError(name: string, message: string, extra: object = {}) {
  return new SecretsManagerServiceException({ name, message, $fault: 'client', $metadata: {}, ...extra });
}

describe('Class: SecretsManagerSecretStore', () => {
  const store = new SecretsManagerSecretStore(new SecretsManagerClient({}));

  beforeEach(() => {
    secretsManager.reset();
  });

  it('describes a secret: name, ARN, rotation and version labels', async () => {
    // Prepare
    secretsManager.on(DescribeSecretCommand).resolves({
      ARN,
      Name: 'config/production/orders/db',
      RotationEnabled: true,
      VersionIdsToStages: { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] },
    });

    // Act
    const description = await store.describe(ARN);

    // Assess
    expect(secretsManager).toReceiveCommandWith(DescribeSecretCommand, { SecretId: ARN });
    expect(description).toEqual({
      arn: ARN,
      name: 'config/production/orders/db',
      rotationEnabled: true,
      versions: { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] },
    });
  });

  it('treats a secret without rotation configured as rotation disabled', async () => {
    // Prepare
    secretsManager.on(DescribeSecretCommand).resolves({ ARN, Name: 'n' });

    // Act
    const description = await store.describe(ARN);

    // Assess
    expect(description).toMatchObject({ rotationEnabled: false, versions: {} });
  });

  it('refuses a secret scheduled for deletion', async () => {
    // Prepare
    secretsManager.on(DescribeSecretCommand).resolves({ ARN, Name: 'n', DeletedDate: new Date() });

    // Act & Assess
    await expect(store.describe(ARN)).rejects.toThrow(InvalidSecretRequestError);
  });

  it('reads a version by id and stage', async () => {
    // Prepare
    const created = new Date('2026-11-23T03:00:00Z');
    secretsManager.on(GetSecretValueCommand).resolves({
      ARN,
      VersionId: 'v2',
      SecretString: '{"password":"x"}',
      VersionStages: ['AWSPENDING'],
      CreatedDate: created,
    });

    // Act
    const version = await store.getValue(ARN, { versionId: 'v2', stage: 'AWSPENDING' });

    // Assess
    expect(secretsManager).toReceiveCommandWith(GetSecretValueCommand, {
      SecretId: ARN,
      VersionId: 'v2',
      VersionStage: 'AWSPENDING',
    });
    expect(version).toEqual({
      versionId: 'v2',
      value: '{"password":"x"}',
      stages: ['AWSPENDING'],
      createdDate: created,
    });
  });

  it('reads the version holding a stage, sending no VersionId', async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ VersionId: 'v1', SecretString: 's', VersionStages: ['AWSCURRENT'] });

    // Act
    await store.getValue(ARN, { stage: 'AWSCURRENT' });

    // Assess
    const input = secretsManager.commandCalls(GetSecretValueCommand)[0]?.args[0].input;
    expect(input).toEqual({ SecretId: ARN, VersionStage: 'AWSCURRENT' });
  });

  it('refuses a binary secret', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ VersionId: 'v1', SecretBinary: new Uint8Array([1]) });

    // Act & Assess
    await expect(store.getValue(ARN, { versionId: 'v1' })).rejects.toThrow(SecretShapeError);
  });

  it('translates a missing version into SecretNotFoundError', async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).rejects(
      new ResourceNotFoundException({
        message: "Secrets Manager can't find the specified secret value",
        $metadata: {},
      }),
    );

    // Act
    const attempt = store.getValue(ARN, { versionId: 'v9' });

    // Assess
    await expect(attempt).rejects.toThrow(SecretNotFoundError);
    await expect(attempt).rejects.toThrow(`GetSecretValue ${ARN}: ResourceNotFoundException`);
  });

  it('puts the pending value with ClientRequestToken, RotationToken and AWSPENDING', async () => {
    // Prepare
    secretsManager.on(PutSecretValueCommand).resolves({ VersionId: 'v2' });

    // Act
    await store.putPendingValue(ARN, 'v2', '{"password":"new"}', 'rotation-token');

    // Assess
    expect(secretsManager).toReceiveCommandExactlyOnceWith(PutSecretValueCommand, {
      SecretId: ARN,
      ClientRequestToken: 'v2',
      SecretString: '{"password":"new"}',
      VersionStages: ['AWSPENDING'],
      RotationToken: 'rotation-token',
    });
  });

  it('sends no RotationToken when there is none', async () => {
    // Prepare
    secretsManager.on(PutSecretValueCommand).resolves({});

    // Act
    await store.putPendingValue(ARN, 'v2', 'value');

    // Assess
    expect(secretsManager.commandCalls(PutSecretValueCommand)[0]?.args[0].input).not.toHaveProperty(
      'RotationToken',
    );
  });

  it('translates a version that already holds another value into SecretVersionConflictError', async () => {
    // Prepare
    secretsManager.on(PutSecretValueCommand).rejects(
      new ResourceExistsException({
        message: 'A resource with the ID you requested already exists.',
        $metadata: {},
      }),
    );

    // Act & Assess
    await expect(store.putPendingValue(ARN, 'v2', 'other')).rejects.toThrow(SecretVersionConflictError);
  });

  it('moves a stage from one version to another', async () => {
    // Prepare
    secretsManager.on(UpdateSecretVersionStageCommand).resolves({ ARN });

    // Act
    await store.moveStage(ARN, 'AWSCURRENT', { to: 'v2', from: 'v1' });

    // Assess
    expect(secretsManager).toReceiveCommandExactlyOnceWith(UpdateSecretVersionStageCommand, {
      SecretId: ARN,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: 'v2',
      RemoveFromVersionId: 'v1',
    });
  });

  it('removes a stage without moving it', async () => {
    // Prepare
    secretsManager.on(UpdateSecretVersionStageCommand).resolves({ ARN });

    // Act
    await store.moveStage(ARN, 'AWSPENDING', { from: 'v3' });

    // Assess
    expect(secretsManager.commandCalls(UpdateSecretVersionStageCommand)[0]?.args[0].input).toEqual({
      SecretId: ARN,
      VersionStage: 'AWSPENDING',
      RemoveFromVersionId: 'v3',
    });
  });

  it.each([
    [
      'InvalidParameterException',
      new InvalidParameterException({ message: 'label attached elsewhere', $metadata: {} }),
      InvalidSecretRequestError,
    ],
    [
      'InvalidRequestException',
      new InvalidRequestException({ message: 'secret is deleted', $metadata: {} }),
      InvalidSecretRequestError,
    ],
    [
      'AccessDeniedException',
      serviceError('AccessDeniedException', 'not authorized'),
      SecretAccessDeniedError,
    ],
    [
      'ThrottlingException',
      serviceError('ThrottlingException', 'Rate exceeded', { $retryable: { throttling: true } }),
      SecretStoreThrottledError,
    ],
    ['InternalServiceError', serviceError('InternalServiceError', 'boom'), SecretStoreError],
  ])('translates %s left after the SDK retries', async (_name, error, expected) => {
    // Prepare
    secretsManager.on(UpdateSecretVersionStageCommand).rejects(error);

    // Act
    const attempt = store.moveStage(ARN, 'AWSCURRENT', { to: 'v2', from: 'v1' });

    // Assess
    await expect(attempt).rejects.toThrow(expected);
    await expect(attempt).rejects.toMatchObject({ cause: error });
  });

  it('translates throttling on every call, not only stage moves', async () => {
    // Prepare
    const throttled = serviceError('ThrottlingException', 'Rate exceeded');
    secretsManager.on(DescribeSecretCommand).rejects(throttled);
    secretsManager.on(GetSecretValueCommand).rejects(throttled);
    secretsManager.on(PutSecretValueCommand).rejects(throttled);

    // Act & Assess
    await expect(store.describe(ARN)).rejects.toThrow(SecretStoreThrottledError);
    await expect(store.getValue(ARN, { stage: 'AWSCURRENT' })).rejects.toThrow(SecretStoreThrottledError);
    await expect(store.putPendingValue(ARN, 'v2', 'x')).rejects.toThrow(SecretStoreThrottledError);
  });
});

describe('Class: SecretsManagerSecretStore with the SDK retry strategy', () => {
  // The mock above replaces send() itself, retries included; this block talks to the real client.
  beforeAll(() => {
    secretsManager.restore();
  });

  it('succeeds when Secrets Manager throttles once: the SDK retries', async () => {
    // Prepare: a transport answering ThrottlingException, then the secret
    const responses = [
      {
        statusCode: 400,
        type: 'ThrottlingException',
        body: { __type: 'ThrottlingException', message: 'Rate exceeded' },
      },
      {
        statusCode: 200,
        body: { ARN, Name: 'config/production/orders/db', RotationEnabled: true, VersionIdsToStages: {} },
      },
    ];
    let requests = 0;
    const client = new SecretsManagerClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 3,
      requestHandler: {
        handle: async () => {
          const next = responses[Math.min(requests++, responses.length - 1)] as (typeof responses)[number];
          return {
            response: {
              statusCode: next.statusCode,
              reason: '',
              headers: {
                'content-type': 'application/x-amz-json-1.1',
                ...('type' in next ? { 'x-amzn-errortype': next.type as string } : {}),
              },
              body: Readable.from([Buffer.from(JSON.stringify(next.body))]),
            },
          };
        },
      } as never,
    });
    const store = new SecretsManagerSecretStore(client);

    // Act
    const description = await store.describe(ARN);

    // Assess
    expect(requests).toBe(2);
    expect(description.name).toBe('config/production/orders/db');
  });
});
