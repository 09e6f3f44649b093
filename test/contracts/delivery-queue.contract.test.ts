import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsDeliveryQueue } from '../../functions/adapters/sqs-delivery-queue.ts';
import type { ProcessDeliveryDependencies } from '../../functions/core/delivery/process-requests.ts';
import {
  type DeliveryRequest,
  messageGroupOf,
  parseDeliveryRequest,
} from '../../functions/core/delivery/requests.ts';
import { FixedClock } from '../support/recording-ports.ts';
import { DeliveryQueueDouble } from '../support/validate-change-harness.ts';
import { describeDeliveryQueueContract } from './delivery-queue.contract.ts';

describeDeliveryQueueContract('DeliveryQueueDouble', () => {
  // Not draining, a send reads only the clock of the consumer's dependencies. A FIFO message's group
  // is the one SQS would give it (the double keeps the request, not the group).
  const clock = new FixedClock(new Date('2026-11-20T16:44:50Z'));
  const queue = new DeliveryQueueDouble(() => ({ clock }) as unknown as ProcessDeliveryDependencies, false);
  return {
    queue,
    queued: () =>
      queue.pending.map(({ request }) => ({
        group: messageGroupOf(request),
        request,
      })),
    refuse: () => {
      queue.refusing = true;
    },
  };
});

describeDeliveryQueueContract('SqsDeliveryQueue', () => {
  // A FIFO queue as SendMessageBatch answers: at most ten entries, each stored unless it refuses.
  const client = new SQSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const stored: { group: string; request: DeliveryRequest }[] = [];
  const seenIds = new Set<string>();
  let refusing = false;
  mockClient(client)
    .on(SendMessageBatchCommand)
    .callsFake(
      async (input: {
        Entries?: {
          Id?: string;
          MessageBody?: string;
          MessageGroupId?: string;
          MessageDeduplicationId?: string;
        }[];
      }) => {
        const entries = input.Entries ?? [];
        if (entries.length > 10) throw new Error('TooManyEntriesInBatchRequest');
        if (refusing) {
          return {
            Successful: [],
            Failed: entries.map(({ Id }) => ({ Id, Code: 'InternalError', SenderFault: false })),
          };
        }
        for (const entry of entries) {
          // FIFO deduplication: a repeated id within five minutes is accepted but not stored again.
          if (seenIds.has(entry.MessageDeduplicationId!)) continue;
          seenIds.add(entry.MessageDeduplicationId!);
          stored.push({
            group: entry.MessageGroupId!,
            request: parseDeliveryRequest(entry.MessageBody!),
          });
        }
        return {
          Successful: entries.map(({ Id }) => ({ Id, MessageId: `m-${Id}`, MD5OfMessageBody: '' })),
          Failed: [],
        };
      },
    );
  return {
    queue: new SqsDeliveryQueue(
      client,
      'https://sqs.eu-west-1.amazonaws.com/123456789012/config-steward-delivery.fifo',
    ),
    queued: () => [...stored],
    refuse: () => {
      refusing = true;
    },
  };
});
