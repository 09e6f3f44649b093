/**
 * The validate-change handler's wiring: an SQS batch or a single event in, each change judged through
 * the use case (its domain cases are in test/unit/validate-change.test.ts), the batch's failures
 * reported by record, malformed input named and logged.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MalformedEventError } from '../../functions/core/errors.ts';
import { LAST_KNOWN_GOOD } from '../../functions/core/names.ts';
import { InMemoryTicketTracker } from '../support/recording-ports.ts';
import {
  changeEvent,
  fixture,
  HANDLER_ENV,
  type HarnessOptions,
  lambdaContext,
  sqsEvent,
  validateChangePorts,
} from '../support/validate-change-harness.ts';

vi.mock('../../functions/adapters/tickets/create-ticket-tracker.ts', () => ({
  createTicketTracker: () => new InMemoryTicketTracker(),
}));

let createValidateChangeHandler: typeof import('../../functions/handlers/validate-change.ts').createValidateChangeHandler;

beforeAll(async () => {
  for (const [name, value] of Object.entries(HANDLER_ENV)) vi.stubEnv(name, value);
  ({ createValidateChangeHandler } = await import('../../functions/handlers/validate-change.ts'));
});

const MAX_RETRIES = '/config/production/orders/max-retries';

/** The example organisation deployed (max-retries of production left to each test), over in-memory ports. */
async function setup(options: HarnessOptions = {}) {
  const ports = await validateChangePorts({ unseeded: [MAX_RETRIES], ...options });
  const handler = createValidateChangeHandler(ports.deps);
  const invoke = (event: unknown) => handler(event, lambdaContext);
  return { ...ports, handler, invoke };
}

describe('Handler: validate-change', () => {
  it('judges the AWS update fixture handed over directly and returns its outcome', async () => {
    // Prepare: the update fixture names production orders max-retries
    const { store, invoke, publisher } = await setup();
    store.seed(MAX_RETRIES, '7');

    // Act
    const outcome = await invoke(fixture('ssm-parameter-change-update.json'));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'accepted', parameterName: MAX_RETRIES, version: 1 });
    expect(publisher.ofType('Config Change Accepted')[0]?.detail).toMatchObject({
      triggeringEventId: '6a7e4feb-b491-4cf7-a9f1-bf3703497718',
    });
  });

  it('judges each parameter of a batch once, however many records name it', async () => {
    // Prepare: three records for one edit (EventBridge delivers at least once)
    const { store, handler, publisher, queue } = await setup();
    store.seed(MAX_RETRIES, '7');
    const record = changeEvent(MAX_RETRIES, 'Update', 'evt-1');

    // Act
    const response = await handler(sqsEvent([record, record, record]), lambdaContext);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(store.calls.filter((c) => c === 'history')).toHaveLength(1);
    expect(publisher.ofType('Config Change Accepted')).toHaveLength(1);
    expect(queue.sent).toHaveLength(1);
  });

  it('reports only the failed record of a batch, which stays unlabelled for its retry', async () => {
    // Prepare: reading payments' fraud threshold fails (throttled after every retry)
    const fraudThreshold = '/config/production/payments/fraud-threshold';
    const { store, handler } = await setup();
    store.seed(MAX_RETRIES, '7');
    store.seed(fraudThreshold, '60');
    const history = store.history.bind(store);
    vi.spyOn(store, 'history').mockImplementation(async (name) => {
      if (name === fraudThreshold) {
        throw Object.assign(new Error('throttled'), { name: 'ParameterStoreThrottledError' });
      }
      return history(name);
    });

    // Act
    const response = await handler(
      sqsEvent([changeEvent(MAX_RETRIES), changeEvent(fraudThreshold)], { ids: ['m-orders', 'm-payments'] }),
      lambdaContext,
    );

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-payments' }] });
    expect((await history(MAX_RETRIES)).at(-1)?.labels).toEqual([LAST_KNOWN_GOOD]);
    expect((await history(fraudThreshold)).at(-1)?.labels).toEqual([]);
  });

  it('fails the records whose requests could not be queued, and labels none of them', async () => {
    // Prepare
    const { store, handler, queue } = await setup();
    store.seed(MAX_RETRIES, '7');
    vi.spyOn(queue, 'send').mockRejectedValueOnce(new Error('SendMessageBatch failed'));

    // Act
    const response = await handler(sqsEvent([changeEvent(MAX_RETRIES)], { ids: ['m-1'] }), lambdaContext);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }] });
    expect((await store.history(MAX_RETRIES)).at(-1)?.labels).toEqual([]);
  });

  it('reports a malformed record by its message id and handles the rest of the batch', async () => {
    // Prepare
    const { store, handler } = await setup();
    store.seed(MAX_RETRIES, '7');

    // Act
    const response = await handler(
      sqsEvent(['not json', { id: 'evt-x', detail: {} }, changeEvent(MAX_RETRIES)], {
        ids: ['m-bad', 'm-worse', 'm-good'],
      }),
      lambdaContext,
    );

    // Assess
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: 'm-bad' }, { itemIdentifier: 'm-worse' }],
    });
    expect((await store.history(MAX_RETRIES)).at(-1)?.labels).toEqual([LAST_KNOWN_GOOD]);
  });

  it('rejects a malformed event with a clear error naming its id, logs it, and writes nothing', async () => {
    // Prepare
    const logger = new Logger({ logLevel: 'SILENT' });
    const logged = vi.spyOn(logger, 'error');
    const { store, invoke } = await setup({ logger });
    const event = fixture('ssm-parameter-change-update.json');
    event.detail = { operation: 'Rename' };

    // Act
    const act = invoke(event);

    // Assess
    await expect(act).rejects.toBeInstanceOf(MalformedEventError);
    await expect(act).rejects.toThrow(/6a7e4feb-b491-4cf7-a9f1-bf3703497718.*detail\.name/);
    expect(logged).toHaveBeenCalledWith(
      'change not handled',
      expect.objectContaining({
        eventId: '6a7e4feb-b491-4cf7-a9f1-bf3703497718',
        errorName: 'MalformedEventError',
      }),
    );
    expect(store.calls).toEqual([]);
  });
});
