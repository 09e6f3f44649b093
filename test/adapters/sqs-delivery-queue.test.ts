import {
  ChangeMessageVisibilityBatchCommand,
  SendMessageBatchCommand,
  SQSClient,
  SQSServiceException,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../../functions/ports/adapter-error.ts';
import { DeliveryQueueError } from '../../functions/ports/delivery-queue.errors.ts';
import { SqsDeliveryQueue } from '../../functions/adapters/sqs-delivery-queue.ts';
import type { DeliveryRequest } from '../../functions/core/delivery/requests.ts';

const sqs = mockClient(SQSClient);
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/config-steward-delivery.fifo';

const deliver = (service: string, environment = 'production'): DeliveryRequest => ({
  kind: 'deliver',
  service,
  environment,
  triggeringEventIds: ['evt-1'],
});

describe('Class: SqsDeliveryQueue', () => {
  beforeEach(() => {
    sqs.reset();
  });

  it('sends each request to its message group (deliveries or restores of a document)', async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const restore: DeliveryRequest = {
      kind: 'restore',
      service: 'orders',
      environment: 'production',
      parameterName: '/config/production/orders/max-retries',
      rejectedVersion: 9,
      triggeringEventId: 'evt-bad',
    };

    // Act
    await new SqsDeliveryQueue(new SQSClient({}), QUEUE_URL).send([restore, deliver('orders')]);

    // Assess
    const restoreBody = JSON.stringify(restore);
    expect(sqs).toReceiveCommandTimes(SendMessageBatchCommand, 1);
    expect(sqs).toReceiveCommandWith(SendMessageBatchCommand, {
      QueueUrl: QUEUE_URL,
      Entries: [
        {
          Id: '0',
          MessageBody: restoreBody,
          MessageGroupId: 'production#orders#restores',
          MessageDeduplicationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        },
        expect.objectContaining({ Id: '1', MessageGroupId: 'production#orders' }),
      ],
    });
  });

  it('never lets SQS deduplicate a later send of the same request', async () => {
    // Prepare: SQS drops, for five minutes, a message whose deduplication id it saw, even one already
    // received and deleted. A deliver request sent again (the same event file replayed by steward
    // invoke after the value changed, or a duplicate event judged after a newer write) asks for a
    // newer state than the first one, which may already have been composed.
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const queue = new SqsDeliveryQueue(new SQSClient({}), QUEUE_URL);

    // Act
    await queue.send([deliver('orders')]);
    await queue.send([deliver('orders')]);

    // Assess
    const ids = sqs
      .commandCalls(SendMessageBatchCommand)
      .map((call) => call.args[0].input.Entries?.[0]?.MessageDeduplicationId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('sends ten entries per call, as SQS allows', async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const requests = Array.from({ length: 23 }, (_, i) => deliver(`service-${i}`));

    // Act
    await new SqsDeliveryQueue(new SQSClient({}), QUEUE_URL).send(requests);

    // Assess
    const sizes = sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.length);
    expect(sizes).toEqual([10, 10, 3]);
  });

  it('throws, naming the groups, when SQS did not store every entry', async () => {
    // Prepare
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: 'x' }],
      Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }],
    });

    // Act
    const act = new SqsDeliveryQueue(new SQSClient({}), QUEUE_URL).send([
      deliver('orders'),
      deliver('payments'),
    ]);

    // Assess
    await expect(act).rejects.toBeInstanceOf(DeliveryQueueError);
    await expect(act).rejects.toBeInstanceOf(AdapterError);
    await expect(act).rejects.toThrow('1 requests not queued: production#payments (InternalError)');
  });

  it('translates a failed call into a DeliveryQueueError with the cause', async () => {
    // Prepare
    const cause = new SQSServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: {},
      message: 'no',
    });
    sqs.on(SendMessageBatchCommand).rejects(cause);

    // Act
    const act = new SqsDeliveryQueue(new SQSClient({}), QUEUE_URL).send([deliver('orders')]);

    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'DeliveryQueueError',
      message: 'SendMessageBatch to the delivery queue failed: AccessDenied',
      cause,
    });
  });

  it('sends waiting records back after the given seconds, and counts those it could not', async () => {
    // Prepare
    sqs
      .on(ChangeMessageVisibilityBatchCommand)
      .resolvesOnce({
        Successful: [],
        Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', SenderFault: true }],
      })
      .rejects(new Error('network'));
    const handles = Array.from({ length: 12 }, (_, i) => `handle-${i}`);

    // Act
    const unchanged = await new SqsDeliveryQueue(new SQSClient({}), QUEUE_URL).retryLater(handles, 60);

    // Assess: one refused in the first call, both of the second call's entries unchanged
    expect(unchanged).toBe(3);
    expect(sqs).toReceiveCommandWith(ChangeMessageVisibilityBatchCommand, {
      QueueUrl: QUEUE_URL,
      Entries: expect.arrayContaining([{ Id: '0', ReceiptHandle: 'handle-0', VisibilityTimeout: 60 }]),
    });
  });
});
