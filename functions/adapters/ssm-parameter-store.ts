/**
 * The `ParameterStore` port over `@aws-sdk/client-ssm`. Every request (each page counts) first takes a
 * token from an optional rate limiter; ThrottlingException is retried with backoff on top of the SDK's
 * own retries, so a throttled page slows a scan down instead of failing it. SDK exceptions come out as
 * the port's errors (`ports/parameter-store.errors.ts`), whose messages name the parameter and never
 * carry its value. It is also the drift job's bulk reader (`DriftParameterSource`).
 */
import {
  DeleteParameterCommand,
  DescribeParametersCommand,
  type DescribeParametersCommandOutput,
  GetParameterCommand,
  GetParameterHistoryCommand,
  type GetParameterHistoryCommandOutput,
  GetParametersByPathCommand,
  type GetParametersByPathCommandOutput,
  GetParametersCommand,
  LabelParameterVersionCommand,
  type Parameter,
  type ParameterMetadata as ParameterMetadataEntry,
  PutParameterCommand,
  type SSMClient,
  type SSMClientConfig,
} from '@aws-sdk/client-ssm';
import type { ParameterType } from '../core/keys.ts';
import type { DriftParameterSource } from '../ports/drift.ts';
import type {
  ParameterMetadata,
  ParameterStore,
  ParameterVersion,
  StoredParameter,
} from '../ports/parameter-store.ts';
import {
  ParameterAccessDeniedError,
  ParameterDecryptionError,
  ParameterNotFoundError,
  ParameterRejectedError,
  ParameterStoreError,
  ParameterStoreThrottledError,
  ParameterVersionNotFoundError,
} from '../ports/parameter-store.errors.ts';

/**
 * Client settings for bulk readers (the drift job, `steward drift`): adaptive retry lets the SDK back
 * off on ThrottlingException by itself. No endpoint: `AWS_ENDPOINT_URL` is honoured by the SDK.
 *
 * @example
 * const store = new SsmParameterStore(new SSMClient(BULK_READ_CLIENT_CONFIG), { limiter });
 */
export const BULK_READ_CLIENT_CONFIG: SSMClientConfig = { maxAttempts: 8, retryMode: 'adaptive' };

/** Something that lets one request through at a time, e.g. {@link RateLimiter}. */
export interface RequestGate {
  acquire(): Promise<void>;
}

