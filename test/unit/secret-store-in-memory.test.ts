import { describe, expect, it } from 'vitest';
import {
  InvalidSecretRequestError,
  SecretNotFoundError,
  SecretVersionConflictError,
} from '../../functions/ports/secret-store.errors.ts';
import { VersionCachingSecretStore } from '../../functions/core/rotation/version-cache.ts';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../functions/ports/secret-store.ts';
import { InMemorySecretStore } from '../support/in-memory-secret-store.ts';
import { FixedClock } from '../support/recording-ports.ts';

function secretWithPending() {
  const store = new InMemorySecretStore();
  const arn = store.create('config/staging/orders/db', 'v1', { versionId: 'v1' });
  store.beginRotation(arn, 'v2');
  return { store, arn };
}

describe('Class: InMemorySecretStore', () => {
  it('creates the rotation version id labelled AWSPENDING before it holds a value', async () => {
    // Prepare
    const { store, arn } = secretWithPending();

    // Act
    const description = await store.describe(arn);

    // Assess
    expect(description.versions).toEqual({ v1: [AWSCURRENT], v2: [AWSPENDING] });
    await expect(store.getValue(arn, { versionId: 'v2' })).rejects.toThrow(SecretNotFoundError);
  });

  it('ignores PutSecretValue repeated with the same token and value, and refuses a different value', async () => {
    // Prepare
    const { store, arn } = secretWithPending();
    await store.putPendingValue(arn, 'v2', 'new');

    // Act
    await store.putPendingValue(arn, 'v2', 'new');
    const conflict = store.putPendingValue(arn, 'v2', 'other');

    // Assess
    await expect(conflict).rejects.toThrow(SecretVersionConflictError);
    expect((await store.getValue(arn, { versionId: 'v2', stage: AWSPENDING })).value).toBe('new');
  });

  it('moves AWSPENDING to the version PutSecretValue creates', async () => {
    // Prepare
    const { store, arn } = secretWithPending();

    // Act
    await store.putPendingValue(arn, 'v3', 'newer');

    // Assess
    expect(store.stages(arn)).toEqual({ v1: [AWSCURRENT], v2: [], v3: [AWSPENDING] });
  });

  it('makes the old AWSCURRENT AWSPREVIOUS when AWSCURRENT moves, taking AWSPREVIOUS from its last holder', async () => {
    // Prepare
    const { store, arn } = secretWithPending();
    await store.putPendingValue(arn, 'v2', 'two');
    await store.moveStage(arn, AWSCURRENT, { to: 'v2', from: 'v1' });
    store.beginRotation(arn, 'v3');
    await store.putPendingValue(arn, 'v3', 'three');

    // Act
    await store.moveStage(arn, AWSCURRENT, { to: 'v3', from: 'v2' });

    // Assess
    expect(store.stages(arn)).toEqual({ v1: [], v2: [AWSPREVIOUS], v3: [AWSPENDING, AWSCURRENT] });
    expect((await store.describe(arn)).versions).toEqual({ v2: [AWSPREVIOUS], v3: [AWSPENDING, AWSCURRENT] });
  });

  it('refuses to take a label from a version it was not told to remove it from', async () => {
    // Prepare
    const { store, arn } = secretWithPending();
    await store.putPendingValue(arn, 'v2', 'two');

    // Act
    const withoutFrom = store.moveStage(arn, AWSCURRENT, { to: 'v2' });
    const wrongFrom = store.moveStage(arn, AWSCURRENT, { to: 'v2', from: 'v2' });

    // Assess
    await expect(withoutFrom).rejects.toThrow(InvalidSecretRequestError);
    await expect(wrongFrom).rejects.toThrow(InvalidSecretRequestError);
    expect(store.stages(arn).v1).toEqual([AWSCURRENT]);
  });

  it('refuses to begin a rotation while AWSPENDING sits on a version other than AWSCURRENT', async () => {
    // Prepare
    const { store, arn } = secretWithPending();

    // Act & Assess
    expect(() => store.beginRotation(arn, 'v3')).toThrow(InvalidSecretRequestError);
  });

  it('counts every call', async () => {
    // Prepare
    const { store, arn } = secretWithPending();

    // Act
    await store.describe(arn);
    await store.getValue(arn, { stage: AWSCURRENT });
    await store.putPendingValue(arn, 'v2', 'x');
    await store.moveStage(arn, AWSPENDING, { from: 'v2' });

    // Assess
    expect(store.calls).toEqual({ describe: 1, getValue: 1, putPendingValue: 1, moveStage: 1 });
    expect(store.totalCalls).toBe(4);
  });
});

describe('Class: VersionCachingSecretStore', () => {
  it('answers repeated version-id reads and reads of a value it wrote from memory, never describe', async () => {
    // Prepare
    const { store, arn } = secretWithPending();
    const cached = new VersionCachingSecretStore(store, {
      clock: new FixedClock(new Date('2026-01-01T00:00:00Z')),
    });

    // Act
    await cached.getValue(arn, { versionId: 'v1' });
    await cached.getValue(arn, { versionId: 'v1' });
    await cached.putPendingValue(arn, 'v2', 'two');
    const written = await cached.getValue(arn, { versionId: 'v2' });
    await cached.getValue(arn, { versionId: 'v2', stage: AWSPENDING });
    await cached.describe(arn);
    await cached.describe(arn);

    // Assess
    expect(written).toMatchObject({ value: 'two', createdDate: new Date('2026-01-01T00:00:00Z') });
    expect(store.calls).toEqual({ describe: 2, getValue: 2, putPendingValue: 1, moveStage: 0 });
  });

  it('keeps at most maxEntries versions', async () => {
    // Prepare
    const store = new InMemorySecretStore();
    const arns = [0, 1, 2].map((i) => store.create(`config/staging/s/k${i}`, `value-${i}`));
    const cached = new VersionCachingSecretStore(store, { clock: new FixedClock(new Date()), maxEntries: 2 });

    // Act
    for (const arn of arns)
      await cached.getValue(arn, { versionId: Object.keys(store.stages(arn))[0] as string });
    await cached.getValue(arns[0] as string, {
      versionId: Object.keys(store.stages(arns[0] as string))[0] as string,
    });

    // Assess
    expect(store.calls.getValue).toBe(4);
  });
});
