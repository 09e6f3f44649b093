import {
  DescribeSecretCommand,
  type DescribeSecretResponse,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { SecretsManagerInventory } from '../../functions/adapters/secrets-manager-inventory.ts';
import { InMemorySecretInventory } from '../support/in-memory-secret-inventory.ts';
import { describeSecretInventoryContract } from './secret-inventory.contract.ts';

describeSecretInventoryContract('InMemorySecretInventory', () => {
  const inventory = new InMemorySecretInventory();
  return {
    inventory,
    seed: (name, { deleted, ...state }) => inventory.seed(name, { ...state, exists: !deleted }),
  };
});

describeSecretInventoryContract('SecretsManagerInventory', () => {
  // DescribeSecret as Secrets Manager answers it: metadata, version stages, DeletedDate while pending deletion.
  const secrets = new Map<string, DescribeSecretResponse>();
  const client = new SecretsManagerClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  mockClient(client)
    .on(DescribeSecretCommand)
    .callsFake(async ({ SecretId }: { SecretId: string }) => {
      const secret = secrets.get(SecretId);
      if (!secret) throw new ResourceNotFoundException({ message: 'not found', $metadata: {} });
      return secret;
    });
  return {
    inventory: new SecretsManagerInventory(client),
    seed: (name, seed) =>
      secrets.set(name, {
        ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`,
        Name: name,
        RotationEnabled: seed.rotationEnabled,
        ...(seed.scheduleExpression
          ? { RotationRules: { ScheduleExpression: seed.scheduleExpression } }
          : {}),
        LastRotatedDate: seed.lastRotatedDate,
        DeletedDate: seed.deleted ? new Date('2026-11-20T00:00:00Z') : undefined,
        VersionIdsToStages: seed.lastRotationFailed
          ? { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] }
          : { v1: ['AWSCURRENT'], v0: ['AWSPREVIOUS'] },
      }),
  };
});
