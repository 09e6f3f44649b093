import { describe, expect, it } from 'vitest';
import { deliverFlags } from '../../functions/core/delivery/deliver-flags.ts';
import { documentVersionLabel } from '../../functions/core/delivery/deliver.ts';
import { InProcessDeliveryQueue } from '../../functions/core/delivery/in-process-queue.ts';
import {
  processDeliveryRequests,
  type QueuedRequest,
} from '../../functions/core/delivery/process-requests.ts';
import {
  coalesceDeliveries,
  type DeliveryRequest,
  messageGroupOf,
  parseDeliveryRequest,
} from '../../functions/core/delivery/requests.ts';
import { StewardError, MalformedEventError } from '../../functions/core/errors.ts';
import { serviceFlagsDocument } from '../../functions/core/flags/profile-document.ts';
import { sha256 } from '../../functions/core/hash.ts';
import { InMemoryAppConfig, ManualClock } from '../support/in-memory-appconfig.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';
import { exampleRegistry, exampleTargets, seedDesiredState } from '../support/validate-change-harness.ts';

const START = new Date('2026-11-30T15:00:00Z');
const PRODUCTION_ROLLOUT_MINUTES = 30; // 20 minutes + 10 minutes' bake

/** The example's orders and payments over an AppConfig that runs one deployment per environment at a time. */
async function world() {
  const registry = exampleRegistry();
  const store = new InMemoryParameterStore();
  await seedDesiredState(store, registry);
  const clock = new ManualClock(START);
  const appConfig = new InMemoryAppConfig(clock)
    .strategy('strategy-staging', 0)
    .strategy('strategy-production', PRODUCTION_ROLLOUT_MINUTES);
  const publisher = new RecordingEventPublisher();
  const deps = {
    registry,
    store,
    delivery: appConfig,
    targets: exampleTargets(),
    clock,
    minIntervalMs: 60_000,
    publisher,
    tickets: new InMemoryTicketTracker(),
    enforcement: () => 'enforce' as const,
  };
  let records = 0;
  /** The request as the queue hands it over now. */
  const queued = (request: DeliveryRequest, receiveCount = 1): QueuedRequest => ({
    recordId: `m${++records}`,
    request: parseDeliveryRequest(JSON.stringify(request)),
    queuedAt: clock.now(),
    receiveCount,
  });
  return { registry, clock, appConfig, publisher, deps, queued };
}

/** The report fields every flags delivery of orders in production carries. */
const ORDERS_PRODUCTION_FLAGS = { service: 'orders', environment: 'production', profile: 'flags' } as const;

const flagsOf = (service: string, environment: string, triggeringEventIds = ['reconcile:r1']) =>
  ({ kind: 'deliver-flags', service, environment, triggeringEventIds }) as const;
const documentOf = (service: string, environment: string, triggeringEventIds = ['evt-1']) =>
  ({ kind: 'deliver', service, environment, triggeringEventIds }) as const;

/** The flags document config/ gives the service in the environment, as the delivery serialises it. */
function expectedFlags(service: string, environment: string): string {
  return JSON.stringify(serviceFlagsDocument(exampleRegistry().service(service), environment));
}

