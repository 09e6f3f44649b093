/**
 * SecretStore on AWS Secrets Manager. Throttling is retried by the SDK's own retry strategy (give the
 * client `maxAttempts` to tune it); what is left after the retries becomes a domain error.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { SecretShapeError } from '../core/rotation/errors.ts';
import {
  InvalidSecretRequestError,
  SecretAccessDeniedError,
  SecretNotFoundError,
  SecretStoreError,
  SecretStoreThrottledError,
  SecretVersionConflictError,
} from '../ports/secret-store.errors.ts';
import {
  AWSPENDING,
  type SecretDescription,
  type SecretStore,
  type SecretVersion,
  type VersionSelector,
} from '../ports/secret-store.ts';

/**
 * @example
 * const store = new SecretsManagerSecretStore(new SecretsManagerClient({}));
 * const { versions } = await store.describe(secretArn);
 */
export class SecretsManagerSecretStore implements SecretStore {
  constructor(private readonly client: SecretsManagerClient) {}

  async describe(secretId: string): Promise<SecretDescription> {
    const output = await this.call('DescribeSecret', secretId, () =>
      this.client.send(new DescribeSecretCommand({ SecretId: secretId })),
    );
    if (output.DeletedDate) {
      throw new InvalidSecretRequestError(`DescribeSecret ${secretId}: the secret is scheduled for deletion`);
    }
    return {
      arn: output.ARN ?? secretId,
      name: output.Name ?? secretId,
      rotationEnabled: output.RotationEnabled ?? false,
      versions: output.VersionIdsToStages ?? {},
    };
  }

  async getValue(secretId: string, selector: VersionSelector): Promise<SecretVersion> {
    const output = await this.call('GetSecretValue', secretId, () =>
      this.client.send(
        new GetSecretValueCommand({
          SecretId: secretId,
          ...(selector.versionId !== undefined ? { VersionId: selector.versionId } : {}),
          ...(selector.stage !== undefined ? { VersionStage: selector.stage } : {}),
        }),
      ),
    );
    if (output.SecretString === undefined) {
      throw new SecretShapeError(
        `GetSecretValue ${secretId}: the version holds binary data; rotation needs SecretString`,
      );
    }
    return {
      versionId: output.VersionId ?? selector.versionId ?? '',
      value: output.SecretString,
      stages: output.VersionStages ?? [],
      ...(output.CreatedDate ? { createdDate: output.CreatedDate } : {}),
    };
  }

  async putPendingValue(
    secretId: string,
    versionId: string,
    value: string,
    rotationToken?: string,
  ): Promise<void> {
    await this.call('PutSecretValue', secretId, () =>
      this.client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: versionId,
          SecretString: value,
          VersionStages: [AWSPENDING],
          ...(rotationToken ? { RotationToken: rotationToken } : {}),
        }),
      ),
    );
  }

  async moveStage(secretId: string, stage: string, move: { to?: string; from?: string }): Promise<void> {
    await this.call('UpdateSecretVersionStage', secretId, () =>
      this.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: stage,
          ...(move.to !== undefined ? { MoveToVersionId: move.to } : {}),
          ...(move.from !== undefined ? { RemoveFromVersionId: move.from } : {}),
        }),
      ),
    );
  }

  private async call<T>(operation: string, secretId: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw translate(operation, secretId, error);
    }
  }
}

/** SDK exceptions to domain errors. AWS's messages name secrets and versions, never values. */
function translate(operation: string, secretId: string, error: unknown): Error {
  const name = error instanceof Error ? error.name : 'UnknownError';
  const message = `${operation} ${secretId}: ${name}: ${error instanceof Error ? error.message : String(error)}`;
  switch (name) {
    case 'ResourceNotFoundException':
      return new SecretNotFoundError(message, { cause: error });
    case 'ResourceExistsException':
      return new SecretVersionConflictError(message, { cause: error });
    case 'InvalidRequestException':
    case 'InvalidParameterException':
    case 'PreconditionNotMetException':
      return new InvalidSecretRequestError(message, { cause: error });
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnrecognizedClientException':
      return new SecretAccessDeniedError(message, { cause: error });
  }
  const throttled =
    /Throttl|TooManyRequests/.test(name) ||
    (error as { $retryable?: { throttling?: boolean } }).$retryable?.throttling === true;
  if (throttled) return new SecretStoreThrottledError(message, { cause: error });
  return new SecretStoreError(message, { cause: error });
}
