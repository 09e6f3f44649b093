import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { parseDeliveryRequest } from '../../functions/core/delivery/requests.ts';
import { MalformedEventError } from '../../functions/core/errors.ts';
import { serviceFlagsDocument } from '../../functions/core/flags/profile-document.ts';
import { deliveryMaxReceives } from '../../lib/constructs/change-delivery.ts';
import { loadSettings } from '../../lib/settings.ts';
import { powertoolsLines } from '../support/powertools-output.ts';
import { InMemoryTicketTracker } from '../support/recording-ports.ts';
import {
  HANDLER_ENV,
  lambdaContext,
  sqsEvent,
  validateChangePorts,
} from '../support/validate-change-harness.ts';

vi.mock('../../functions/adapters/tickets/create-ticket-tracker.ts', () => ({
  createTicketTracker: () => new InMemoryTicketTracker(),
}));

let createDeliverChangesHandler: typeof import('../../functions/handlers/deliver-changes.ts').createDeliverChangesHandler;

beforeAll(async () => {
  for (const [name, value] of Object.entries(HANDLER_ENV)) vi.stubEnv(name, value);
  vi.stubEnv('STEWARD_DELIVERY_QUEUE_URL', 'https://sqs.eu-west-1.amazonaws.com/123456789012/delivery.fifo');
  ({ createDeliverChangesHandler } = await import('../../functions/handlers/deliver-changes.ts'));
});

const DELIVER_ORDERS = {
  kind: 'deliver',
  service: 'orders',
  environment: 'production',
  triggeringEventIds: ['evt-1', 'evt-2'],
};

/** What the reconcile asks for when a stack deployment changed the flags of orders in production. */
const DELIVER_ORDERS_FLAGS = {
  kind: 'deliver-flags',
  service: 'orders',
  environment: 'production',
  triggeringEventIds: ['reconcile:req-1'],
};

/** Records the records sent back to the queue, as SQS ChangeMessageVisibility would. */
class RecordingRetry {
  readonly calls: { handles: readonly string[]; seconds: number }[] = [];
  async retryLater(handles: readonly string[], seconds: number): Promise<number> {
    this.calls.push({ handles, seconds });
    return 0;
  }
}

async function setup(options: { busyEnvironments?: string[]; logger?: Logger } = {}) {
  const ports = await validateChangePorts(options);
  const queue = new RecordingRetry();
  const handler = createDeliverChangesHandler({
    ...ports.consumerDeps,
    queue,
    retrySeconds: 60,
    minIntervalMs: 60_000,
    logger: options.logger ?? new Logger({ logLevel: 'SILENT' }),
  });
  return { ...ports, queue, handler };
}

/**
 * One request handed over while its environment is busy, then again (received a second time) a
 * minute later, once it is free.
 */
async function busyThenFree(ports: Awaited<ReturnType<typeof setup>>, request: object) {
  const { handler, delivery, clock } = ports;
  const event = (receiveCount: number) =>
    sqsEvent([request], { ids: ['m-1'], receiveCount, sentAt: new Date(clock.now().getTime() - 1_000) });
  const busy = await handler(event(1), lambdaContext);
  delivery.busyEnvironments.clear();
  clock.advance(60_000);
  const free = await handler(event(2), lambdaContext);
  return { busy, free };
}

