/**
 * The contract every `EventPublisher` meets, run against the recording double and
 * `EventBridgeEventPublisher` over a mocked EventBridge. A factory hands back the publisher, what
 * reached the bus, and a switch that makes the bus refuse every entry.
 */
import { describe, expect, it } from 'vitest';
import { type StewardEvent, stewardEvent } from '../../functions/core/events.ts';
import type { EventPublisher } from '../../functions/ports/event-publisher.ts';
import { EventPublisherError } from '../../functions/ports/event-publisher.errors.ts';

export interface EventPublisherUnderTest {
  readonly publisher: EventPublisher;
  /** The events that reached the bus, in order, as detail type and detail. */
  published(): { detailType: string; detail: unknown }[];
  /** From now on the bus refuses every entry. */
  refuse(): void;
}

function ticketFiled(n: number): StewardEvent {
  return stewardEvent('Ticket Filed', {
    dedupKey: `validation:/config/staging/orders/k${n}`,
    ticket: { tracker: 'opscenter', id: `oi-${n}` },
    title: `ticket ${n}`,
    created: true,
  });
}

export function describeEventPublisherContract(name: string, make: () => EventPublisherUnderTest): void {
  describe(`Contract: EventPublisher (${name})`, () => {
    it('publishes every event once, in order, with its detail type and detail', async () => {
      // Prepare: more events than one PutEvents call takes
      const { publisher, published } = make();
      const events = Array.from({ length: 13 }, (_, i) => ticketFiled(i));

      // Act
      await publisher.publish(events);

      // Assess
      expect(published()).toEqual(
        events.map(({ detailType, detail }) => ({ detailType, detail: JSON.parse(JSON.stringify(detail)) })),
      );
    });

    it('publishes nothing for no events', async () => {
      // Prepare
      const { publisher, published } = make();

      // Act
      await publisher.publish([]);

      // Assess
      expect(published()).toEqual([]);
    });

    it('rejects with an EventPublisherError naming the detail type when the bus refuses', async () => {
      // Prepare
      const { publisher, published, refuse } = make();
      refuse();

      // Act
      const act = publisher.publish([ticketFiled(1)]);

      // Assess
      await expect(act).rejects.toBeInstanceOf(EventPublisherError);
      await expect(act).rejects.toThrow(/Ticket Filed/);
      expect(published()).toEqual([]);
    });
  });
}
