import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import type { DeliveryRequest } from '../../functions/core/delivery/requests.ts';
import { reconcileDesiredParameters } from '../../functions/core/reconcile.ts';
import { type DeploymentRequest, reconcileForDeployment } from '../../functions/core/reconcile-deployment.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import type { DeliveryQueue } from '../../functions/ports/delivery-queue.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { RecordingLog } from '../support/recording-log.ts';

const environments = ['staging', 'production'];
const registry = new SchemaRegistry(organisation, { parameterRoot: 'config', environments });
const services = registry.serviceNames();
const everyDocument = environments.flatMap((environment) => services.map((s) => `${environment}#${s}`));

/** Stands in for the config/ hashes the stack computes: any string per document will do. */
function hashes(change: Record<string, string> = {}): Record<string, Record<string, string>> {
  return Object.fromEntries(
    environments.map((environment) => [
      environment,
      Object.fromEntries(
        services.map((s) => [s, change[`${environment}#${s}`] ?? `hash-${environment}-${s}`]),
      ),
    ]),
  );
}

class RecordingQueue implements DeliveryQueue {
  readonly sent: DeliveryRequest[] = [];
  async send(requests: readonly DeliveryRequest[]): Promise<void> {
    this.sent.push(...requests);
  }
  /** `<environment>#<service>` of each deliver request, sorted. */
  documents(): string[] {
    return this.of('deliver');
  }
  /** `<environment>#<service>` of each deliver-flags request, sorted. */
  flags(): string[] {
    return this.of('deliver-flags');
  }
  private of(kind: DeliveryRequest['kind']): string[] {
    return this.sent
      .filter((r) => r.kind === kind)
      .map((r) => `${r.environment}#${r.service}`)
      .sort();
  }
}

/** An account whose parameters already hold config/'s values: the reconcile writes nothing. */
async function reconciledStore(): Promise<InMemoryParameterStore> {
  const store = new InMemoryParameterStore();
  await reconcileDesiredParameters(registry, store);
  store.calls.length = 0; // count only the run under test
  return store;
}

async function run(request: DeploymentRequest, store: InMemoryParameterStore) {
  const queue = new RecordingQueue();
  const answer = await reconcileForDeployment(
    request,
    {
      registry,
      store,
      deliveryQueue: queue,
      writeLimiter: () => ({ acquire: async () => {} }),
      log: new RecordingLog(),
    },
    { outOfTime: () => false },
  );
  return { answer, queue };
}

describe('Function: reconcileForDeployment, the delivery it requests', () => {
  it('asks on Create for every document, even when no parameter had to be written', async () => {
    // Prepare: parameters kept from an earlier stack; AppConfig's environments are new and empty
    const store = await reconciledStore();

    // Act
    const { answer, queue } = await run(
      { RequestType: 'Create', RequestId: 'c1', ResourceProperties: { DocumentSha256: hashes() } },
      store,
    );

    // Assess: one request per document, so every environment ends up serving one
    expect(answer).toEqual({
      status: 'SUCCESS',
      reason: `0 written, ${registry.desiredParameters().length} unchanged`,
    });
    expect(store.calls).not.toContain('put');
    expect(queue.documents()).toEqual([...everyDocument].sort());
    expect(queue.sent.every((r) => r.kind === 'deliver' && r.triggeringEventIds[0] === 'reconcile:c1')).toBe(
      true,
    );
  });

  it('asks on Create for each document once, when parameters are written too', async () => {
    // Act
    const { queue } = await run(
      { RequestType: 'Create', RequestId: 'c2', ResourceProperties: { DocumentSha256: hashes() } },
      new InMemoryParameterStore(),
    );

    // Assess
    expect(queue.documents()).toEqual([...everyDocument].sort());
  });

  it('asks on Update for nothing when neither a parameter nor a document of config/ changed', async () => {
    // Act
    const { answer, queue } = await run(
      {
        RequestType: 'Update',
        RequestId: 'u1',
        ResourceProperties: { DocumentSha256: hashes() },
        OldResourceProperties: { DocumentSha256: hashes() },
      },
      await reconciledStore(),
    );

    // Assess
    expect(answer.status).toBe('SUCCESS');
    expect(queue.sent).toEqual([]);
  });

  it('asks on Update for a document whose config/ hash changed without a write (a changed default)', async () => {
    // Act
    const { queue } = await run(
      {
        RequestType: 'Update',
        RequestId: 'u2',
        ResourceProperties: { DocumentSha256: hashes({ 'production#orders': 'new-default' }) },
        OldResourceProperties: { DocumentSha256: hashes() },
      },
      await reconciledStore(),
    );

    // Assess
    expect(queue.documents()).toEqual(['production#orders']);
  });

  it('asks on Update for a document that is new to the hashes (a service or environment added)', async () => {
    // Prepare: the previous run knew no staging documents
    const { staging: _staging, ...previous } = hashes();

    // Act
    const { queue } = await run(
      {
        RequestType: 'Update',
        RequestId: 'u3',
        ResourceProperties: { DocumentSha256: hashes() },
        OldResourceProperties: { DocumentSha256: previous },
      },
      await reconciledStore(),
    );

    // Assess
    expect(queue.documents()).toEqual(services.map((s) => `staging#${s}`).sort());
  });

  it('asks on Update for every document when the previous run carried no hashes (the stack deployed them)', async () => {
    // Act
    const { queue } = await run(
      {
        RequestType: 'Update',
        RequestId: 'u4',
        ResourceProperties: { DocumentSha256: hashes() },
        OldResourceProperties: { DesiredStateSha256: 'abc' },
      },
      await reconciledStore(),
    );

    // Assess
    expect(queue.documents()).toEqual([...everyDocument].sort());
  });

  it('asks on Update once per document, for those written to and those config/ changed', async () => {
    // Prepare: production's orders max-retries drifted; staging's orders document changed in config/
    const store = await reconciledStore();
    store.seed('/config/production/orders/max-retries', '9');

    // Act
    const { queue } = await run(
      {
        RequestType: 'Update',
        RequestId: 'u5',
        ResourceProperties: {
          DocumentSha256: hashes({ 'staging#orders': 'changed', 'production#orders': 'changed' }),
        },
        OldResourceProperties: { DocumentSha256: hashes() },
      },
      store,
    );

    // Assess
    expect(queue.documents()).toEqual(['production#orders', 'staging#orders']);
  });

  it.each(['DocumentSha256', 'FlagsSha256'])(
    'refuses malformed %s before writing anything',
    async (property) => {
      // Prepare
      const store = new InMemoryParameterStore();

      // Act
      const act = run(
        { RequestType: 'Create', RequestId: 'c3', ResourceProperties: { [property]: { staging: 'abc' } } },
        store,
      );

      // Assess
      await expect(act).rejects.toThrow(property);
      expect(store.calls).toEqual([]);
    },
  );

  it('asks for no document on Delete', async () => {
    // Act
    const { answer, queue } = await run(
      { RequestType: 'Delete', RequestId: 'd1', ResourceProperties: { DocumentSha256: hashes() } },
      new InMemoryParameterStore(),
    );

    // Assess
    expect(answer).toEqual({ status: 'SUCCESS', reason: 'parameters retained' });
    expect(queue.sent).toEqual([]);
  });
});

