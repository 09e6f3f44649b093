/**
 * The drift job's `SecretInventory` over Secrets Manager: one DescribeSecret per managed secret
 * (metadata only, never GetSecretValue). A stale AWSPENDING version, one that is not also AWSCURRENT,
 * is what a failed rotation leaves behind.
 */
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretInventory, SecretRotationState } from '../ports/drift.ts';
import { SecretInventoryError } from '../ports/drift.errors.ts';
import type { RequestGate } from './ssm-parameter-store.ts';

/**
 * @example
 * const inventory = new SecretsManagerInventory(new SecretsManagerClient({}));
 * const states = await inventory.describe(['config/production/payments/provider-api-key']);
 */
export class SecretsManagerInventory implements SecretInventory {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly options: { limiter?: RequestGate; onRequest?: (operation: string) => void } = {},
  ) {}

  async describe(names: readonly string[]): Promise<SecretRotationState[]> {
    const states: SecretRotationState[] = [];
    for (const name of names) states.push(await this.describeOne(name));
    return states;
  }

  private async describeOne(name: string): Promise<SecretRotationState> {
    await this.options.limiter?.acquire();
    this.options.onRequest?.('DescribeSecret');
    try {
      const secret = await this.client.send(new DescribeSecretCommand({ SecretId: name }));
      if (secret.DeletedDate) return { name, exists: false, arn: secret.ARN };
      const stages = Object.values(secret.VersionIdsToStages ?? {});
      return {
        name,
        exists: true,
        arn: secret.ARN,
        rotationEnabled: secret.RotationEnabled ?? false,
        createdDate: secret.CreatedDate,
        lastRotatedDate: secret.LastRotatedDate,
        nextRotationDate: secret.NextRotationDate,
        lastRotationFailed: stages.some(
          (labels) => labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT'),
        ),
        scheduleExpression:
          secret.RotationRules?.ScheduleExpression ??
          (secret.RotationRules?.AutomaticallyAfterDays
            ? `rate(${secret.RotationRules.AutomaticallyAfterDays} days)`
            : undefined),
      };
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return { name, exists: false };
      throw new SecretInventoryError(`DescribeSecret on ${name} failed: ${(error as Error).name}`, name, {
        cause: error,
      });
    }
  }
}
