import type { StewardEvent } from '../core/events.ts';

/** Publishes catalog events on the Steward bus; resolves once every event was accepted. */
export interface EventPublisher {
  publish(events: readonly StewardEvent[]): Promise<void>;
}
