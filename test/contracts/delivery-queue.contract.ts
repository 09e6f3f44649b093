/**
 * The contract every `DeliveryQueue` meets, run against the FIFO queue double of the validate-change
 * harness (not draining) and `SqsDeliveryQueue` over a mocked SQS. A factory hands back the queue,
 * what the queue holds (each request with its message group), and a switch that makes it refuse sends.
 */
import { describe, expect, it } from 'vitest';
import type { DeliveryRequest } from '../../functions/core/delivery/requests.ts';
import type { DeliveryQueue } from '../../functions/ports/delivery-queue.ts';
import { DeliveryQueueError } from '../../functions/ports/delivery-queue.errors.ts';

export interface DeliveryQueueUnderTest {
  readonly queue: DeliveryQueue;
  /** What the queue stored, in order, each request with the FIFO message group it went to. */
  queued(): { group: string; request: DeliveryRequest }[];
  /** From now on the queue refuses every send. */
  refuse(): void;
}

const deliver = (service: string, environment = 'production'): DeliveryRequest => ({
  kind: 'deliver',
  service,
  environment,
  triggeringEventIds: [`evt-${service}-${environment}`],
});

const restore: DeliveryRequest = {
  kind: 'restore',
  service: 'orders',
  environment: 'production',
  parameterName: '/config/production/orders/max-retries',
  rejectedVersion: 9,
  triggeringEventId: 'evt-bad',
};

export function describeDeliveryQueueContract(name: string, make: () => DeliveryQueueUnderTest): void {
  describe(`Contract: DeliveryQueue (${name})`, () => {
    it('stores every request once, in order, in the message group of its (service, environment)', async () => {
      // Prepare: more requests than one SQS batch takes, a restore among them
      const { queue, queued } = make();
      const requests = [
        restore,
        ...Array.from({ length: 12 }, (_, i) => deliver(`service-${i}`, i % 2 ? 'staging' : 'production')),
      ];

      // Act
      await queue.send(requests);

      // Assess: restores have a group of their own, beside the document's deliveries
      expect(queued()).toEqual([
        { group: 'production#orders#restores', request: restore },
        ...requests.slice(1).map((request) => ({
          group: `${request.environment}#${request.service}`,
          request,
        })),
      ]);
    });

    it('stores a request sent again a second time (a later send may ask for a newer state)', async () => {
      // Prepare
      const { queue, queued } = make();

      // Act
      await queue.send([deliver('orders')]);
      await queue.send([deliver('orders')]);

      // Assess
      expect(queued().map(({ group }) => group)).toEqual(['production#orders', 'production#orders']);
    });

    it('rejects with a DeliveryQueueError naming no body when the queue refuses', async () => {
      // Prepare
      const { queue, refuse } = make();
      refuse();

      // Act
      const act = queue.send([restore]);

      // Assess
      await expect(act).rejects.toBeInstanceOf(DeliveryQueueError);
      await expect(act).rejects.not.toThrow(/max-retries/);
    });
  });
}
