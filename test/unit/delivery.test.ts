import { describe, expect, it } from 'vitest';
import { affectedServices, deliverDocuments } from '../../functions/core/delivery/deliver.ts';
import { DeploymentInProgressError } from '../../functions/core/delivery/errors.ts';
import { parseAppConfigTargets } from '../../functions/core/delivery/targets.ts';
import { ConfigurationError } from '../../functions/core/errors.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import {
  exampleRegistry,
  exampleTargets,
  RecordingConfigDelivery,
  seedDesiredState,
} from '../support/validate-change-harness.ts';

async function deployed() {
  const registry = exampleRegistry();
  const store = new InMemoryParameterStore();
  await seedDesiredState(store, registry);
  return { registry, store };
}

describe('Function: deliverDocuments', () => {
  it('composes the document from the stored values, shared layered under the service', async () => {
    // Prepare
    const { registry, store } = await deployed();
    store.seed('/config/staging/shared/http/timeout', '5s');
    store.seed('/config/staging/orders/max-retries', '2');
    const delivery = new RecordingConfigDelivery();

    // Act
    const { reports, events } = await deliverDocuments(['orders'], 'staging', 'evt-1', {
      registry,
      store,
      delivery,
      targets: exampleTargets(),
    });

    // Assess
    expect(reports).toMatchObject([
      { service: 'orders', status: 'started', configurationVersion: '1', queued: false },
    ]);
    expect(JSON.parse(delivery.hosted[0]!.content)).toMatchObject({
      'http/timeout': '5s',
      'max-retries': 2,
      'log-level': 'debug',
      'page-size': 50,
    });
    expect(delivery.hosted[0]?.description).toMatch(
      /^config-steward staging\/orders sha256=[0-9a-f]{64} event=evt-1$/,
    );
    expect(events.map((e) => e.detailType)).toEqual(['Config Deployment Started']);
    expect(store.calls).toEqual(['getByPath', 'getByPath']);
  });

  it('labels each hosted version with its document hash, and does not ship the same document twice', async () => {
    // Prepare: one delivery of the current document has already gone out
    const { registry, store } = await deployed();
    const delivery = new RecordingConfigDelivery();
    const deps = { registry, store, delivery, targets: exampleTargets() };
    const first = await deliverDocuments(['orders'], 'staging', 'evt-1', deps);

    // Act: a retried or deferred change composes the very same document
    const again = await deliverDocuments(['orders'], 'staging', 'evt-1', deps);

    // Assess
    const sha = (first.reports[0] as { documentSha256: string }).documentSha256;
    expect(delivery.hosted.map((h) => h.versionLabel)).toEqual([`sha256-${sha}`.slice(0, 64)]);
    expect(delivery.hosted[0]!.versionLabel).toMatch(/^sha256-[0-9a-f]{57}$/);
    expect(again.reports).toEqual([
      {
        service: 'orders',
        environment: 'staging',
        status: 'unchanged',
        deploymentNumber: 42,
        documentSha256: sha,
      },
    ]);
    expect(again.events).toEqual([]);
    expect(delivery.deployments).toHaveLength(1);
  });

  it('ships the same document again after its deployment was rolled back, and a changed one at once', async () => {
    // Prepare
    const { registry, store } = await deployed();
    const delivery = new RecordingConfigDelivery();
    const deps = { registry, store, delivery, targets: exampleTargets() };
    await deliverDocuments(['orders'], 'staging', 'evt-1', deps);
    delivery.deployedState = 'ROLLED_BACK';

    // Act
    const rolledBack = await deliverDocuments(['orders'], 'staging', 'evt-2', deps);
    delivery.deployedState = 'DEPLOYING';
    store.seed('/config/staging/orders/max-retries', '4');
    const changed = await deliverDocuments(['orders'], 'staging', 'evt-3', deps);

    // Assess
    expect(rolledBack.reports[0]).toMatchObject({ status: 'started' });
    expect(changed.reports[0]).toMatchObject({ status: 'started' });
    expect(delivery.deployments).toHaveLength(3);
  });

  it('leaves SecureString keys out of the document and never decrypts for delivery', async () => {
    // Prepare
    const { registry, store } = await deployed();
    store.seed('/config/staging/orders/webhook-signing-key', 'k'.repeat(40), 'SecureString');
    const delivery = new RecordingConfigDelivery();
    const decrypts: boolean[] = [];
    const spyStore = Object.assign(Object.create(store), {
      getByPath: (p: string, o: { decrypt: boolean }) => {
        decrypts.push(o.decrypt);
        return store.getByPath(p, o);
      },
    });

    // Act
    await deliverDocuments(['orders'], 'staging', 'evt-1', {
      registry,
      store: spyStore,
      delivery,
      targets: exampleTargets(),
    });

    // Assess
    expect(decrypts).toEqual([false, false]);
    expect(JSON.parse(delivery.hosted[0]!.content)).not.toHaveProperty('webhook-signing-key');
  });

  it('reports a service without an AppConfig target as not configured', async () => {
    // Prepare
    const { registry, store } = await deployed();
    const delivery = new RecordingConfigDelivery();

    // Act
    const { reports } = await deliverDocuments(['orders', 'payments'], 'staging', 'evt-1', {
      registry,
      store,
      delivery,
      targets: { orders: exampleTargets().orders! },
    });

    // Assess
    expect(reports).toEqual([
      { service: 'payments', environment: 'staging', status: 'not-configured' },
      expect.objectContaining({ service: 'orders', status: 'started' }),
    ]);
  });

  it('stops waiting when the next wait would not fit in the time left', async () => {
    // Prepare
    const { registry, store } = await deployed();
    const delivery = new RecordingConfigDelivery({ busyAnswers: 5 });
    const waits: number[] = [];

    // Act
    const { busy, events } = await deliverDocuments(['orders'], 'staging', 'evt-1', {
      registry,
      store,
      delivery,
      targets: exampleTargets(),
      busyRetryDelaysMs: [1_000, 20_000],
      sleep: async (ms) => {
        waits.push(ms);
      },
      remainingTimeMs: () => 10_000,
    });

    // Assess
    expect(busy).toBeInstanceOf(DeploymentInProgressError);
    expect(busy?.message).toBe(
      'AppConfig environment staging of orders is busy with deployment 41; version 1 not deployed yet',
    );
    expect(events).toEqual([]);
    expect(waits).toEqual([1_000]);
  });

  it('delivers the other services when one environment stays busy, and stores a retried document once', async () => {
    // Prepare: a shared key touches orders and payments; payments' staging environment is busy
    const { registry, store } = await deployed();
    const delivery = new RecordingConfigDelivery({ busyEnvironments: ['env-payments-staging'] });
    const deps = { registry, store, delivery, targets: exampleTargets(), busyRetryDelaysMs: [] };

    // Act
    const first = await deliverDocuments(['orders', 'payments'], 'staging', 'evt-1', deps);
    delivery.busyEnvironments.clear();
    const retried = await deliverDocuments(['orders', 'payments'], 'staging', 'evt-1', deps);

    // Assess: orders started and was announced at once; payments came back as busy
    expect(first.reports).toMatchObject([{ service: 'orders', status: 'started' }]);
    expect(first.events.map((e) => (e.detail as { service: string }).service)).toEqual(['orders']);
    expect(first.busy?.service).toBe('payments');
    // The retry leaves orders alone and deploys the payments version stored the first time
    expect(retried.reports).toMatchObject([
      { service: 'orders', status: 'unchanged' },
      { service: 'payments', status: 'started', configurationVersion: '1' },
    ]);
    expect(retried.busy).toBeUndefined();
    expect(delivery.hosted.map((h) => h.configurationProfileId)).toEqual(['doc-orders', 'doc-payments']);
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

describe('Function: parseAppConfigTargets', () => {
  it('treats an absent variable as no delivery, and names a malformed one', () => {
    // Act & Assess
    expect(parseAppConfigTargets(undefined)).toEqual({});
    expect(parseAppConfigTargets('')).toEqual({});
    expect(parseAppConfigTargets(JSON.stringify(exampleTargets())).orders?.applicationId).toBe('app-orders');
    expect(() => parseAppConfigTargets('{"orders":{}}')).toThrow(ConfigurationError);
  });
});
