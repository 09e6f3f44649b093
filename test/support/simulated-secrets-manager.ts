/**
 * Secrets Manager behind aws-sdk-client-mock, for the contract suites: the four commands
 * `SecretsManagerSecretStore` sends are answered from an `InMemorySecretStore` (the one model of
 * versions and staging labels the tests keep), and its refusals come back as the exceptions AWS
 * documents for each command, so the adapter's requests and its error translation are what is tested.
 */
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  SecretsManagerServiceException,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import {
  InvalidSecretRequestError,
  SecretNotFoundError,
  SecretVersionConflictError,
} from '../../functions/ports/secret-store.errors.ts';
import { InMemorySecretStore } from './in-memory-secret-store.ts';

/** The exception AWS answers with, for each refusal the model raises. */
function asServiceException(error: unknown): unknown {
  const name =
    error instanceof SecretNotFoundError
      ? 'ResourceNotFoundException'
      : error instanceof SecretVersionConflictError
        ? 'ResourceExistsException'
        : error instanceof InvalidSecretRequestError
          ? 'InvalidRequestException'
          : undefined;
  if (!name) return error;
  return new SecretsManagerServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: (error as Error).message,
  });
}

async function answered<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw asServiceException(error);
  }
}

export class SimulatedSecretsManager {
  /** The secrets' state; create secrets and begin rotations through it. */
  readonly state = new InMemorySecretStore();

  client(): SecretsManagerClient {
    const client = new SecretsManagerClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const mock = mockClient(client);
    mock.on(DescribeSecretCommand).callsFake((input) =>
      answered(async () => {
        const description = await this.state.describe(input.SecretId!);
        return {
          ARN: description.arn,
          Name: description.name,
          RotationEnabled: description.rotationEnabled,
          VersionIdsToStages: description.versions,
        };
      }),
    );
    mock.on(GetSecretValueCommand).callsFake((input) =>
      answered(async () => {
        const selector =
          input.VersionId !== undefined
            ? { versionId: input.VersionId, ...(input.VersionStage ? { stage: input.VersionStage } : {}) }
            : { stage: input.VersionStage ?? 'AWSCURRENT' };
        const version = await this.state.getValue(input.SecretId!, selector);
        return {
          VersionId: version.versionId,
          SecretString: version.value,
          VersionStages: [...version.stages],
          CreatedDate: version.createdDate,
        };
      }),
    );
    mock.on(PutSecretValueCommand).callsFake((input) =>
      answered(async () => {
        await this.state.putPendingValue(input.SecretId!, input.ClientRequestToken!, input.SecretString!);
        return { VersionId: input.ClientRequestToken, VersionStages: input.VersionStages };
      }),
    );
    mock.on(UpdateSecretVersionStageCommand).callsFake((input) =>
      answered(async () => {
        await this.state.moveStage(input.SecretId!, input.VersionStage!, {
          ...(input.MoveToVersionId !== undefined ? { to: input.MoveToVersionId } : {}),
          ...(input.RemoveFromVersionId !== undefined ? { from: input.RemoveFromVersionId } : {}),
        });
        return {};
      }),
    );
    return client;
  }
}
