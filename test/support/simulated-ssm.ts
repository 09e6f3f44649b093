/**
 * Parameter Store's documented semantics behind aws-sdk-client-mock, so the contract suites run the
 * real `SsmParameterStore` (its requests, paging, filters and error translation) against the same
 * scenarios as the in-memory double. SSM's limits are enforced: a request the real service would
 * refuse (a page size over its maximum) fails here too.
 */
import {
  AddTagsToResourceCommand,
  DeleteParameterCommand,
  DescribeParametersCommand,
  type DescribeParametersCommandInput,
  GetParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  type GetParametersByPathCommandInput,
  GetParametersCommand,
  LabelParameterVersionCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
  type ParameterType,
  PutParameterCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';

interface Version {
  readonly value: string;
  readonly type: ParameterType;
  readonly version: number;
  labels: string[];
  readonly modified: Date;
}

const KEPT_VERSIONS = 100;
/** The service's page-size maxima. */
const MAX_RESULTS = { byPath: 10, history: 50, describe: 50, getMany: 10 };

function failure(name: string, message: string): SSMServiceException {
  return new SSMServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
}

/** What a SecureString looks like read without decryption: a base64 ciphertext, never the value. */
function ciphertextOf(value: string): string {
  return `AQICAH${Buffer.from(value).toString('base64').split('').reverse().join('')}`;
}

export class SimulatedSsm {
  private readonly parameters = new Map<string, Version[]>();
  /** Tags by parameter name: they belong to the parameter, not to a version, and go with a delete. */
  private readonly tags = new Map<string, Map<string, string>>();
  private tick = 0;

  /** An SSM client whose every call this simulation answers. */
  client(): SSMClient {
    const client = new SSMClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const mock = mockClient(client);
    mock.on(GetParameterCommand).callsFake(async (input) => ({
      Parameter: this.shown(input.Name!, this.current(input.Name!), input.WithDecryption ?? false),
    }));
    mock.on(GetParametersCommand).callsFake(async (input) => {
      const names: string[] = input.Names ?? [];
      if (names.length > MAX_RESULTS.getMany) throw failure('ValidationException', 'too many names');
      const found = names.filter((name) => this.parameters.has(name));
      return {
        Parameters: found.map((name) => this.shown(name, this.current(name), input.WithDecryption ?? false)),
        InvalidParameters: names.filter((name) => !this.parameters.has(name)),
      };
    });
    mock.on(GetParameterHistoryCommand).callsFake(async (input) => {
      const versions = this.versions(input.Name!);
      const { page, next } = paged(versions, input.NextToken, input.MaxResults, MAX_RESULTS.history);
      return {
        Parameters: page.map((v) => ({
          ...this.shown(input.Name!, v, input.WithDecryption ?? false),
          Labels: [...v.labels],
        })),
        NextToken: next,
      };
    });
    mock.on(PutParameterCommand).callsFake(async (input) => {
      if (this.parameters.has(input.Name!) && !input.Overwrite)
        throw failure('ParameterAlreadyExists', 'exists');
      // SSM takes Tags only when it creates a parameter, never with Overwrite.
      if (input.Tags && input.Overwrite) throw failure('ValidationException', 'Tags with Overwrite');
      const version = this.write(input.Name!, input.Value!, input.Type ?? 'String');
      if (input.Tags)
        this.tags.set(
          input.Name!,
          new Map(input.Tags.map((t: { Key?: string; Value?: string }) => [t.Key!, t.Value!])),
        );
      return { Version: version };
    });
    mock.on(DeleteParameterCommand).callsFake(async (input) => {
      this.versions(input.Name!);
      this.parameters.delete(input.Name!);
      this.tags.delete(input.Name!);
      return {};
    });
    mock.on(LabelParameterVersionCommand).callsFake(async (input) => {
      const versions = this.versions(input.Name!);
      const target = versions.find((v) => v.version === Number(input.ParameterVersion));
      if (!target) throw failure('ParameterVersionNotFound', 'no such version');
      const labels = input.Labels ?? [];
      for (const v of versions) v.labels = v.labels.filter((label) => !labels.includes(label));
      target.labels.push(...labels);
      return { InvalidLabels: [] };
    });
    mock.on(GetParametersByPathCommand).callsFake(async (input) => this.byPath(input));
    mock.on(DescribeParametersCommand).callsFake(async (input) => this.describe(input));
    // The tagging calls name a missing parameter InvalidResourceId, not ParameterNotFound.
    const tagsOf = (name: string) => {
      if (!this.parameters.has(name)) throw failure('InvalidResourceId', 'no such resource');
      return this.tags.get(name) ?? new Map<string, string>();
    };
    mock.on(AddTagsToResourceCommand).callsFake(async (input) => {
      const tags = tagsOf(input.ResourceId!);
      for (const tag of input.Tags ?? []) tags.set(tag.Key!, tag.Value!);
      this.tags.set(input.ResourceId!, tags);
      return {};
    });
    mock.on(RemoveTagsFromResourceCommand).callsFake(async (input) => {
      const tags = tagsOf(input.ResourceId!);
      for (const key of input.TagKeys ?? []) tags.delete(key);
      return {};
    });
    mock.on(ListTagsForResourceCommand).callsFake(async (input) => ({
      TagList: [...tagsOf(input.ResourceId!)].map(([Key, Value]) => ({ Key, Value })),
    }));
    return client;
  }

  private byPath(input: GetParametersByPathCommandInput) {
    const path = input.Path!;
    if (path !== '/' && path.endsWith('/')) throw failure('ValidationException', 'trailing slash');
    const labelFilter = input.ParameterFilters?.find((f) => f.Key === 'Label')?.Values ?? [];
    const matching = this.under(path, input.Recursive ?? false).flatMap(([name, versions]) => {
      if (labelFilter.length === 0) return [{ name, version: versions.at(-1)! }];
      const labelled = versions.find((v) => v.labels.some((label) => labelFilter.includes(label)));
      return labelled ? [{ name, version: labelled }] : [];
    });
    const { page, next } = paged(matching, input.NextToken, input.MaxResults, MAX_RESULTS.byPath);
    return {
      Parameters: page.map(({ name, version }) => this.shown(name, version, input.WithDecryption ?? false)),
      NextToken: next,
    };
  }

  private describe(input: DescribeParametersCommandInput) {
    const filter = input.ParameterFilters?.find((f) => f.Key === 'Path');
    const path = filter?.Values?.[0] ?? '/';
    const tagFilters = (input.ParameterFilters ?? []).filter((f) => f.Key?.startsWith('tag:'));
    const matching = this.under(path, filter?.Option === 'Recursive').filter(([name]) =>
      tagFilters.every((f) => {
        const value = this.tags.get(name)?.get(f.Key!.slice('tag:'.length));
        return value !== undefined && (f.Values ?? []).includes(value);
      }),
    );
    const { page, next } = paged(matching, input.NextToken, input.MaxResults, MAX_RESULTS.describe);
    return {
      Parameters: page.map(([name, versions]) => {
        const latest = versions.at(-1)!;
        return {
          Name: name,
          Type: latest.type,
          Version: latest.version,
          LastModifiedDate: latest.modified,
          Tier: 'Standard',
        };
      }),
      NextToken: next,
    };
  }

  private under(path: string, recursive: boolean): [string, Version[]][] {
    const prefix = path === '/' ? '/' : `${path}/`;
    return [...this.parameters.entries()]
      .filter(([name]) => name.startsWith(prefix) && (recursive || !name.slice(prefix.length).includes('/')))
      .sort(([a], [b]) => a.localeCompare(b));
  }

  private shown(name: string, version: Version, decrypt: boolean) {
    const value = version.type === 'SecureString' && !decrypt ? ciphertextOf(version.value) : version.value;
    return {
      Name: name,
      Value: value,
      Type: version.type,
      Version: version.version,
      LastModifiedDate: version.modified,
    };
  }

  private versions(name: string): Version[] {
    const versions = this.parameters.get(name);
    if (!versions) throw failure('ParameterNotFound', `parameter ${name} not found`);
    return versions;
  }

  private current(name: string): Version {
    return this.versions(name).at(-1)!;
  }

  private write(name: string, value: string, type: ParameterType): number {
    const versions = this.parameters.get(name) ?? [];
    const version = (versions.at(-1)?.version ?? 0) + 1;
    this.tick += 1000;
    versions.push({
      value,
      type,
      version,
      labels: [],
      modified: new Date(Date.UTC(2026, 10, 20) + this.tick),
    });
    if (versions.length > KEPT_VERSIONS) versions.shift();
    this.parameters.set(name, versions);
    return version;
  }
}

/** One page of a listing; the token is the offset of the next page, as opaque to the caller as SSM's. */
export function paged<T>(
  items: readonly T[],
  token: string | undefined,
  maxResults: number | undefined,
  limit: number,
) {
  const size = maxResults ?? limit;
  if (size > limit) throw failure('ValidationException', `MaxResults ${size} is over ${limit}`);
  const start = token ? Number(token) : 0;
  const page = items.slice(start, start + size);
  return { page, next: start + size < items.length ? String(start + size) : undefined };
}
