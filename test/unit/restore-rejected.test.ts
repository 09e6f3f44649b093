/**
 * restoreRejected runs in deliver-changes, once per restore request (the FIFO restore group of the
 * parameter's service and environment). An attempt that dies after writing the restore, before its
 * label or its `Config Change Restored`, is finished by the retry instead of being called superseded;
 * a duplicate request after a complete restore (marked RESTORE_ANNOUNCED) does nothing.
 */
import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import type { RestoreRequest } from '../../functions/core/delivery/requests.ts';
import type { StewardEvent } from '../../functions/core/events.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { LAST_KNOWN_GOOD, RESTORE_ANNOUNCED } from '../../functions/core/names.ts';
import { restoreRejected } from '../../functions/core/validation/restore-rejected.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { FixedClock, InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';

const RESTORER = 'arn:aws:iam::123456789012:role/config-steward-deliver-changes';
const NAME = '/config/staging/orders/max-retries';
const registry = new SchemaRegistry(organisation, {
  parameterRoot: 'config',
  environments: ['staging', 'production'],
});

/** A good version 1 (labelled), a rejected version 2, and the request to restore it. */
async function rejectedEdit() {
  const store = new InMemoryParameterStore(RESTORER);
  const good = store.seed(NAME, '3');
  await store.label(NAME, good, [LAST_KNOWN_GOOD]);
  const rejectedVersion = store.seed(NAME, 'lots');
  const request: RestoreRequest = {
    kind: 'restore',
    service: 'orders',
    environment: 'staging',
    parameterName: NAME,
    rejectedVersion,
    triggeringEventId: 'evt-1',
  };
  return { store, request };
}

function deps(store: InMemoryParameterStore, publisher: RecordingEventPublisher) {
  return {
    registry,
    store,
    publisher,
    tickets: new InMemoryTicketTracker(),
    clock: new FixedClock(new Date('2026-11-20T16:45:00Z')),
    enforcement: () => 'enforce' as const,
    validatorPrincipal: RESTORER,
  };
}

/** Fails its first `publish` call, as an EventBridge outage would. */
class PublisherFailingOnce extends RecordingEventPublisher {
  private failed = false;
  override async publish(events: readonly StewardEvent[]): Promise<void> {
    if (!this.failed) {
      this.failed = true;
      throw new Error('EventBridge unavailable');
    }
    await super.publish(events);
  }
}

describe('Function: restoreRejected', () => {
  it('publishes Config Change Restored on the retry when the first attempt wrote the restore but not the event', async () => {
    // Prepare
    const { store, request } = await rejectedEdit();
    const publisher = new PublisherFailingOnce();

    // Act
    await expect(restoreRejected(request, deps(store, publisher))).rejects.toThrow('EventBridge unavailable');
    const retried = await restoreRejected(request, deps(store, publisher));

    // Assess: one restore written (version 3), announced once, labelled
    expect(retried).toMatchObject({
      status: 'restored',
      newVersion: 3,
      from: 'last-known-good',
      fromVersion: 1,
    });
    const history = await store.history(NAME);
    expect(history.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(history.at(-1)).toMatchObject({ value: '3', labels: [LAST_KNOWN_GOOD, RESTORE_ANNOUNCED] });
    expect(publisher.ofType('Config Change Restored').map((e) => e.detail)).toEqual([
      expect.objectContaining({ rejectedVersion: 2, newVersion: 3, restoredFrom: 'last-known-good' }),
    ]);
  });

  it('labels the restore on the retry when the first attempt died between the write and the label', async () => {
    // Prepare
    const { store, request } = await rejectedEdit();
    const publisher = new RecordingEventPublisher();
    const label = store.label.bind(store);
    let labelFails = true;
    store.label = async (...args) => {
      if (labelFails) {
        labelFails = false;
        throw new Error('LabelParameterVersion throttled');
      }
      return label(...args);
    };

    // Act
    await expect(restoreRejected(request, deps(store, publisher))).rejects.toThrow('throttled');
    const retried = await restoreRejected(request, deps(store, publisher));

    // Assess
    expect(retried).toMatchObject({ status: 'restored', newVersion: 3 });
    expect((await store.history(NAME)).map((v) => [v.version, v.labels])).toEqual([
      [1, []],
      [2, []],
      [3, [LAST_KNOWN_GOOD, RESTORE_ANNOUNCED]],
    ]);
    expect(publisher.ofType('Config Change Restored')).toHaveLength(1);
  });

  it('calls a version written by someone else after the rejected one superseded, and writes nothing', async () => {
    // Prepare: alice fixed it herself before the restore ran
    const { store, request } = await rejectedEdit();
    store.seed(NAME, '4');
    const publisher = new RecordingEventPublisher();

    // Act
    const outcome = await restoreRejected(request, deps(store, publisher));

    // Assess
    expect(outcome).toEqual({ status: 'superseded', parameterName: NAME, newestVersion: 3 });
    expect((await store.history(NAME)).map((v) => v.value)).toEqual(['3', 'lots', '4']);
    expect(publisher.events).toEqual([]);
  });

  it('does nothing for a duplicate request after a complete restore: no second write, no second event', async () => {
    // Prepare
    const { store, request } = await rejectedEdit();
    const publisher = new RecordingEventPublisher();
    await restoreRejected(request, deps(store, publisher));

    // Act
    const again = await restoreRejected(request, deps(store, publisher));

    // Assess
    expect(again).toEqual({ status: 'superseded', parameterName: NAME, newestVersion: 3 });
    expect((await store.history(NAME)).map((v) => v.version)).toEqual([1, 2, 3]);
    expect(publisher.ofType('Config Change Restored')).toHaveLength(1);
  });
});
