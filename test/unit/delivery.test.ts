import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { affectedServices } from '../../functions/core/delivery/affected-services.ts';
import {
  DELIVERY_TIMEOUT_SECONDS,
  type DeliveryDemand,
  deliverDocument,
} from '../../functions/core/delivery/deliver.ts';
import { InProcessDeliveryQueue } from '../../functions/core/delivery/in-process-queue.ts';
import { processDeliveryRequests } from '../../functions/core/delivery/process-requests.ts';
import {
  coalesceDeliveries,
  messageGroupOf,
  parseDeliveryRequest,
} from '../../functions/core/delivery/requests.ts';
import { MalformedEventError, StewardError } from '../../functions/core/errors.ts';
import { isQueueEvent, parseQueueRecords } from '../../functions/core/pipeline/queue-records.ts';
import { LAST_KNOWN_GOOD, RESTORE_ANNOUNCED } from '../../functions/core/names.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { FixedClock, InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';
import {
  exampleRegistry,
  exampleTargets,
  RecordingConfigDelivery,
  seedDesiredState,
} from '../support/validate-change-harness.ts';

const NOW = new Date('2026-11-20T16:45:00Z');

async function deployed(options: { busyEnvironments?: string[]; busyAnswers?: number } = {}) {
  const registry = exampleRegistry();
  const store = new InMemoryParameterStore();
  await seedDesiredState(store, registry);
  const clock = new FixedClock(NOW);
  const delivery = new RecordingConfigDelivery({ ...options, clock });
  const deps = { registry, store, delivery, targets: exampleTargets(), clock };
  return { registry, store, clock, delivery, deps };
}

function demand(overrides: Partial<DeliveryDemand> = {}): DeliveryDemand {
  return {
    service: 'orders',
    environment: 'staging',
    triggeringEventIds: ['evt-1'],
    newestQueuedAt: new Date(NOW.getTime() - 5_000),
    retried: false,
    ...overrides,
  };
}

