/** Parameter Store played in memory, with SSM's semantics: versions, moving labels, 100 kept versions. */
import type { ParameterType } from '../../functions/core/keys.ts';
import type {
  ParameterMetadata,
  ParameterStore,
  ParameterVersion,
  StoredParameter,
} from '../../functions/ports/parameter-store.ts';
import {
  ParameterNotFoundError,
  ParameterVersionNotFoundError,
} from '../../functions/ports/parameter-store.errors.ts';

const KEPT_VERSIONS = 100;

export class InMemoryParameterStore implements ParameterStore {
  private readonly parameters = new Map<string, ParameterVersion[]>();
  /** Every call, by operation name, to assert on call counts. */
  readonly calls: string[] = [];
  private clock = 0;

  constructor(private readonly actor = 'arn:aws:iam::123456789012:role/config-steward-validate-change') {}

  /** Seed a parameter as a human edit would (does not count as a call). */
  seed(
    name: string,
    value: string,
    type: ParameterType = 'String',
    user = 'arn:aws:iam::123456789012:user/alice',
  ): number {
    return this.write(name, value, type, user);
  }

  async get(name: string): Promise<StoredParameter | undefined> {
    this.calls.push('get');
    const versions = this.parameters.get(name);
    return versions ? { ...versions[versions.length - 1]! } : undefined;
  }

  async history(name: string): Promise<ParameterVersion[]> {
    this.calls.push('history');
    return (this.parameters.get(name) ?? []).map((v) => ({ ...v, labels: [...v.labels] }));
  }

  async put(name: string, value: string, type: ParameterType): Promise<number> {
    this.calls.push('put');
    return this.write(name, value, type, this.actor);
  }

  async delete(name: string): Promise<void> {
    this.calls.push('delete');
    this.parameters.delete(name);
  }

  async label(name: string, version: number, labels: readonly string[]): Promise<void> {
    this.calls.push('label');
    const versions = this.parameters.get(name);
    const target = versions?.find((v) => v.version === version);
    if (!versions) throw new ParameterNotFoundError(name, 'LabelParameterVersion');
    if (!target) throw new ParameterVersionNotFoundError(name, version, 'LabelParameterVersion');
    for (const v of versions) {
      (v as { labels: readonly string[] }).labels = v.labels.filter((label) => !labels.includes(label));
    }
    (target as { labels: readonly string[] }).labels = [...target.labels, ...labels];
  }

  async getByPath(path: string, options: { decrypt: boolean }): Promise<StoredParameter[]> {
    this.calls.push('getByPath');
    return this.current(path).map((p) =>
      p.type === 'SecureString' && !options.decrypt ? { ...p, value: 'ENCRYPTED' } : { ...p },
    );
  }

  async describe(path: string): Promise<ParameterMetadata[]> {
    this.calls.push('describe');
    return this.current(path).map(({ name, type, version, lastModifiedDate, lastModifiedUser }) => ({
      name,
      type,
      version,
      lastModifiedDate,
      lastModifiedUser,
      tier: 'Standard',
    }));
  }

  /** The current value of a parameter, for assertions. */
  valueOf(name: string): string | undefined {
    const versions = this.parameters.get(name);
    return versions?.[versions.length - 1]?.value;
  }

  private current(path: string): ParameterVersion[] {
    const prefix = path.endsWith('/') ? path : `${path}/`;
    return [...this.parameters.entries()]
      .filter(([name]) => name.startsWith(prefix))
      .map(([, versions]) => versions[versions.length - 1]!);
  }

  private write(name: string, value: string, type: ParameterType, user: string): number {
    const versions = this.parameters.get(name) ?? [];
    const version = (versions[versions.length - 1]?.version ?? 0) + 1;
    this.clock += 1000;
    versions.push({
      name,
      value,
      type,
      version,
      labels: [],
      lastModifiedUser: user,
      lastModifiedDate: new Date(Date.UTC(2026, 10, 20) + this.clock),
    });
    if (versions.length > KEPT_VERSIONS) versions.shift();
    this.parameters.set(name, versions);
    return version;
  }
}
