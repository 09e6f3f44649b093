import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { StsCallerIdentity } from '../../functions/adapters/sts-caller-identity.ts';
import { CallerIdentityError } from '../../functions/ports/caller-identity.errors.ts';
import { AdapterError } from '../../functions/ports/adapter-error.ts';

const sts = mockClient(STSClient);
const client = new STSClient({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});

describe('Class: StsCallerIdentity', () => {
  beforeEach(() => sts.reset());

  it("answers the caller's ARN from GetCallerIdentity", async () => {
    // Prepare
    sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::123456789012:assumed-role/oncall/alice' });

    // Act
    const arn = await new StsCallerIdentity(client).callerArn();

    // Assess
    expect(arn).toBe('arn:aws:sts::123456789012:assumed-role/oncall/alice');
    expect(sts).toReceiveCommandTimes(GetCallerIdentityCommand, 1);
  });

  it('translates a failure into an adapter error naming the call', async () => {
    // Prepare
    sts
      .on(GetCallerIdentityCommand)
      .rejects(Object.assign(new Error('x'), { name: 'ExpiredTokenException' }));

    // Act
    const asking = new StsCallerIdentity(client).callerArn();

    // Assess
    await expect(asking).rejects.toThrow(CallerIdentityError);
    await expect(asking).rejects.toThrow(AdapterError);
    await expect(asking).rejects.toThrow('GetCallerIdentity failed: ExpiredTokenException');
  });

  it('refuses an answer without an ARN', async () => {
    // Prepare
    sts.on(GetCallerIdentityCommand).resolves({});

    // Act, Assess
    await expect(new StsCallerIdentity(client).callerArn()).rejects.toThrow(
      'GetCallerIdentity returned no ARN',
    );
  });
});
