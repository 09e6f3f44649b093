/**
 * The `CallerIdentity` port on STS `GetCallerIdentity`, which every principal may call: no IAM
 * permission is needed, so naming the actor never stands between an operator and a flip.
 */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import type { CallerIdentity } from '../ports/caller-identity.ts';
import { CallerIdentityError } from '../ports/caller-identity.errors.ts';

/**
 * @example
 * const actor = await new StsCallerIdentity(new STSClient({})).callerArn(); // 'arn:aws:sts::123456789012:assumed-role/oncall/alice'
 */
export class StsCallerIdentity implements CallerIdentity {
  constructor(private readonly client: STSClient) {}

  async callerArn(): Promise<string> {
    let arn: string | undefined;
    try {
      arn = (await this.client.send(new GetCallerIdentityCommand({}))).Arn;
    } catch (error) {
      throw new CallerIdentityError(`GetCallerIdentity failed: ${(error as Error).name ?? 'Error'}`, {
        cause: error,
      });
    }
    if (!arn) throw new CallerIdentityError('GetCallerIdentity returned no ARN');
    return arn;
  }
}
