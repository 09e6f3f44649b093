import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  batchEntries,
  EventBridgeEventPublisher,
  entrySize,
  PUBLISHED_EVENT_CHANNEL,
  PUT_EVENTS_MAX_BYTES,
  type PublishedEvent,
  type PublisherLogger,
} from '../../functions/adapters/eventbridge-publisher.ts';
import {
  EventPublishError,
  EventPublisherError,
  EventTooLargeError,
} from '../../functions/ports/event-publisher.errors.ts';
import { type StewardEvent, stewardEvent } from '../../functions/core/events.ts';
import { powertoolsLines } from '../support/powertools-output.ts';
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

/** Records the publisher's log lines. */
class RecordingLogger {
  readonly lines: { message: string; attributes: Record<string, unknown> }[] = [];
  info(message: string, ...extra: Record<string, unknown>[]): void {
    this.lines.push({ message, attributes: Object.assign({}, ...extra) as Record<string, unknown> });
  }
}

function publisher(maxAttempts = 4, logger: PublisherLogger = new RecordingLogger()) {
  return new EventBridgeEventPublisher(new EventBridgeClient({}), 'config-steward', {
    sleep: noSleep,
    maxAttempts,
    clock: new FixedClock(new Date('2026-11-20T16:44:50Z')),
    logger,
  });
}

const SENTINEL = 'sentinel-9f3c-DO-NOT-LOG';

/** An accepted change of a plain parameter: its detail carries the value (and previous value). */
function accepted(value: string): StewardEvent {
  return stewardEvent('Config Change Accepted', {
    parameterName: '/config/production/orders/max-retries',
    environment: 'production',
    service: 'orders',
    key: 'max-retries',
    version: 4,
    previousVersion: 3,
    operation: 'Update',
    actor: 'arn:aws:iam::123456789012:user/alice',
    parameterType: 'String',
    valueFingerprint: `hmac-sha256:${'a'.repeat(64)}`,
    value,
    previousValue: value,
    changedAt: '2026-11-20T16:44:48Z',
    triggeringEventId: '6a7e4feb-b491-4cf7-a9f1-bf3703497718',
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

  it('lets a failed call (after the SDK retries) propagate, translated, so the invocation is retried', async () => {
    // Prepare
    const cause = Object.assign(new Error('no bus'), { name: 'ResourceNotFoundException' });
    eventBridge.on(PutEventsCommand).rejects(cause);

    // Act
    const act = publisher().publish([ticketFiled(1)]);

    // Assess
    await expect(act).rejects.toBeInstanceOf(EventPublisherError);
    await expect(act).rejects.toMatchObject({
      message: 'PutEvents of 1 event(s) failed: ResourceNotFoundException',
      cause: expect.objectContaining({ message: 'no bus' }),
    });
  });

  it('sends nothing for an empty list', async () => {
    // Act
    await publisher().publish([]);

    // Assess
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('logs each entry that got through at INFO with its detail type and identifying fields only', async () => {
    // Prepare
    const logger = new RecordingLogger();
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 1,
        Entries: [{ EventId: 'e-1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }],
      })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-2' }] });

    // Act
    await publisher(4, logger).publish([accepted('7'), ticketFiled(2)]);

    // Assess: one line per entry, when it got through (the throttled one after its resend)
    expect(logger.lines).toEqual([
      {
        message: 'published event',
        attributes: {
          detailType: 'Config Change Accepted',
          eventId: 'e-1',
          parameterName: '/config/production/orders/max-retries',
          configService: 'orders',
          environment: 'production',
        },
      },
      {
        message: 'published event',
        attributes: {
          detailType: 'Ticket Filed',
          eventId: 'e-2',
          dedupKey: 'validation:/config/staging/orders/k2',
        },
      },
    ]);
  });

  it('logs nothing for entries that never got through', async () => {
    // Prepare
    const logger = new RecordingLogger();
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'boom' }],
    });

    // Act
    const act = publisher(2, logger).publish([ticketFiled(1)]);

    // Assess
    await expect(act).rejects.toThrow(EventPublishError);
    expect(logger.lines).toEqual([]);
  });

  it('announces each published entry on the diagnostics channel', async () => {
    // Prepare
    const heard: PublishedEvent[] = [];
    const listen = (message: unknown) => heard.push(message as PublishedEvent);
    subscribe(PUBLISHED_EVENT_CHANNEL, listen);
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    // Act
    try {
      await publisher().publish([ticketFiled(1)]);
    } finally {
      unsubscribe(PUBLISHED_EVENT_CHANNEL, listen);
    }

    // Assess
    expect(heard).toEqual([
      {
        detailType: 'Ticket Filed',
        eventId: 'e-1',
        fields: { dedupKey: 'validation:/config/staging/orders/k1' },
      },
    ]);
  });

  it('never logs or announces a value, a title or any other non-identifying field', async () => {
    // Prepare
    const logger = new RecordingLogger();
    const heard: unknown[] = [];
    const listen = (message: unknown) => heard.push(message);
    subscribe(PUBLISHED_EVENT_CHANNEL, listen);
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 0,
      Entries: [{ EventId: 'e-1' }, { EventId: 'e-2' }],
    });

    // Act
    try {
      await publisher(4, logger).publish([accepted(SENTINEL), ticketFiled(1, `title ${SENTINEL}`)]);
    } finally {
      unsubscribe(PUBLISHED_EVENT_CHANNEL, listen);
    }

    // Assess: the value did reach the bus, but nothing captured here
    expect(JSON.stringify(eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input)).toContain(SENTINEL);
    expect(logger.lines).toHaveLength(2);
    expect(heard).toHaveLength(2);
    expect(JSON.stringify(logger.lines)).not.toContain(SENTINEL);
    expect(JSON.stringify(heard)).not.toContain(SENTINEL);
    for (const line of logger.lines) {
      expect(Object.keys(line.attributes)).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^(value|previousValue|title|actor|key)$/)]),
      );
    }
  });

  describe('with the real Powertools Logger', () => {
    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('writes the config service as configService, which Powertools keeps beside its own service', async () => {
      // Prepare: a real Logger (the suite silences Powertools, so the level is set here)
      const logger = new Logger({ serviceName: 'config-steward-validate-change', logLevel: 'INFO' });
      eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

      // Act
      const lines = await powertoolsLines(() => publisher(4, logger).publish([accepted('7')]));

      // Assess: one JSON line, no "reserved key" warning, both services present and distinct
      expect(lines).toEqual([
        expect.objectContaining({
          level: 'INFO',
          message: 'published event',
          service: 'config-steward-validate-change',
          detailType: 'Config Change Accepted',
          eventId: 'e-1',
          parameterName: '/config/production/orders/max-retries',
          configService: 'orders',
          environment: 'production',
        }),
      ]);
    });
  });

  describe('without a logger', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
      vi.restoreAllMocks();
    });

    it('logs through Powertools inside Lambda, and keeps a CLI stdout clean elsewhere', async () => {
      // Prepare
      const info = vi.spyOn(Logger.prototype, 'info');
      eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
      const plain = () => new EventBridgeEventPublisher(new EventBridgeClient({}), 'config-steward');

      // Act
      vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');
      await plain().publish([ticketFiled(1)]);
      const outsideLambda = info.mock.calls.length;
      vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'config-steward-drift-job');
      await plain().publish([ticketFiled(2)]);

      // Assess
      expect(outsideLambda).toBe(0);
      expect(info.mock.calls).toEqual([
        [
          'published event',
          { detailType: 'Ticket Filed', eventId: 'e-1', dedupKey: 'validation:/config/staging/orders/k2' },
        ],
      ]);
    });
  });
});
