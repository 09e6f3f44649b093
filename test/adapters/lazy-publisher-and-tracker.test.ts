import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeOpsItemsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EVENT_SOURCE, stewardEvent } from '../../functions/core/events.ts';
import {
  lazyEventBridgePublisher,
  lazyTicketTracker,
} from '../../functions/runtime/lazy-publisher-and-tracker.ts';

const eventBridge = mockClient(EventBridgeClient);
const ssm = mockClient(SSMClient);

beforeEach(() => {
  eventBridge.reset();
  ssm.reset();
});

describe('Function: lazyEventBridgePublisher', () => {
  it('sends nothing for no events, and the events to the bus once loaded', async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    const publisher = lazyEventBridgePublisher(new EventBridgeClient({}), 'config-steward');

    // Act
    await publisher.publish([]);

    // Assess
    expect(eventBridge).not.toReceiveAnyCommand();

    // Act
    await publisher.publish([
      stewardEvent('Ticket Filed', {
        dedupKey: 'drift:production/orders/max-retries',
        ticket: { tracker: 'opscenter', id: 'oi-1' },
        title: 'Drift',
        created: true,
      }),
    ]);

    // Assess
    expect(eventBridge).toHaveReceivedCommandTimes(PutEventsCommand, 1);
    expect(eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries).toEqual([
      expect.objectContaining({
        EventBusName: 'config-steward',
        Source: EVENT_SOURCE,
        DetailType: 'Ticket Filed',
      }),
    ]);
  });
});

describe('Function: lazyTicketTracker', () => {
  it('answers through the tracker the settings select, with the clients it was given', async () => {
    // Prepare
    ssm.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });
    const tracker = lazyTicketTracker({ tracker: 'opscenter' }, { ssm: new SSMClient({}) });

    // Act
    const open = await tracker.listOpen();

    // Assess
    expect(open).toEqual([]);
    expect(ssm).toHaveReceivedCommandTimes(DescribeOpsItemsCommand, 1);
  });
});
