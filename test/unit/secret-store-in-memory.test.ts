import { describe, expect, it } from 'vitest';
import { VersionCachingSecretStore } from '../../functions/core/rotation/version-cache.ts';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../functions/ports/secret-store.ts';
import { InvalidSecretRequestError } from '../../functions/ports/secret-store.errors.ts';
import { InMemorySecretStore } from '../support/in-memory-secret-store.ts';
import { FixedClock } from '../support/recording-ports.ts';

function secretWithPending() {
  const store = new InMemorySecretStore();
  const arn = store.create('config/staging/orders/db', 'v1', { versionId: 'v1' });
  store.beginRotation(arn, 'v2');
  return { store, arn };
}

// What every SecretStore does is in test/contracts/secret-store.contract.ts; these are the double's own
// acts (RotateSecret, call counting), which the rotation harness and the bench rely on.
describe('Class: InMemorySecretStore', () => {
  it('lists in stages() the versions that lost every label too, which describe leaves out', async () => {
    // Prepare
    const { store, arn } = secretWithPending();
    await store.putPendingValue(arn, 'v3', 'newer');
    await store.moveStage(arn, AWSCURRENT, { to: 'v3', from: 'v1' });

    // Act
    const stages = store.stages(arn);

    // Assess
    expect(stages).toEqual({ v1: [AWSPREVIOUS], v2: [], v3: [AWSPENDING, AWSCURRENT] });
    expect(Object.keys((await store.describe(arn)).versions)).toEqual(['v1', 'v3']);
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