describe('Function: deliverFlags, over an AppConfig with one deployment per environment', () => {
  it('waits while a document deployment runs in the environment, then ships once it is free', async () => {
    // Prepare: the orders document rolls out in production for 30 minutes
    const { clock, appConfig, publisher, deps, queued } = await world();
    await processDeliveryRequests([queued(documentOf('orders', 'production'))], deps);
    clock.advanceMinutes(5);

    // Act: a stack deployment changed the flags meanwhile; the request comes round during and after the rollout
    const flags = queued(flagsOf('orders', 'production'));
    const during = await processDeliveryRequests([flags], deps);
    clock.advanceMinutes(PRODUCTION_ROLLOUT_MINUTES);
    const after = await processDeliveryRequests([{ ...flags, receiveCount: 2 }], deps);

    // Assess: no StartDeployment was refused; the flags went out once, after the document
    expect(during.waiting).toEqual([flags.recordId]);
    expect(during.reports).toEqual([
      { ...ORDERS_PRODUCTION_FLAGS, status: 'wait', reason: 'busy', runningDeploymentNumber: 1 },
    ]);
    expect(after.done).toEqual([flags.recordId]);
    expect(after.reports[0]).toMatchObject({ profile: 'flags', status: 'started', queued: true });
    expect(appConfig.starts.map((s) => [s.request.configurationProfileId, s.outcome])).toEqual([
      ['doc-orders', 'started'],
      ['flags-orders', 'started'],
    ]);
    clock.advanceMinutes(PRODUCTION_ROLLOUT_MINUTES);
    expect(appConfig.live('app-orders', 'env-orders-production', 'flags-orders')).toBe(
      expectedFlags('orders', 'production'),
    );
    expect(publisher.ofType('Config Deployment Started').map((e) => e.detail)).toEqual([
      expect.objectContaining({ configurationProfileId: 'doc-orders' }),
      expect.objectContaining({
        service: 'orders',
        environment: 'production',
        configurationProfileId: 'flags-orders',
        queued: true,
        triggeringEventIds: ['reconcile:r1'],
      }),
    ]);
  });

  it('ships a document and its flags asked for in one batch one after the other, without ConflictException', async () => {
    // Prepare: what the reconcile sends on a first deploy, for one (service, environment)
    const { clock, appConfig, deps, queued } = await world();
    const document = queued(documentOf('orders', 'production', ['reconcile:r1']));
    const flags = queued(flagsOf('orders', 'production'));
    expect(messageGroupOf(document.request)).toBe(messageGroupOf(flags.request));

    // Act: the batch, then the waiting record once the environment is free
    const first = await processDeliveryRequests([document, flags], deps);
    clock.advanceMinutes(PRODUCTION_ROLLOUT_MINUTES);
    const second = await processDeliveryRequests([{ ...flags, receiveCount: 2 }], deps);

    // Assess
    expect(first.done).toEqual([document.recordId]);
    expect(first.waiting).toEqual([flags.recordId]);
    expect(second.done).toEqual([flags.recordId]);
    expect(appConfig.starts.map((s) => [s.request.configurationProfileId, s.outcome])).toEqual([
      ['doc-orders', 'started'],
      ['flags-orders', 'started'],
    ]);
  });

  it('puts a flags request that waited before the next document request of its group', async () => {
    // Prepare: flags waited behind a document rollout; a console edit asks for the document again
    const { clock, appConfig, deps, queued } = await world();
    await processDeliveryRequests([queued(documentOf('orders', 'production'))], deps);
    const flags = queued(flagsOf('orders', 'production'));
    await processDeliveryRequests([flags], deps);
    clock.advanceMinutes(PRODUCTION_ROLLOUT_MINUTES);
    deps.store.seed('/config/production/orders/max-retries', '4');

    // Act: SQS hands the group over in order, the waiting flags record first
    const result = await processDeliveryRequests(
      [{ ...flags, receiveCount: 2 }, queued(documentOf('orders', 'production', ['evt-2']))],
      deps,
    );

    // Assess: the flags ship now; the document waits for them
    expect(
      result.reports.map((r) => ('profile' in r ? `flags ${r.status}` : `document ${r.status}`)),
    ).toEqual(['flags started', 'document wait']);
    expect(appConfig.starts.filter((s) => s.outcome === 'busy')).toEqual([]);
  });

  it('ships nothing when the environment already serves these flags, even while a document rolls out', async () => {
    // Prepare: the flags shipped once; later a document rollout runs
    const { clock, appConfig, publisher, deps, queued } = await world();
    await processDeliveryRequests([queued(flagsOf('orders', 'production'))], deps);
    clock.advanceMinutes(PRODUCTION_ROLLOUT_MINUTES);
    await processDeliveryRequests([queued(documentOf('orders', 'production'))], deps);
    const startsBefore = appConfig.starts.length;
    const eventsBefore = publisher.events.length;

    // Act: a stack update asks for the same flags again
    const again = queued(flagsOf('orders', 'production', ['reconcile:r2']));
    const result = await processDeliveryRequests([again], deps);

    // Assess
    expect(result.done).toEqual([again.recordId]);
    expect(result.reports).toEqual([
      { ...ORDERS_PRODUCTION_FLAGS, status: 'unchanged', deploymentNumber: 1 },
    ]);
    expect(appConfig.starts).toHaveLength(startsBefore);
    expect(publisher.events).toHaveLength(eventsBefore);
  });

  it('stores the flags version once, labelled by its hash, and deploys that version again after another one', async () => {
    // Prepare: the flags shipped to staging, then someone deployed another version of the profile
    const { clock, appConfig, deps } = await world();
    const demand = (ids: string[]) => ({
      service: 'orders',
      environment: 'staging',
      triggeringEventIds: ids,
      newestQueuedAt: clock.now(),
      retried: false,
    });
    const first = await deliverFlags(demand(['reconcile:r1']), deps);
    const other = await appConfig.ensureHostedVersion({
      applicationId: 'app-orders',
      configurationProfileId: 'flags-orders',
      content: '{"version":"1","flags":{},"values":{}}',
      contentType: 'application/json',
      description: 'by hand',
      versionLabel: 'console',
    });
    await appConfig.startDeployment({
      applicationId: 'app-orders',
      environmentId: 'env-orders-staging',
      configurationProfileId: 'flags-orders',
      configurationVersion: other,
      deploymentStrategyId: 'strategy-staging',
      description: 'by hand',
    });
    clock.advanceMinutes(2);

    // Act
    const second = await deliverFlags(demand(['reconcile:r2']), deps);

    // Assess: the first version is deployed again, no third one stored
    expect(first.report).toMatchObject({ status: 'started', configurationVersion: '1' });
    expect(other).toBe('2');
    expect(second.report).toMatchObject({ status: 'started', configurationVersion: '1' });
    expect(
      await appConfig.hostedContent({
        applicationId: 'app-orders',
        configurationProfileId: 'flags-orders',
        versionNumber: '1',
      }),
    ).toBe(expectedFlags('orders', 'staging'));
    const served = await appConfig.environmentState({
      applicationId: 'app-orders',
      environmentId: 'env-orders-staging',
      configurationProfileId: 'flags-orders',
    });
    expect(served.latest?.versionLabel).toBe(
      documentVersionLabel(sha256(expectedFlags('orders', 'staging'))),
    );
    expect(appConfig.starts.at(-1)?.request.description).toMatch(
      /^config-steward staging\/orders sha256=[0-9a-f]{64} event=reconcile:r2$/,
    );
  });

  it('waits when another flags version started less than the interval ago', async () => {
    // Prepare: a different flags version went out to staging (deploys at once) seconds ago
    const { appConfig, deps, clock } = await world();
    const version = await appConfig.ensureHostedVersion({
      applicationId: 'app-orders',
      configurationProfileId: 'flags-orders',
      content: '{}',
      contentType: 'application/json',
      description: 'by hand',
      versionLabel: 'older',
    });
    await appConfig.startDeployment({
      applicationId: 'app-orders',
      environmentId: 'env-orders-staging',
      configurationProfileId: 'flags-orders',
      configurationVersion: version,
      deploymentStrategyId: 'strategy-staging',
      description: 'by hand',
    });

    // Act
    const { report, events } = await deliverFlags(
      {
        service: 'orders',
        environment: 'staging',
        triggeringEventIds: ['reconcile:r1'],
        newestQueuedAt: clock.now(),
        retried: false,
      },
      deps,
    );

    // Assess
    expect(report).toEqual({
      service: 'orders',
      environment: 'staging',
      profile: 'flags',
      status: 'wait',
      reason: 'recently-deployed',
    });
    expect(events).toEqual([]);
  });

  it('reports a service without an AppConfig target as not configured, and reads nothing', async () => {
    // Prepare
    const { appConfig, deps, clock } = await world();

    // Act
    const { report } = await deliverFlags(
      {
        service: 'payments',
        environment: 'staging',
        triggeringEventIds: ['reconcile:r1'],
        newestQueuedAt: clock.now(),
        retried: false,
      },
      { ...deps, targets: { orders: exampleTargets().orders! } },
    );

    // Assess
    expect(report).toEqual({
      service: 'payments',
      environment: 'staging',
      profile: 'flags',
      status: 'not-configured',
    });
    expect(appConfig.starts).toEqual([]);
  });

  it('never reads Parameter Store for flags', async () => {
    // Prepare
    const { deps, queued } = await world();
    deps.store.calls.length = 0;

    // Act
    await processDeliveryRequests([queued(flagsOf('payments', 'production'))], deps);

    // Assess
    expect(deps.store.calls).toEqual([]);
  });
});