describe('Function: reconcileForDeployment, the flags it asks the delivery for', () => {
  it('asks on Create for the flags of every (service, environment), after the documents, in their message groups', async () => {
    // Act
    const { queue } = await run(
      {
        RequestType: 'Create',
        RequestId: 'c1',
        ResourceProperties: { DocumentSha256: hashes(), FlagsSha256: hashes() },
      },
      await reconciledStore(),
    );

    // Assess: both kinds everywhere; every flags request comes after its group's document request
    expect(queue.flags()).toEqual([...everyDocument].sort());
    expect(queue.documents()).toEqual([...everyDocument].sort());
    const position = (kind: string, group: string) =>
      queue.sent.findIndex((r) => r.kind === kind && `${r.environment}#${r.service}` === group);
    for (const group of everyDocument) {
      expect(position('deliver-flags', group)).toBeGreaterThan(position('deliver', group));
    }
    expect(
      queue.sent
        .filter((r) => r.kind === 'deliver-flags')
        .every((r) => r.kind === 'deliver-flags' && r.triggeringEventIds[0] === 'reconcile:c1'),
    ).toBe(true);
  });

  it('asks on Update only for the flags whose config/ hash changed', async () => {
    // Act
    const { queue } = await run(
      {
        RequestType: 'Update',
        RequestId: 'u1',
        ResourceProperties: {
          DocumentSha256: hashes(),
          FlagsSha256: hashes({ 'production#orders': 'flag-flipped' }),
        },
        OldResourceProperties: { DocumentSha256: hashes(), FlagsSha256: hashes() },
      },
      await reconciledStore(),
    );

    // Assess: the flags of orders in production, and no document
    expect(queue.sent).toEqual([
      {
        kind: 'deliver-flags',
        service: 'orders',
        environment: 'production',
        triggeringEventIds: ['reconcile:u1'],
      },
    ]);
  });

  it('asks on Update for no flags when none changed, documents or writes notwithstanding', async () => {
    // Prepare: a drifted parameter the reconcile writes back
    const store = await reconciledStore();
    store.seed('/config/production/orders/max-retries', '9');

    // Act
    const { queue } = await run(
      {
        RequestType: 'Update',
        RequestId: 'u2',
        ResourceProperties: { DocumentSha256: hashes(), FlagsSha256: hashes() },
        OldResourceProperties: { DocumentSha256: hashes(), FlagsSha256: hashes() },
      },
      store,
    );

    // Assess
    expect(queue.documents()).toEqual(['production#orders']);
    expect(queue.flags()).toEqual([]);
  });

  it('asks on the first Update from a stack that deployed the flags itself for every flags document', async () => {
    // Act: the previous run carried document hashes but no flags hashes
    const { queue } = await run(
      {
        RequestType: 'Update',
        RequestId: 'u3',
        ResourceProperties: { DocumentSha256: hashes(), FlagsSha256: hashes() },
        OldResourceProperties: { DocumentSha256: hashes() },
      },
      await reconciledStore(),
    );

    // Assess
    expect(queue.flags()).toEqual([...everyDocument].sort());
    expect(queue.documents()).toEqual([]);
  });

  it('asks for no flags on Delete', async () => {
    // Act
    const { queue } = await run(
      { RequestType: 'Delete', RequestId: 'd1', ResourceProperties: { FlagsSha256: hashes() } },
      new InMemoryParameterStore(),
    );

    // Assess
    expect(queue.sent).toEqual([]);
  });
});