export interface SsmParameterStoreOptions {
  /** Taken once before every SSM request, pages included. */
  readonly limiter?: RequestGate;
  /**
   * Taken once before every read request (the calls Parameter Store's shared read throughput counts),
   * pages included: for a writer whose writes have their own bound (the reconcile).
   */
  readonly readLimiter?: RequestGate;
  /**
   * Taken once before every write request (labels, restores, puts): a bound of its own, so the label a
   * change earns does not queue behind the read that judged it (validate-change: read budget + this).
   */
  readonly writeLimiter?: RequestGate;
  /** Called once per request sent, with the SSM operation name (for metrics). */
  readonly onRequest?: (operation: string) => void;
  /** Attempts per request when SSM still answers ThrottlingException after the SDK's retries. @default 5 */
  readonly throttleAttempts?: number;
  /** Waits between throttled attempts; injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const HISTORY_PAGE = 50;
const PATH_PAGE = 10;
const DESCRIBE_PAGE = 50;
const GET_MANY_BATCH = 10;
const THROTTLING = new Set(['ThrottlingException', 'TooManyUpdates', 'ThrottledException']);
const READS = new Set([
  'GetParameter',
  'GetParameters',
  'GetParameterHistory',
  'GetParametersByPath',
  'DescribeParameters',
]);

/**
 * @example
 * const store = new SsmParameterStore(new SSMClient({}));
 * const current = await store.get('/config/production/orders/max-retries');
 */
export class SsmParameterStore implements ParameterStore, Omit<DriftParameterSource, 'overridesUnder'> {
  private readonly throttleAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    protected readonly client: SSMClient,
    private readonly options: SsmParameterStoreOptions = {},
  ) {
    this.throttleAttempts = options.throttleAttempts ?? 5;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async get(name: string): Promise<StoredParameter | undefined> {
    try {
      const { Parameter } = await this.send('GetParameter', name, () =>
        this.client.send(new GetParameterCommand({ Name: name, WithDecryption: true })),
      );
      return Parameter ? toStored(Parameter) : undefined;
    } catch (error) {
      if (error instanceof ParameterNotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * Current values of up to any number of names, decrypted, ten per GetParameters request. Names that do
   * not exist are left out of the result.
   */
  async getMany(names: readonly string[]): Promise<StoredParameter[]> {
    const result: StoredParameter[] = [];
    for (let i = 0; i < names.length; i += GET_MANY_BATCH) {
      const batch = names.slice(i, i + GET_MANY_BATCH);
      const { Parameters = [] } = await this.send('GetParameters', batch[0] ?? '', () =>
        this.client.send(new GetParametersCommand({ Names: batch, WithDecryption: true })),
      );
      result.push(...Parameters.map(toStored));
    }
    return result;
  }

  async history(name: string): Promise<ParameterVersion[]> {
    const versions: ParameterVersion[] = [];
    let token: string | undefined;
    try {
      do {
        const page: GetParameterHistoryCommandOutput = await this.send('GetParameterHistory', name, () =>
          this.client.send(
            new GetParameterHistoryCommand({
              Name: name,
              WithDecryption: true,
              MaxResults: HISTORY_PAGE,
              NextToken: token,
            }),
          ),
        );
        for (const entry of page.Parameters ?? []) {
          versions.push({
            name: entry.Name ?? name,
            value: entry.Value ?? '',
            type: (entry.Type ?? 'String') as ParameterType,
            version: Number(entry.Version ?? 0),
            lastModifiedDate: entry.LastModifiedDate,
            lastModifiedUser: entry.LastModifiedUser,
            labels: entry.Labels ?? [],
          });
        }
        token = page.NextToken;
      } while (token);
    } catch (error) {
      if (error instanceof ParameterNotFoundError) return [];
      throw error;
    }
    // SSM pages oldest first; sort anyway so callers can rely on it.
    return versions.sort((a, b) => a.version - b.version);
  }

  async put(name: string, value: string, type: ParameterType): Promise<number> {
    const { Version } = await this.send(
      'PutParameter',
      name,
      () =>
        this.client.send(new PutParameterCommand({ Name: name, Value: value, Type: type, Overwrite: true })),
      { sanitiseCause: true },
    );
    return Number(Version ?? 0);
  }

  async delete(name: string): Promise<void> {
    try {
      await this.send('DeleteParameter', name, () =>
        this.client.send(new DeleteParameterCommand({ Name: name })),
      );
    } catch (error) {
      if (error instanceof ParameterNotFoundError) return;
      throw error;
    }
  }

  async label(name: string, version: number, labels: readonly string[]): Promise<void> {
    try {
      const { InvalidLabels = [] } = await this.send('LabelParameterVersion', name, () =>
        this.client.send(
          new LabelParameterVersionCommand({ Name: name, ParameterVersion: version, Labels: [...labels] }),
        ),
      );
      if (InvalidLabels.length > 0) {
        throw new ParameterStoreError(
          `LabelParameterVersion: labels rejected on ${name}: ${InvalidLabels.join(', ')}`,
          'LabelParameterVersion',
        );
      }
    } catch (error) {
      const cause = (error as { cause?: { name?: string } }).cause;
      if (cause?.name === 'ParameterVersionNotFound') {
        throw new ParameterVersionNotFoundError(name, version, 'LabelParameterVersion', { cause });
      }
      throw error;
    }
  }

  async getByPath(path: string, options: { decrypt: boolean }): Promise<StoredParameter[]> {
    const result: StoredParameter[] = [];
    await this.scanPath(path, { WithDecryption: options.decrypt }, (parameter) => {
      result.push(toStored(parameter));
    });
    return result;
  }

  /**
   * The version of each parameter under a path that carries a label, e.g. `last-known-good`: one
   * GetParametersByPath scan with a Label filter instead of one history read per parameter. Values
   * are not decrypted.
   */
  async labelledVersions(path: string, label: string): Promise<Map<string, number>> {
    const result = new Map<string, number>();
    await this.scanPath(
      path,
      { WithDecryption: false, ParameterFilters: [{ Key: 'Label', Option: 'Equals', Values: [label] }] },
      (parameter) => {
        if (parameter.Name) result.set(parameter.Name, Number(parameter.Version ?? 0));
      },
    );
    return result;
  }

  async describe(path: string): Promise<ParameterMetadata[]> {
    const result: ParameterMetadata[] = [];
    await this.scanMetadata(path, [], (entry) => {
      result.push({
        name: entry.Name,
        type: (entry.Type ?? 'String') as ParameterType,
        version: Number(entry.Version ?? 0),
        lastModifiedDate: entry.LastModifiedDate,
        lastModifiedUser: entry.LastModifiedUser,
        tier: entry.Tier,
      });
    });
    return result;
  }

  /** Every page of a recursive DescribeParameters scan of a path, with extra filters (tags). */
  protected async scanMetadata(
    path: string,
    filters: readonly { Key: string; Option: string; Values: string[] }[],
    onEntry: (entry: ParameterMetadataEntry & { Name: string }) => void,
  ): Promise<void> {
    let token: string | undefined;
    do {
      const page: DescribeParametersCommandOutput = await this.send('DescribeParameters', path, () =>
        this.client.send(
          new DescribeParametersCommand({
            ParameterFilters: [{ Key: 'Path', Option: 'Recursive', Values: [trimPath(path)] }, ...filters],
            MaxResults: DESCRIBE_PAGE,
            NextToken: token,
          }),
        ),
      );
      for (const entry of page.Parameters ?? []) if (entry.Name) onEntry({ ...entry, Name: entry.Name });
      token = page.NextToken;
    } while (token);
  }

  private async scanPath(
    path: string,
    extra: {
      WithDecryption: boolean;
      ParameterFilters?: { Key: string; Option: string; Values: string[] }[];
    },
    onParameter: (parameter: Parameter) => void,
  ): Promise<void> {
    let token: string | undefined;
    // Pages may be empty and still carry a NextToken: only a missing token ends the scan.
    do {
      const page: GetParametersByPathCommandOutput = await this.send('GetParametersByPath', path, () =>
        this.client.send(
          new GetParametersByPathCommand({
            Path: trimPath(path),
            Recursive: true,
            MaxResults: PATH_PAGE,
            NextToken: token,
            ...extra,
          }),
        ),
      );
      for (const parameter of page.Parameters ?? []) onParameter(parameter);
      token = page.NextToken;
    } while (token);
  }

  /** One request: rate limit, send, retry throttling, translate errors. */
  protected async send<T>(
    operation: string,
    subject: string,
    call: () => Promise<T>,
    options: { sanitiseCause?: boolean } = {},
  ): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      await this.options.limiter?.acquire();
      if (READS.has(operation)) await this.options.readLimiter?.acquire();
      else await this.options.writeLimiter?.acquire();
      this.options.onRequest?.(operation);
      try {
        return await call();
      } catch (error) {
        const name = (error as { name?: string }).name ?? 'Error';
        if (THROTTLING.has(name) && attempt < this.throttleAttempts) {
          await this.sleep(Math.min(2000, 100 * 2 ** (attempt - 1)));
          continue;
        }
        // An SDK message could quote a rejected value (PutParameter validation): keep only the error's name.
        const cause = options.sanitiseCause ? sanitised(error) : error;
        throw translate(name, operation, subject, cause);
      }
    }
  }
}

/** SSM's refusals of a write, by exception name: limits, patterns, tiers and types. */
const REJECTED_WRITES = new Set([
  'ParameterLimitExceeded',
  'ParameterMaxVersionLimitExceeded',
  'HierarchyLevelLimitExceededException',
  'HierarchyTypeMismatchException',
  'ParameterPatternMismatchException',
  'InvalidAllowedPatternException',
  'UnsupportedParameterType',
  'ParameterAlreadyExists',
  'IncompatiblePolicyException',
  'InvalidPolicyTypeException',
  'InvalidPolicyAttributeException',
  'PoliciesLimitExceededException',
  'TooManyTagsError',
]);

function translate(name: string, operation: string, subject: string, cause: unknown): Error {
  switch (name) {
    case 'ParameterNotFound':
    case 'InvalidResourceId': // the tagging calls' name for a parameter that does not exist
      return new ParameterNotFoundError(subject, operation, { cause });
    case 'AccessDeniedException':
    case 'KMSAccessDeniedException':
    case 'UnrecognizedClientException':
      return new ParameterAccessDeniedError(subject, operation, { cause });
    case 'InvalidKeyId':
      // A read names a key that is gone, disabled or not a KMS key: the value cannot be decrypted.
      return READS.has(operation)
        ? new ParameterDecryptionError(subject, operation, { cause })
        : new ParameterRejectedError(subject, operation, name, { cause });
    default:
      if (THROTTLING.has(name)) return new ParameterStoreThrottledError(subject, operation, { cause });
      if (REJECTED_WRITES.has(name)) return new ParameterRejectedError(subject, operation, name, { cause });
      return new ParameterStoreError(`${operation} on ${subject} failed: ${name}`, operation, { cause });
  }
}

function sanitised(error: unknown): Error {
  const copy = new Error(`${(error as { name?: string }).name ?? 'Error'} (message withheld)`);
  copy.name = (error as { name?: string }).name ?? 'Error';
  return copy;
}

/** SSM rejects a trailing slash on paths other than `/`. */
function trimPath(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function toStored(parameter: Parameter): StoredParameter {
  return {
    name: parameter.Name ?? '',
    value: parameter.Value ?? '',
    type: (parameter.Type ?? 'String') as ParameterType,
    version: Number(parameter.Version ?? 0),
    lastModifiedDate: parameter.LastModifiedDate,
  };
}

/**
 * The ARN of a parameter: `arn:aws:ssm:<region>:<account>:parameter/<name without leading slash>`.
 *
 * @example
 * parameterArn('/config/production/orders/max-retries', 'eu-west-1', '123456789012');
 */
export function parameterArn(name: string, region: string, account: string, partition = 'aws'): string {
  return `arn:${partition}:ssm:${region}:${account}:parameter/${name.replace(/^\//, '')}`;
}