describe('Handler: deliver-changes', () => {
  it('sends a busy environment back to the queue without a read, then ships once it is free', async () => {
    // Prepare
    const ports = await setup({ busyEnvironments: ['env-orders-production'] });
    const { queue, store, delivery, publisher } = ports;

    // Act
    const { busy, free } = await busyThenFree(ports, DELIVER_ORDERS);

    // Assess
    expect(busy).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(queue.calls).toEqual([{ handles: ['handle-1'], seconds: 60 }]);
    expect(free).toEqual({ batchItemFailures: [] });
    expect(store.calls).toEqual(['getByPath', 'getByPath']);
    expect(delivery.deployments).toHaveLength(1);
    expect(publisher.ofType('Config Deployment Started')[0]?.detail).toMatchObject({
      queued: true,
      triggeringEventIds: ['evt-1', 'evt-2'],
    });
  });

  it("logs each delivery's service as configService, beside the Lambda service Powertools keeps", async () => {
    // Prepare: a real Logger at INFO
    const { handler } = await setup({
      logger: new Logger({ serviceName: 'config-steward-deliver-changes', logLevel: 'INFO' }),
    });

    // Act
    const lines = await powertoolsLines(() =>
      handler(sqsEvent([DELIVER_ORDERS], { ids: ['m-1'] }), lambdaContext),
    );

    // Assess: the delivery report's own `service` is kept, and no "reserved key" warning is written
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'INFO',
        message: 'delivery',
        service: 'config-steward-deliver-changes',
        configService: 'orders',
        environment: 'production',
        status: 'started',
      }),
    ]);
  });

  it('reports a malformed request by its message id, sends it back after retrySeconds, and delivers the rest', async () => {
    // Prepare
    const { handler, delivery, queue } = await setup();

    // Act
    const response = await handler(
      sqsEvent([{ kind: 'deploy' }, DELIVER_ORDERS], { ids: ['m-bad', 'm-good'] }),
      lambdaContext,
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-bad' }] });
    expect(delivery.deployments).toHaveLength(1);
    // Left to the queue's visibility timeout (six times the function's), it would hold its FIFO
    // group for 18 minutes on every receive; like any failure it comes back after retrySeconds and
    // reaches the dead-letter queue after maxWaitMinutes.
    expect(queue.calls).toEqual([{ handles: ['handle-1'], seconds: 60 }]);
  });

  it('starts no group once too little of the invocation is left, and sends the rest back', async () => {
    // Prepare: two groups; the time runs short after the first (large services read for a while)
    const { handler, delivery, queue } = await setup();
    const remaining = [120_000, 60_000];
    const context = { ...lambdaContext, getRemainingTimeInMillis: () => remaining.shift() ?? 0 };
    const staging = { ...DELIVER_ORDERS, environment: 'staging' };

    // Act
    const response = await handler(sqsEvent([DELIVER_ORDERS, staging], { ids: ['m-1', 'm-2'] }), context);

    // Assess: the second comes back after retrySeconds instead of timing the batch out
    expect(delivery.deployments).toHaveLength(1);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    expect(queue.calls).toEqual([{ handles: ['handle-2'], seconds: 60 }]);
  });

  it('keeps a failing request on the queue on every receive, so its redrive bound moves it, whole, to the DLQ', async () => {
    // Prepare: AppConfig refuses every call; SQS's redrive plays out with the stack's bound
    const { handler, delivery } = await setup();
    delivery.ensureHostedVersion = async () => {
      throw new Error('AccessDeniedException');
    };
    const maxReceives = deliveryMaxReceives(loadSettings('config/settings.json'));
    const deadLetters: { messageId: string; body: string }[] = [];

    // Act
    for (let receive = 1; receive <= maxReceives; receive++) {
      const event = sqsEvent([DELIVER_ORDERS], { ids: ['m-1'], receiveCount: receive });
      const { batchItemFailures } = await handler(event, lambdaContext);
      // SQS: a failed record whose receive count reached maxReceiveCount moves to the DLQ as it is
      if (batchItemFailures.length > 0 && receive === maxReceives) {
        deadLetters.push({ messageId: 'm-1', body: event.Records[0]!.body });
      }
    }

    // Assess: nothing lost silently; the dead letter says what it was for
    expect(maxReceives).toBe(180);
    expect(deadLetters).toHaveLength(1);
    expect(parseDeliveryRequest(deadLetters[0]!.body)).toEqual(DELIVER_ORDERS);
  });

  it('sends a flags request back while the environment is busy, then ships the flags config/ gives, reading no parameter', async () => {
    // Prepare: a document rollout holds production
    const ports = await setup({ busyEnvironments: ['env-orders-production'] });
    const { queue, store, delivery, publisher, registry } = ports;

    // Act
    const { busy, free } = await busyThenFree(ports, DELIVER_ORDERS_FLAGS);

    // Assess
    expect(busy).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect(queue.calls).toEqual([{ handles: ['handle-1'], seconds: 60 }]);
    expect(free).toEqual({ batchItemFailures: [] });
    expect(store.calls).toEqual([]);
    expect(delivery.attempts).toEqual([
      expect.objectContaining({
        configurationProfileId: 'flags-orders',
        environmentId: 'env-orders-production',
      }),
    ]);
    expect(delivery.hosted.map((h) => h.content)).toEqual([
      JSON.stringify(serviceFlagsDocument(registry.service('orders'), 'production')),
    ]);
    expect(publisher.ofType('Config Deployment Started')[0]?.detail).toMatchObject({
      configurationProfileId: 'flags-orders',
      queued: true,
      triggeringEventIds: ['reconcile:req-1'],
    });
  });

  it('answers a document and a flags request of one group with one delivery each, and logs which profile', async () => {
    // Prepare: a real Logger at INFO
    const { handler, delivery } = await setup({
      logger: new Logger({ serviceName: 'config-steward-deliver-changes', logLevel: 'INFO' }),
    });

    // Act
    const lines = await powertoolsLines(() =>
      handler(sqsEvent([DELIVER_ORDERS, DELIVER_ORDERS_FLAGS], { ids: ['m-1', 'm-2'] }), lambdaContext),
    );

    // Assess: the double accepts both at once; AppConfig's one-at-a-time is the core tests' (deliver-flags.test.ts)
    expect(delivery.attempts.map((a) => a.configurationProfileId)).toEqual(['doc-orders', 'flags-orders']);
    expect(lines).toEqual([
      expect.objectContaining({ message: 'delivery', configService: 'orders', status: 'started' }),
      expect.objectContaining({
        message: 'delivery',
        configService: 'orders',
        profile: 'flags',
        status: 'started',
      }),
    ]);
    expect(lines[0]).not.toHaveProperty('profile');
  });

  it('refuses an event that is not an SQS batch', async () => {
    // Prepare
    const { handler } = await setup();

    // Act & Assess
    await expect(handler({ detail: {} }, lambdaContext)).rejects.toBeInstanceOf(MalformedEventError);
  });
});
