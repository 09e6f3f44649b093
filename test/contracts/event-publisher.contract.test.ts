import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeEventPublisher } from '../../functions/adapters/eventbridge-publisher.ts';
import { FixedClock, RecordingEventPublisher } from '../support/recording-ports.ts';
import { describeEventPublisherContract } from './event-publisher.contract.ts';

describeEventPublisherContract('RecordingEventPublisher', () => {
  const publisher = new RecordingEventPublisher();
  return {
    publisher,
    published: () => publisher.events.map(({ detailType, detail }) => ({ detailType, detail })),
    refuse: () => {
      publisher.refusing = true;
    },
  };
});

describeEventPublisherContract('EventBridgeEventPublisher', () => {
  // The bus as PutEvents answers: entries accepted one by one, or every entry failed with a code.
  const client = new EventBridgeClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const bus: { detailType: string; detail: unknown }[] = [];
  let refusing = false;
  mockClient(client)
    .on(PutEventsCommand)
    .callsFake(async (input: { Entries?: { DetailType?: string; Detail?: string; Source?: string }[] }) => {
      const entries = input.Entries ?? [];
      if (refusing) {
        return {
          FailedEntryCount: entries.length,
          Entries: entries.map(() => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'refused' })),
        };
      }
      for (const entry of entries) {
        if (entry.Source !== 'config.steward') throw new Error(`unexpected source ${entry.Source}`);
        bus.push({ detailType: entry.DetailType!, detail: JSON.parse(entry.Detail!) });
      }
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e-${bus.length + i}` })) };
    });
  return {
    publisher: new EventBridgeEventPublisher(client, 'config-steward', {
      sleep: async () => {},
      clock: new FixedClock(new Date('2026-11-20T16:44:50Z')),
      logger: { info: () => undefined },
    }),
    published: () => [...bus],
    refuse: () => {
      refusing = true;
    },
  };
});