describe('Function: deliverDocument', () => {
  it('composes the document from one read of the stored values, shared layered under the service', async () => {
    // Prepare
    const { store, delivery, deps } = await deployed();
    store.seed('/config/staging/shared/http/timeout', '5s');
    store.seed('/config/staging/orders/max-retries', '2');

    // Act
    const { report, events } = await deliverDocument(
      demand({ triggeringEventIds: ['evt-1', 'evt-2'] }),
      deps,
    );

    // Assess
    expect(report).toMatchObject({
      service: 'orders',
      status: 'started',
      configurationVersion: '1',
      queued: false,
    });
    expect(JSON.parse(delivery.hosted[0]!.content)).toMatchObject({
      'http/timeout': '5s',
      'max-retries': 2,
      'log-level': 'debug',
      'page-size': 50,
    });
    expect(delivery.hosted[0]?.description).toMatch(
      /^config-steward staging\/orders sha256=[0-9a-f]{64} event=evt-1 \(\+1\)$/,
    );
    expect(events.map((e) => e.detail)).toEqual([
      expect.objectContaining({ triggeringEventIds: ['evt-1', 'evt-2'], queued: false }),
    ]);
    expect(store.calls).toEqual(['getByPath', 'getByPath']);
  });

  it('labels each hosted version with its document hash, and does not ship the same document twice', async () => {
    // Prepare: one delivery of the current document went out a while ago
    const { delivery, deps, clock } = await deployed();
    const first = await deliverDocument(demand(), deps);
    clock.advance(120_000);

    // Act: a request that composes the very same document
    const again = await deliverDocument(demand({ newestQueuedAt: clock.now() }), deps);

    // Assess
    const sha = createHash('sha256').update(delivery.hosted[0]!.content).digest('hex');
    expect(first.report).toMatchObject({ status: 'started' });
    expect(delivery.hosted.map((h) => h.versionLabel)).toEqual([`sha256-${sha}`.slice(0, 64)]);
    expect(again.report).toEqual({
      service: 'orders',
      environment: 'staging',
      status: 'unchanged',
      deploymentNumber: 42,
    });
    expect(again.events).toEqual([]);
    expect(delivery.deployments).toHaveLength(1);
  });

  it('ships the same document again after its deployment was rolled back, and a changed one', async () => {
    // Prepare
    const { store, delivery, deps, clock } = await deployed();
    await deliverDocument(demand(), deps);
    delivery.deployedState = 'ROLLED_BACK';
    clock.advance(120_000);

    // Act
    const rolledBack = await deliverDocument(demand({ newestQueuedAt: clock.now() }), deps);
    delivery.deployedState = 'COMPLETE';
    clock.advance(120_000);
    store.seed('/config/staging/orders/max-retries', '4');
    const changed = await deliverDocument(demand({ newestQueuedAt: clock.now() }), deps);

    // Assess
    expect(rolledBack.report).toMatchObject({ status: 'started' });
    expect(changed.report).toMatchObject({ status: 'started' });
    expect(delivery.deployments).toHaveLength(3);
  });

  it('waits without reading anything while a deployment runs in the environment', async () => {
    // Prepare
    const { store, delivery, deps } = await deployed({ busyEnvironments: ['env-orders-staging'] });

    // Act
    const { report, events } = await deliverDocument(demand(), deps);

    // Assess
    expect(report).toEqual({
      service: 'orders',
      environment: 'staging',
      status: 'wait',
      reason: 'busy',
      runningDeploymentNumber: 7,
    });
    expect(events).toEqual([]);
    expect(store.calls).toEqual([]);
    expect(delivery.hosted).toEqual([]);
  });

  it('is covered, without a read, by a deployment composed after the requests were queued', async () => {
    // Prepare: a request queued, then a deployment started well after it (beyond a delivery's timeout)
    const { store, delivery, deps, clock } = await deployed();
    const queuedAt = clock.now();
    clock.advance(DELIVERY_TIMEOUT_SECONDS * 1000 + 1_000);
    await deliverDocument(demand({ newestQueuedAt: clock.now() }), deps);
    store.calls.length = 0;
    delivery.busyEnvironments.add('env-orders-staging');

    // Act: the older request comes round while that deployment still bakes
    const { report } = await deliverDocument(demand({ newestQueuedAt: queuedAt }), deps);

    // Assess
    expect(report).toEqual({
      service: 'orders',
      environment: 'staging',
      status: 'covered',
      deploymentNumber: 42,
    });
    expect(store.calls).toEqual([]);
  });

  it('is not covered by a deployment that may have been composed before the request', async () => {
    // Prepare: the deployment started within a delivery's timeout after the request was queued
    const { deps, clock } = await deployed();
    const queuedAt = clock.now();
    clock.advance(10_000);
    await deliverDocument(demand({ newestQueuedAt: clock.now() }), deps);
    clock.advance(120_000);

    // Act
    const { report } = await deliverDocument(demand({ newestQueuedAt: queuedAt }), deps);

    // Assess: composed again (and found unchanged)
    expect(report).toMatchObject({ status: 'unchanged' });
  });

  it('waits when its last deployment of the environment started less than the interval ago', async () => {
    // Prepare: staging deploys at once, so a burst would otherwise ship a document per batch
    const { store, deps, clock } = await deployed();
    await deliverDocument(demand(), deps);
    clock.advance(10_000);
    store.seed('/config/staging/orders/max-retries', '4');
    store.calls.length = 0;

    // Act
    const { report } = await deliverDocument(demand({ newestQueuedAt: clock.now() }), {
      ...deps,
      minIntervalMs: 60_000,
    });

    // Assess
    expect(report).toMatchObject({ status: 'wait', reason: 'recently-deployed' });
    expect(store.calls).toEqual([]);
  });

  it('waits when AppConfig refuses the deployment because another one just started', async () => {
    // Prepare
    const { deps } = await deployed({ busyAnswers: 1 });

    // Act
    const { report, events } = await deliverDocument(demand(), deps);

    // Assess
    expect(report).toMatchObject({ status: 'wait', reason: 'busy', runningDeploymentNumber: 41 });
    expect(events).toEqual([]);
  });

  it('says it waited, in the report and the event, when a retried request is delivered', async () => {
    // Prepare
    const { deps } = await deployed();

    // Act
    const { report, events } = await deliverDocument(demand({ retried: true }), deps);

    // Assess
    expect(report).toMatchObject({ status: 'started', queued: true });
    expect(events[0]?.detail).toMatchObject({ queued: true });
  });

  it('leaves SecureString keys out of the document and never decrypts for delivery', async () => {
    // Prepare
    const { store, delivery, deps } = await deployed();
    store.seed('/config/staging/orders/webhook-signing-key', 'k'.repeat(40), 'SecureString');
    const decrypts: boolean[] = [];
    const spyStore = Object.assign(Object.create(store), {
      getByPath: (p: string, o: { decrypt: boolean }) => {
        decrypts.push(o.decrypt);
        return store.getByPath(p, o);
      },
    });

    // Act
    await deliverDocument(demand(), { ...deps, store: spyStore });

    // Assess
    expect(decrypts).toEqual([false, false]);
    expect(JSON.parse(delivery.hosted[0]!.content)).not.toHaveProperty('webhook-signing-key');
  });

  it('reports a service without an AppConfig target as not configured', async () => {
    // Prepare
    const { deps } = await deployed();

    // Act
    const { report } = await deliverDocument(demand({ service: 'payments' }), {
      ...deps,
      targets: { orders: exampleTargets().orders! },
    });

    // Assess
    expect(report).toEqual({ service: 'payments', environment: 'staging', status: 'not-configured' });
  });

  it('affects every service when a shared key changes, one service otherwise', () => {
    // Act & Assess
    expect(affectedServices(exampleRegistry(), 'shared').sort()).toEqual(
      exampleRegistry().serviceNames().sort(),
    );
    expect(exampleRegistry().serviceNames()).toContain('payments');
    expect(affectedServices(exampleRegistry(), 'orders')).toEqual(['orders']);
  });
});

