/**
 * A SecretStore decorator that remembers values by version id. A Secrets Manager version can never
 * change its value, so a value read (or written) by one rotation step is still right in the next
 * step, which Secrets Manager usually runs in the same warm function instance: this is what keeps a
 * rotation at 8 Secrets Manager calls. Labels do change, so `describe` is never cached, and a cached
 * version's `stages` are those it had when it was read.
 */
import type { Clock } from '../../ports/clock.ts';
import type {
  SecretDescription,
  SecretStore,
  SecretVersion,
  VersionSelector,
} from '../../ports/secret-store.ts';

export interface VersionCacheOptions {
  /** Versions kept; the oldest is dropped first. @default 64 */
  readonly maxEntries?: number;
  readonly clock: Clock;
}

export class VersionCachingSecretStore implements SecretStore {
  private readonly versions = new Map<string, SecretVersion>();
  private readonly maxEntries: number;

  constructor(
    private readonly inner: SecretStore,
    private readonly options: VersionCacheOptions,
  ) {
    this.maxEntries = options.maxEntries ?? 64;
  }

  describe(secretId: string): Promise<SecretDescription> {
    return this.inner.describe(secretId);
  }

  async getValue(secretId: string, selector: VersionSelector): Promise<SecretVersion> {
    // A stage check needs the live labels; only plain version-id reads are answered from memory.
    if (selector.versionId !== undefined && selector.stage === undefined) {
      const cached = this.versions.get(key(secretId, selector.versionId));
      if (cached) return cached;
    }
    const version = await this.inner.getValue(secretId, selector);
    this.remember(secretId, version);
    return version;
  }

  async putPendingValue(
    secretId: string,
    versionId: string,
    value: string,
    rotationToken?: string,
  ): Promise<void> {
    await this.inner.putPendingValue(secretId, versionId, value, rotationToken);
    if (!this.versions.has(key(secretId, versionId))) {
      this.remember(secretId, {
        versionId,
        value,
        stages: ['AWSPENDING'],
        createdDate: this.options.clock.now(),
      });
    }
  }

  moveStage(secretId: string, stage: string, move: { to?: string; from?: string }): Promise<void> {
    return this.inner.moveStage(secretId, stage, move);
  }

  private remember(secretId: string, version: SecretVersion): void {
    this.versions.set(key(secretId, version.versionId), version);
    while (this.versions.size > this.maxEntries) {
      const oldest = this.versions.keys().next().value as string;
      this.versions.delete(oldest);
    }
  }
}

function key(secretId: string, versionId: string): string {
  return `${secretId}\u0000${versionId}`;
}
