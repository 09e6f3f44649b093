/**
 * Secrets Manager in memory, moving staging labels exactly as the service does:
 * - a label lives on one version at a time;
 * - UpdateSecretVersionStage refuses to take a label from a version it was not told to remove it from;
 * - moving AWSCURRENT makes its old holder AWSPREVIOUS (and AWSPREVIOUS leaves the version that had it);
 * - PutSecretValue with AWSPENDING takes the label from wherever it was; the same token with the same
 *   value is ignored, with a different value it fails;
 * - RotateSecret (`beginRotation`) refuses while AWSPENDING sits on a version other than AWSCURRENT,
 *   otherwise creates the new version id labelled AWSPENDING before any value exists.
 * It counts every call of the port so tests and the benchmark can hold the rotation to its budget.
 */
import { randomUUID } from 'node:crypto';
import {
  InvalidSecretRequestError,
  SecretNotFoundError,
  SecretVersionConflictError,
} from '../../functions/ports/secret-store.errors.ts';
import type { Clock } from '../../functions/ports/clock.ts';
import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  type SecretDescription,
  type SecretStore,
  type SecretVersion,
  type VersionSelector,
} from '../../functions/ports/secret-store.ts';

interface StoredVersion {
  readonly versionId: string;
  /** Undefined for the id RotateSecret creates before createSecret stores a value. */
  value?: string;
  stages: string[];
  createdDate: Date;
}

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  rotationEnabled: boolean;
  readonly versions: Map<string, StoredVersion>;
  readonly rotationTokens: string[];
}

export type SecretStoreOperation = 'describe' | 'getValue' | 'putPendingValue' | 'moveStage';

/** Fail a chosen call, e.g. to stand for a crash or a throttle. */
export type FailureRule = (operation: SecretStoreOperation, secretId: string) => Error | undefined;

const systemClock: Clock = { now: () => new Date() };

export class InMemorySecretStore implements SecretStore {
  readonly calls: Record<SecretStoreOperation, number> = {
    describe: 0,
    getValue: 0,
    putPendingValue: 0,
    moveStage: 0,
  };
  /** Every call in order, for assertions on the exact sequence. */
  readonly log: { operation: SecretStoreOperation; secretId: string; detail?: string }[] = [];
  failure?: FailureRule;
  private readonly secrets = new Map<string, StoredSecret>();

  constructor(private readonly clock: Clock = systemClock) {}

  get totalCalls(): number {
    return Object.values(this.calls).reduce((sum, n) => sum + n, 0);
  }

  resetCounts(): void {
    for (const operation of Object.keys(this.calls) as SecretStoreOperation[]) this.calls[operation] = 0;
    this.log.length = 0;
  }

  /** CreateSecret: the first version, AWSCURRENT. Returns the ARN (name plus a random 6-character suffix). */
  create(
    name: string,
    value: string,
    options: { rotationEnabled?: boolean; versionId?: string; arn?: string } = {},
  ): string {
    const suffix = randomUUID().replaceAll('-', '').slice(0, 6);
    const arn = options.arn ?? `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-${suffix}`;
    const versionId = options.versionId ?? randomUUID();
    this.secrets.set(arn, {
      arn,
      name,
      rotationEnabled: options.rotationEnabled ?? true,
      versions: new Map([
        [versionId, { versionId, value, stages: [AWSCURRENT], createdDate: this.clock.now() }],
      ]),
      rotationTokens: [],
    });
    return arn;
  }

  /** RotateSecret's first act: a new version id labelled AWSPENDING, with no value yet. */
  beginRotation(secretId: string, token: string = randomUUID()): string {
    const secret = this.secret(secretId);
    const pendingHolder = this.holder(secret, AWSPENDING);
    if (pendingHolder && !pendingHolder.stages.includes(AWSCURRENT)) {
      throw new InvalidSecretRequestError(
        "A previous rotation isn't complete. That rotation will be reattempted.",
      );
    }
    if (pendingHolder) pendingHolder.stages = pendingHolder.stages.filter((s) => s !== AWSPENDING);
    secret.versions.set(token, { versionId: token, stages: [AWSPENDING], createdDate: this.clock.now() });
    return token;
  }

  setRotationEnabled(secretId: string, enabled: boolean): void {
    this.secret(secretId).rotationEnabled = enabled;
  }

  /** Labels per version, including versions without labels (which DescribeSecret leaves out). */
  stages(secretId: string): Record<string, string[]> {
    return Object.fromEntries(
      [...this.secret(secretId).versions.values()].map((v) => [v.versionId, [...v.stages]]),
    );
  }

  /** The value holding a stage, read without counting (for test assertions and client loops). */
  peek(secretId: string, stage: string = AWSCURRENT): string | undefined {
    return this.holder(this.secret(secretId), stage)?.value;
  }

