/**
 * The event publisher and the ticket tracker of a handler whose first call usually publishes and
 * files nothing (drift, rotation, delivery, flag expiry), loaded on first use: the EventBridge
 * adapter (with the event catalog it names) and the tracker factory are lazy chunks, so they stay out
 * of cold start. The SDK clients are still built at module scope, as a hand-written handler would.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { onceUntilFailure } from '../adapters/once-until-failure.ts';
import type { TicketTrackerDependencies } from '../adapters/tickets/create-ticket-tracker.ts';
import type { TicketSettings } from '../core/runtime-settings.ts';
import type { EventPublisher } from '../ports/event-publisher.ts';
import type { TicketTracker } from '../ports/ticket-tracker.ts';

/**
 * An `EventBridgeEventPublisher` on `busName`, imported at the first publish that has events.
 *
 * @example
 * const publisher = lazyEventBridgePublisher(new EventBridgeClient({}), settings.STEWARD_EVENT_BUS);
 */
export function lazyEventBridgePublisher(client: EventBridgeClient, busName: string): EventPublisher {
  const load = onceUntilFailure(async () => {
    const { EventBridgeEventPublisher } = await import('../adapters/eventbridge-publisher.ts');
    return new EventBridgeEventPublisher(client, busName);
  });
  return {
    // Nothing to send loads nothing (the adapter returns at once on an empty list too).
    publish: async (events) => (events.length === 0 ? undefined : (await load()).publish(events)),
  };
}

/**
 * The tracker `createTicketTracker` builds for these settings, its factory imported at the first call.
 *
 * @example
 * const tracker = lazyTicketTracker(settings.STEWARD_TICKETS, { secretsManager });
 */
export function lazyTicketTracker(
  settings: TicketSettings,
  deps: TicketTrackerDependencies = {},
): TicketTracker {
  const load = onceUntilFailure(async () => {
    const { createTicketTracker } = await import('../adapters/tickets/create-ticket-tracker.ts');
    return createTicketTracker(settings, deps);
  });
  return {
    file: async (request) => (await load()).file(request),
    listOpen: async (prefix) => (await load()).listOpen(prefix),
    resolve: async (ref, comment) => (await load()).resolve(ref, comment),
  };
}
