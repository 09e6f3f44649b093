import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  batchEntries,
  EventBridgeEventPublisher,
  EventPublishError,
  EventTooLargeError,
  entrySize,
  PUT_EVENTS_MAX_BYTES,
} from '../../functions/adapters/eventbridge-publisher.ts';
import { type StewardEvent, stewardEvent } from '../../functions/core/events.ts';
import { FixedClock } from '../support/recording-ports.ts';

const eventBridge = mockClient(EventBridgeClient);
const noSleep = async () => {};

function ticketFiled(n: number, title = `ticket ${n}`): StewardEvent {
  return stewardEvent('Ticket Filed', {
    dedupKey: `validation:/config/staging/orders/k${n}`,
    ticket: { tracker: 'opscenter', id: `oi-${n}` },
    title,
    created: true,
  });
}

function publisher(maxAttempts = 4) {
  return new EventBridgeEventPublisher(new EventBridgeClient({}), 'config-steward', {
    sleep: noSleep,
    maxAttempts,
    clock: new FixedClock(new Date('2026-11-20T16:44:50Z')),
  });
}

describe('Class: EventBridgeEventPublisher', () => {
  beforeEach(() => {
    eventBridge.reset();
  });

  it('sends catalog events to the Steward bus with source, detail type, JSON detail and time', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    // Act
    await publisher().publish([ticketFiled(1)]);

    // Assess
    expect(eventBridge).toReceiveCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: 'config-steward',
          Source: 'config.steward',
          DetailType: 'Ticket Filed',
          Detail: JSON.stringify(ticketFiled(1).detail),
          Time: new Date('2026-11-20T16:44:50Z'),
        },
      ],
    });
  });

  it('sends 23 events as batches of 10, 10 and 3', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })),
    }));

    // Act
    await publisher().publish(Array.from({ length: 23 }, (_, i) => ticketFiled(i)));

    // Assess
    const sizes = eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries?.length);
    expect(sizes).toEqual([10, 10, 3]);
  });

  it('starts a new batch before the entries would pass 256 KB', () => {
    // Prepare: three entries of about 100 KB each
    const detail = 'x'.repeat(100 * 1024);
    const entries = [1, 2, 3].map((n) => ({ Source: 'config.steward', DetailType: `T${n}`, Detail: detail }));

    // Act
    const batches = batchEntries(entries);

    // Assess
    expect(batches.map((b) => b.length)).toEqual([2, 1]);
    for (const batch of batches) {
      expect(batch.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(PUT_EVENTS_MAX_BYTES);
    }
  });

  it('refuses a single event over 256 KB without sending anything', async () => {
    // Act
    const act = publisher().publish([ticketFiled(1, 'x'.repeat(PUT_EVENTS_MAX_BYTES))]);

    // Assess
    await expect(act).rejects.toBeInstanceOf(EventTooLargeError);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('resends only the entries that failed', async () => {
    // Prepare: the second of three entries is throttled once
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [
          { EventId: 'e-1' },
          { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' },
          { EventId: 'e-3' },
        ],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });

    // Act
    await publisher().publish([ticketFiled(1), ticketFiled(2), ticketFiled(3)]);

    // Assess
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input.Entries).toEqual([
      expect.objectContaining({ Detail: JSON.stringify(ticketFiled(2).detail) }),
    ]);
  });

  it('gives up after the bounded attempts with a domain error naming detail types and codes', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }],
    });

    // Act
    const act = publisher(3).publish([ticketFiled(1)]);

    // Assess
    await expect(act).rejects.toThrow(EventPublishError);
    await expect(act).rejects.toThrow('Ticket Filed: InternalFailure');
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(3);
  });

  it('lets a failed call (after the SDK retries) propagate so the invocation is retried', async () => {
    // Prepare
    eventBridge
      .on(PutEventsCommand)
      .rejects(Object.assign(new Error('no bus'), { name: 'ResourceNotFoundException' }));

    // Act
    const act = publisher().publish([ticketFiled(1)]);

    // Assess
    await expect(act).rejects.toThrow('no bus');
  });

  it('sends nothing for an empty list', async () => {
    // Act
    await publisher().publish([]);

    // Assess
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
