import { createHmac } from 'node:crypto';
import { GenerateMacCommand, KMSClient, KMSServiceException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { KmsValueFingerprinter } from '../../functions/adapters/kms-value-fingerprinter.ts';
import { fingerprintMessage } from '../../functions/core/fingerprint.ts';
import {
  FingerprintKeyUnusableError,
  FingerprintThrottledError,
  ValueFingerprintError,
} from '../../functions/ports/value-fingerprinter.errors.ts';
import { describeValueFingerprinterContract } from '../contracts/value-fingerprinter.contract.ts';

const KEY_ARN = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const kms = mockClient(KMSClient);
const noSleep = async () => {};

function serviceError(name: string, message = 'boom'): KMSServiceException {
  return new KMSServiceException({ name, $fault: 'client', $metadata: {}, message });
}

/** KMS as far as GenerateMac goes: an HMAC under the key the test names, with KMS's message limit. */
function emulateKms(keys: Record<string, string>): void {
  kms
    .on(GenerateMacCommand)
    .callsFake((input: { KeyId: string; Message: Uint8Array; MacAlgorithm: string }) => {
      const key = keys[input.KeyId];
      if (!key) throw serviceError('NotFoundException');
      if (input.Message.length > 4096) throw serviceError('ValidationException', 'Message too long');
      return {
        KeyId: input.KeyId,
        MacAlgorithm: input.MacAlgorithm,
        Mac: createHmac('sha256', key).update(input.Message).digest(),
      };
    });
}

describeValueFingerprinterContract('KmsValueFingerprinter', (key) => {
  kms.reset();
  emulateKms({ 'alias/one': 'key-one', 'alias/two': 'key-two' });
  // Each contract test makes at most two fingerprinters (keys one and two); both resolve here.
  return new KmsValueFingerprinter(new KMSClient({}), key === 'key-one' ? 'alias/one' : 'alias/two');
});

describe('Class: KmsValueFingerprinter', () => {
  beforeEach(() => {
    kms.reset();
  });

  it('sends GenerateMac with the key, HMAC_SHA_256 and the SHA-256 digest of the value as message', async () => {
    // Prepare
    emulateKms({ [KEY_ARN]: 'k' });
    const fingerprinter = new KmsValueFingerprinter(new KMSClient({}), KEY_ARN);

    // Act
    await fingerprinter.fingerprint('Tr0ub4dor&3');

    // Assess
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 1);
    expect(kms).toHaveReceivedCommandWith(GenerateMacCommand, {
      KeyId: KEY_ARN,
      MacAlgorithm: 'HMAC_SHA_256',
      Message: fingerprintMessage('Tr0ub4dor&3'),
    });
  });

  it('retries ThrottlingException with backoff, then succeeds', async () => {
    // Prepare
    const sleeps: number[] = [];
    kms
      .on(GenerateMacCommand)
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(serviceError('ThrottlingException', 'Rate exceeded'))
      .resolves({ Mac: new Uint8Array(32).fill(7) });
    const fingerprinter = new KmsValueFingerprinter(new KMSClient({}), KEY_ARN, {
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

    // Act
    const fingerprint = await fingerprinter.fingerprint('v');

    // Assess
    expect(fingerprint).toBe(`hmac-sha256:${'07'.repeat(32)}`);
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up on throttling after its attempts with FingerprintThrottledError', async () => {
    // Prepare
    kms.on(GenerateMacCommand).rejects(serviceError('ThrottlingException'));
    const fingerprinter = new KmsValueFingerprinter(new KMSClient({}), KEY_ARN, {
      sleep: noSleep,
      throttleAttempts: 3,
    });

    // Act
    const result = fingerprinter.fingerprint('v');

    // Assess
    await expect(result).rejects.toBeInstanceOf(FingerprintThrottledError);
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 3);
  });

  it.each([
    ['AccessDeniedException', 'access denied'],
    ['NotFoundException', 'does not exist'],
    ['DisabledException', 'disabled'],
    ['KMSInvalidStateException', 'not enabled'],
    ['InvalidKeyUsageException', 'GENERATE_VERIFY_MAC'],
  ])('translates %s into FingerprintKeyUnusableError naming the key, not retried', async (name, reason) => {
    // Prepare
    kms.on(GenerateMacCommand).rejects(serviceError(name));
    const fingerprinter = new KmsValueFingerprinter(new KMSClient({}), KEY_ARN, { sleep: noSleep });

    // Act
    const error = (await fingerprinter.fingerprint('Sup3rS3cret!').catch((e: unknown) => e)) as Error;

    // Assess
    expect(error).toBeInstanceOf(FingerprintKeyUnusableError);
    expect(error.message).toContain(KEY_ARN);
    expect(error.message).toContain(reason);
    expect(error.message).not.toContain('Sup3rS3cret!');
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 1);
  });

  it('translates any other failure into ValueFingerprintError with the error name', async () => {
    // Prepare
    kms.on(GenerateMacCommand).rejects(serviceError('KMSInternalException'));
    const fingerprinter = new KmsValueFingerprinter(new KMSClient({}), KEY_ARN, { sleep: noSleep });

    // Act
    const error = (await fingerprinter.fingerprint('v').catch((e: unknown) => e)) as Error;

    // Assess
    expect(error).toBeInstanceOf(ValueFingerprintError);
    expect(error.message).toBe(`GenerateMac with key ${KEY_ARN} failed: KMSInternalException`);
  });

  it('refuses an answer without a 32-byte MAC', async () => {
    // Prepare
    kms.on(GenerateMacCommand).resolves({ Mac: new Uint8Array(20) });
    const fingerprinter = new KmsValueFingerprinter(new KMSClient({}), KEY_ARN);

    // Act
    const result = fingerprinter.fingerprint('v');

    // Assess
    await expect(result).rejects.toThrow('returned no 32-byte MAC');
  });

  it('counts every request it sends', async () => {
    // Prepare
    let requests = 0;
    kms
      .on(GenerateMacCommand)
      .rejectsOnce(serviceError('ThrottlingException'))
      .resolves({ Mac: new Uint8Array(32) });
    const fingerprinter = new KmsValueFingerprinter(new KMSClient({}), KEY_ARN, {
      sleep: noSleep,
      onRequest: () => {
        requests += 1;
      },
    });

    // Act
    await fingerprinter.fingerprint('v');

    // Assess
    expect(requests).toBe(2);
  });
});