describe('Flags requests in process (steward invoke without a queue)', () => {
  it('ships flags at once, and names the busy environment and profile instead of dropping the request', async () => {
    // Prepare
    const { deps, appConfig } = await world();
    const queue = new InProcessDeliveryQueue(deps);

    // Act
    await queue.send([flagsOf('orders', 'staging')]);
    await queue.send([documentOf('orders', 'production')]);
    const busy = queue.send([flagsOf('orders', 'production')]);

    // Assess
    await expect(busy).rejects.toBeInstanceOf(StewardError);
    await expect(busy).rejects.toThrow('AppConfig is busy for production/orders (flags)');
    expect(appConfig.live('app-orders', 'env-orders-staging', 'flags-orders')).toBe(
      expectedFlags('orders', 'staging'),
    );
  });
});

describe('Flags requests', () => {
  it('share the message group of their document, and are coalesced apart from its requests', () => {
    // Act
    const merged = coalesceDeliveries([
      documentOf('orders', 'staging', ['a']),
      flagsOf('orders', 'staging', ['reconcile:1']),
      flagsOf('orders', 'staging', ['reconcile:2']),
      documentOf('orders', 'staging', ['b']),
    ]);

    // Assess
    expect(merged).toEqual([
      documentOf('orders', 'staging', ['a', 'b']),
      flagsOf('orders', 'staging', ['reconcile:1', 'reconcile:2']),
    ]);
    expect(messageGroupOf(flagsOf('orders', 'staging'))).toBe('staging#orders');
  });

  it.each([
    ['{"kind":"deliver-flags","service":"orders","environment":"staging"}', 'triggeringEventIds'],
    [
      '{"kind":"deliver-flags","service":"orders","environment":"staging","triggeringEventIds":[],"flags":{}}',
      'flags',
    ],
  ])('rejects a malformed flags request with a clear error (%#)', (body, field) => {
    // Act & Assess
    expect(() => parseDeliveryRequest(body)).toThrow(MalformedEventError);
    expect(() => parseDeliveryRequest(body)).toThrow(field);
  });
});