describe('Function: processDeliveryRequests', () => {
  async function consumer(options: { busyEnvironments?: string[] } = {}) {
    const base = await deployed(options);
    const publisher = new RecordingEventPublisher();
    const tickets = new InMemoryTicketTracker();
    const deps = {
      ...base.deps,
      publisher,
      tickets,
      enforcement: () => 'enforce' as const,
    };
    return { ...base, publisher, tickets, deps };
  }
  const queued = (recordId: string, request: object, receiveCount = 1) => ({
    recordId,
    request: parseDeliveryRequest(JSON.stringify(request)),
    queuedAt: new Date(NOW.getTime() - 1_000),
    receiveCount,
  });

  it('restores before it delivers, and answers every deliver request of a group with one delivery', async () => {
    // Prepare: a rejected orders edit in staging, and three requests to deliver orders there
    const { store, delivery, publisher, deps } = await consumer();
    const name = '/config/staging/orders/max-retries';
    store.seed(name, 'lots');
    const records = [
      queued('m1', {
        kind: 'restore',
        service: 'orders',
        environment: 'staging',
        parameterName: name,
        rejectedVersion: 2,
        triggeringEventId: 'evt-bad',
      }),
      queued('m2', {
        kind: 'deliver',
        service: 'orders',
        environment: 'staging',
        triggeringEventIds: ['evt-1'],
      }),
      queued('m3', {
        kind: 'deliver',
        service: 'orders',
        environment: 'staging',
        triggeringEventIds: ['evt-2'],
      }),
    ];

    // Act
    const result = await processDeliveryRequests(records, deps);

    // Assess
    expect(result.done).toEqual(['m1', 'm2', 'm3']);
    expect(store.valueOf(name)).toBe('3');
    expect((await store.history(name)).at(-1)?.labels).toEqual([LAST_KNOWN_GOOD, RESTORE_ANNOUNCED]);
    expect(delivery.deployments).toHaveLength(1);
    expect(JSON.parse(delivery.hosted[0]!.content)).toMatchObject({ 'max-retries': 3 });
    expect(publisher.ofType('Config Deployment Started')[0]?.detail).toMatchObject({
      triggeringEventIds: ['evt-1', 'evt-2'],
    });
  });

  it('sends a busy group back from its first deliver request on, and delivers the other groups', async () => {
    // Prepare
    const { deps, delivery } = await consumer({ busyEnvironments: ['env-orders-production'] });
    const name = '/config/production/orders/max-retries';
    const records = [
      queued('m1', {
        kind: 'restore',
        service: 'orders',
        environment: 'production',
        parameterName: name,
        rejectedVersion: 99,
        triggeringEventId: 'evt-bad',
      }),
      queued('m2', {
        kind: 'deliver',
        service: 'orders',
        environment: 'production',
        triggeringEventIds: ['evt-1'],
      }),
      queued('m3', {
        kind: 'deliver',
        service: 'payments',
        environment: 'production',
        triggeringEventIds: ['evt-2'],
      }),
    ];

    // Act
    const result = await processDeliveryRequests(records, deps);

    // Assess: the restore is done (a superseded one: version 99 is not the newest), orders waits
    expect(result.restores).toEqual([expect.objectContaining({ status: 'superseded' })]);
    expect(result.done).toEqual(['m1', 'm3']);
    expect(result.waiting).toEqual(['m2']);
    expect(delivery.deployments.map((d) => d.applicationId)).toEqual(['app-payments']);
  });

  it('fails one group without stopping the others', async () => {
    // Prepare: AppConfig fails for orders only
    const { deps, delivery } = await consumer();
    const original = delivery.ensureHostedVersion.bind(delivery);
    delivery.ensureHostedVersion = async (document) => {
      if (document.applicationId === 'app-orders') throw new Error('AppConfig unavailable');
      return original(document);
    };
    const records = [
      queued('m1', {
        kind: 'deliver',
        service: 'orders',
        environment: 'staging',
        triggeringEventIds: ['evt-1'],
      }),
      queued('m2', {
        kind: 'deliver',
        service: 'payments',
        environment: 'staging',
        triggeringEventIds: ['evt-2'],
      }),
    ];

    // Act
    const result = await processDeliveryRequests(records, deps);

    // Assess
    expect([...result.failures.keys()]).toEqual(['m1']);
    expect(result.done).toEqual(['m2']);
  });

  it('files a ticket for a document that does not validate as a whole, and deploys nothing', async () => {
    // Prepare
    const { store, deps, tickets, delivery } = await consumer();
    store.seed('/config/staging/shared/log-level', 'verbose');

    // Act
    const result = await processDeliveryRequests(
      [
        queued('m1', {
          kind: 'deliver',
          service: 'orders',
          environment: 'staging',
          triggeringEventIds: ['evt-1'],
        }),
      ],
      deps,
    );

    // Assess
    expect(result.done).toEqual(['m1']);
    expect(tickets.tickets.map((t) => t.request.dedupKey)).toEqual(['document-invalid:staging/orders']);
    expect(tickets.tickets[0]?.request.body).not.toContain('verbose');
    expect(delivery.hosted).toEqual([]);
  });
});

