/**
 * The `ValueFingerprinter` port on an AWS KMS HMAC key (`HMAC_256`, `GENERATE_VERIFY_MAC`) through
 * `GenerateMac`: the key material never leaves KMS, so no function, operator or reader of events
 * holds it, and every fingerprint is an audited API call. ThrottlingException is retried with backoff
 * on top of the SDK's own retries; every other KMS error comes out as a domain error naming the key.
 */
import { GenerateMacCommand, type KMSClient, type KMSClientConfig } from '@aws-sdk/client-kms';
import { fingerprintMessage, formatFingerprint } from '../core/fingerprint.ts';
import type { ValueFingerprinter } from '../ports/value-fingerprinter.ts';
import {
  FingerprintKeyUnusableError,
  FingerprintThrottledError,
  ValueFingerprintError,
} from '../ports/value-fingerprinter.errors.ts';

/**
 * Client settings: adaptive retry backs off on throttling by itself (GenerateMac shares the account's
 * symmetric cryptographic-operations quota with SecureString decryption). No endpoint:
 * `AWS_ENDPOINT_URL` is honoured by the SDK.
 */
export const FINGERPRINT_CLIENT_CONFIG: KMSClientConfig = { maxAttempts: 6, retryMode: 'adaptive' };

export interface KmsValueFingerprinterOptions {
  /** Attempts when KMS still answers ThrottlingException after the SDK's retries. @default 4 */
  readonly throttleAttempts?: number;
  /** Waits between throttled attempts; injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called once per GenerateMac request sent (for API call counts). */
  readonly onRequest?: () => void;
}

const UNUSABLE: Readonly<Record<string, string>> = {
  AccessDeniedException: 'access denied (kms:GenerateMac is not granted on this key to this role)',
  NotFoundException: 'the key or alias does not exist in this account and region',
  InvalidArnException: 'the key id is not a valid key ARN, key id or alias',
  DisabledException: 'the key is disabled',
  KMSInvalidStateException: 'the key is not enabled (pending deletion or import?)',
  InvalidKeyUsageException: 'the key is not an HMAC key with key usage GENERATE_VERIFY_MAC',
  UnsupportedOperationException: 'the key does not support HMAC_SHA_256',
};
const THROTTLING = new Set(['ThrottlingException', 'LimitExceededException']);

/**
 * @example
 * const fingerprinter = new KmsValueFingerprinter(new KMSClient(FINGERPRINT_CLIENT_CONFIG), keyArn);
 * await fingerprinter.fingerprint(secret); // 'hmac-sha256:9c1e…'
 */
export class KmsValueFingerprinter implements ValueFingerprinter {
  private readonly throttleAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: KMSClient,
    /** The key ARN, key id or alias (`alias/...`). */
    readonly keyId: string,
    private readonly options: KmsValueFingerprinterOptions = {},
  ) {
    this.throttleAttempts = Math.max(1, options.throttleAttempts ?? 4);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async fingerprint(value: string): Promise<string> {
    const command = new GenerateMacCommand({
      KeyId: this.keyId,
      MacAlgorithm: 'HMAC_SHA_256',
      Message: fingerprintMessage(value),
    });
    for (let attempt = 1; ; attempt++) {
      this.options.onRequest?.();
      try {
        const { Mac } = await this.client.send(command);
        if (!Mac || Mac.length !== 32) {
          throw new ValueFingerprintError(
            `GenerateMac with key ${this.keyId} returned no 32-byte MAC`,
            this.keyId,
          );
        }
        return formatFingerprint(Mac);
      } catch (error) {
        if (error instanceof ValueFingerprintError) throw error;
        const name = (error as { name?: string }).name ?? 'Error';
        if (THROTTLING.has(name) && attempt < this.throttleAttempts) {
          await this.sleep(Math.min(2000, 100 * 2 ** (attempt - 1)));
          continue;
        }
        throw this.translate(name, error);
      }
    }
  }

  private translate(name: string, cause: unknown): ValueFingerprintError {
    const reason = UNUSABLE[name];
    if (reason) return new FingerprintKeyUnusableError(this.keyId, reason, { cause });
    if (THROTTLING.has(name)) return new FingerprintThrottledError(this.keyId, { cause });
    return new ValueFingerprintError(`GenerateMac with key ${this.keyId} failed: ${name}`, this.keyId, {
      cause,
    });
  }
}