  rotationTokens(secretId: string): readonly string[] {
    return this.secret(secretId).rotationTokens;
  }

  async describe(secretId: string): Promise<SecretDescription> {
    this.record('describe', secretId);
    const secret = this.secret(secretId);
    const versions: Record<string, readonly string[]> = {};
    for (const version of secret.versions.values()) {
      if (version.stages.length > 0) versions[version.versionId] = [...version.stages];
    }
    return { arn: secret.arn, name: secret.name, rotationEnabled: secret.rotationEnabled, versions };
  }

  async getValue(secretId: string, selector: VersionSelector): Promise<SecretVersion> {
    this.record('getValue', secretId, selector.versionId ?? selector.stage);
    const secret = this.secret(secretId);
    const version =
      selector.versionId !== undefined
        ? secret.versions.get(selector.versionId)
        : this.holder(secret, selector.stage);
    if (
      !version ||
      version.value === undefined ||
      (selector.stage && !version.stages.includes(selector.stage))
    ) {
      throw new SecretNotFoundError(
        `Secrets Manager can't find the specified secret value for ${selector.versionId ? `VersionId ${selector.versionId}` : `staging label ${selector.stage}`}`,
      );
    }
    return {
      versionId: version.versionId,
      value: version.value,
      stages: [...version.stages],
      createdDate: version.createdDate,
    };
  }

  async putPendingValue(
    secretId: string,
    versionId: string,
    value: string,
    rotationToken?: string,
  ): Promise<void> {
    this.record('putPendingValue', secretId, versionId);
    const secret = this.secret(secretId);
    if (rotationToken) secret.rotationTokens.push(rotationToken);
    const existing = secret.versions.get(versionId);
    if (existing?.value !== undefined) {
      if (existing.value === value) return;
      throw new SecretVersionConflictError(
        `A resource with the ID you requested already exists (VersionId ${versionId})`,
      );
    }
    const holder = this.holder(secret, AWSPENDING);
    if (holder && holder.versionId !== versionId)
      holder.stages = holder.stages.filter((s) => s !== AWSPENDING);
    if (existing) {
      existing.value = value;
      if (!existing.stages.includes(AWSPENDING)) existing.stages.push(AWSPENDING);
    } else {
      secret.versions.set(versionId, {
        versionId,
        value,
        stages: [AWSPENDING],
        createdDate: this.clock.now(),
      });
    }
  }

  async moveStage(secretId: string, stage: string, move: { to?: string; from?: string }): Promise<void> {
    this.record('moveStage', secretId, `${stage}:${move.from ?? ''}->${move.to ?? ''}`);
    const secret = this.secret(secretId);
    const holder = this.holder(secret, stage);
    if (move.from !== undefined && holder?.versionId !== move.from) {
      throw new InvalidSecretRequestError(
        `The staging label ${stage} is not attached to version ${move.from}`,
      );
    }
    if (move.to === undefined) {
      if (holder) holder.stages = holder.stages.filter((s) => s !== stage);
      return;
    }
    const target = secret.versions.get(move.to);
    if (!target) throw new SecretNotFoundError(`Secrets Manager can't find the specified version ${move.to}`);
    if (holder === target) return;
    if (holder && move.from === undefined) {
      throw new InvalidSecretRequestError(
        `The staging label ${stage} is currently attached to version ${holder.versionId}; specify RemoveFromVersionId`,
      );
    }
    if (holder) holder.stages = holder.stages.filter((s) => s !== stage);
    target.stages.push(stage);
    if (stage === AWSCURRENT && holder) {
      const previous = this.holder(secret, AWSPREVIOUS);
      if (previous) previous.stages = previous.stages.filter((s) => s !== AWSPREVIOUS);
      holder.stages.push(AWSPREVIOUS);
    }
  }

  private record(operation: SecretStoreOperation, secretId: string, detail?: string): void {
    this.calls[operation]++;
    this.log.push({ operation, secretId, ...(detail ? { detail } : {}) });
    const failure = this.failure?.(operation, secretId);
    if (failure) throw failure;
  }

  private secret(secretId: string): StoredSecret {
    const secret =
      this.secrets.get(secretId) ??
      [...this.secrets.values()].find(
        (s) => s.name === secretId || secretId === s.arn.replace(/-[A-Za-z0-9]{6}$/, ''),
      );
    if (!secret) throw new SecretNotFoundError(`Secrets Manager can't find the specified secret ${secretId}`);
    return secret;
  }

  private holder(secret: StoredSecret, stage: string): StoredVersion | undefined {
    return [...secret.versions.values()].find((v) => v.stages.includes(stage));
  }
}