describe('Class: InProcessDeliveryQueue', () => {
  it('runs the consumer at once, and says which environment was busy instead of dropping its request', async () => {
    // Prepare
    const base = await deployed({ busyEnvironments: ['env-orders-production'] });
    const queue = new InProcessDeliveryQueue({
      ...base.deps,
      publisher: new RecordingEventPublisher(),
      tickets: new InMemoryTicketTracker(),
      enforcement: () => 'enforce',
    });

    // Act
    await queue.send([
      { kind: 'deliver', service: 'orders', environment: 'staging', triggeringEventIds: ['e1'] },
    ]);
    const busy = queue.send([
      { kind: 'deliver', service: 'orders', environment: 'production', triggeringEventIds: ['e2'] },
    ]);

    // Assess
    expect(base.delivery.deployments.map((d) => d.environmentId)).toEqual(['env-orders-staging']);
    await expect(busy).rejects.toBeInstanceOf(StewardError);
    await expect(busy).rejects.toThrow('AppConfig is busy for production/orders');
  });
});

describe('Queue records', () => {
  const record = {
    messageId: 'm-1',
    receiptHandle: 'h-1',
    body: '{}',
    eventSource: 'aws:sqs',
    attributes: { SentTimestamp: '1764493200000', ApproximateReceiveCount: '3' },
  };

  it('tells an SQS batch from an EventBridge event, and reads when a record was sent and how often received', () => {
    // Act & Assess
    expect(isQueueEvent({ Records: [record] })).toBe(true);
    expect(isQueueEvent({ id: 'evt', detail: {} })).toBe(false);
    expect(isQueueEvent({ Records: [{ eventSource: 'aws:s3' }] })).toBe(false);
    expect(parseQueueRecords({ Records: [record] })).toEqual([
      {
        messageId: 'm-1',
        receiptHandle: 'h-1',
        body: '{}',
        sentAt: new Date(1764493200000),
        receiveCount: 3,
      },
    ]);
  });

  it('rejects a record without the attributes the pipeline relies on, naming them', () => {
    // Act
    const parse = () => parseQueueRecords({ Records: [{ ...record, attributes: {} }] });

    // Assess
    expect(parse).toThrow(MalformedEventError);
    expect(parse).toThrow('attributes.SentTimestamp');
  });
});

describe('Delivery requests', () => {
  it('groups by environment and service, and merges the event ids of one group', () => {
    // Act
    const merged = coalesceDeliveries([
      { kind: 'deliver', service: 'orders', environment: 'staging', triggeringEventIds: ['a'] },
      { kind: 'deliver', service: 'orders', environment: 'staging', triggeringEventIds: ['b', 'a'] },
      { kind: 'deliver', service: 'orders', environment: 'production', triggeringEventIds: ['c'] },
    ]);

    // Assess
    expect(merged).toEqual([
      { kind: 'deliver', service: 'orders', environment: 'staging', triggeringEventIds: ['a', 'b'] },
      { kind: 'deliver', service: 'orders', environment: 'production', triggeringEventIds: ['c'] },
    ]);
    expect(messageGroupOf(merged[0]!)).toBe('staging#orders');
  });

  it.each([
    ['not json', 'not JSON'],
    ['{"kind":"deploy"}', 'kind'],
    ['{"kind":"deliver","service":"orders","environment":"staging"}', 'triggeringEventIds'],
    [
      '{"kind":"restore","service":"o","environment":"s","parameterName":"x","triggeringEventId":"e"}',
      'parameterName',
    ],
  ])('rejects a malformed request with a clear error (%#)', (body, field) => {
    // Act & Assess
    expect(() => parseDeliveryRequest(body)).toThrow(MalformedEventError);
    expect(() => parseDeliveryRequest(body)).toThrow(field);
  });
});
