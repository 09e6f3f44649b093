import {
  DescribeSecretCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../../functions/ports/adapter-error.ts';
import { SecretInventoryError } from '../../functions/ports/drift.errors.ts';
import { SecretsManagerInventory } from '../../functions/adapters/secrets-manager-inventory.ts';

const sm = mockClient(SecretsManagerClient);

describe('Class: SecretsManagerInventory', () => {
  beforeEach(() => sm.reset());

  it('reads rotation metadata with DescribeSecret, never the value', async () => {
    // Prepare
    const rotated = new Date('2026-11-01T03:00:00Z');
    sm.on(DescribeSecretCommand, { SecretId: 'config/production/payments/provider-api-key' }).resolves({
      ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:config/production/payments/provider-api-key-AbCdEf',
      RotationEnabled: true,
      LastRotatedDate: rotated,
      RotationRules: { ScheduleExpression: 'cron(0 3 ? * SUN *)' },
      VersionIdsToStages: { v1: ['AWSCURRENT'], v0: ['AWSPREVIOUS'] },
    });
    const calls: string[] = [];

    // Act
    const [state] = await new SecretsManagerInventory(new SecretsManagerClient({}), {
      onRequest: (op) => calls.push(op),
    }).describe(['config/production/payments/provider-api-key']);

    // Assess
    expect(state).toMatchObject({
      exists: true,
      rotationEnabled: true,
      lastRotatedDate: rotated,
      lastRotationFailed: false,
      scheduleExpression: 'cron(0 3 ? * SUN *)',
    });
    expect(calls).toEqual(['DescribeSecret']);
    expect(sm.commandCalls(DescribeSecretCommand)).toHaveLength(1);
  });

  it('flags a stale AWSPENDING version as a failed rotation and turns days into a rate', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).resolves({
      RotationEnabled: true,
      RotationRules: { AutomaticallyAfterDays: 30 },
      VersionIdsToStages: { v1: ['AWSCURRENT'], v2: ['AWSPENDING'] },
    });

    // Act
    const [state] = await new SecretsManagerInventory(new SecretsManagerClient({})).describe(['s']);

    // Assess
    expect(state).toMatchObject({ lastRotationFailed: true, scheduleExpression: 'rate(30 days)' });
  });

  it('reports a missing or deleted secret as not existing', async () => {
    // Prepare
    sm.on(DescribeSecretCommand, { SecretId: 'gone' })
      .rejects(new ResourceNotFoundException({ $metadata: {}, message: 'no' }))
      .on(DescribeSecretCommand, { SecretId: 'deleted' })
      .resolves({ DeletedDate: new Date() });

    // Act
    const states = await new SecretsManagerInventory(new SecretsManagerClient({})).describe([
      'gone',
      'deleted',
    ]);

    // Assess
    expect(states.map((s) => s.exists)).toEqual([false, false]);
  });

  it('translates other failures', async () => {
    // Prepare
    sm.on(DescribeSecretCommand).rejects(
      new SecretsManagerServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: {} }),
    );

    // Act
    const result = new SecretsManagerInventory(new SecretsManagerClient({})).describe(['x']);

    // Assess
    await expect(result).rejects.toBeInstanceOf(AdapterError);
    await expect(result).rejects.toMatchObject({
      name: 'SecretInventoryError',
      secretName: 'x',
      message: 'DescribeSecret on x failed: AccessDeniedException',
    });
    await expect(result).rejects.toBeInstanceOf(SecretInventoryError);
  });
});
