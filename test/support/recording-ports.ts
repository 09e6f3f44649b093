/** Small port doubles that record what the core asked of them. */
import type { StewardEvent } from '../../functions/core/events.ts';
import type { Clock } from '../../functions/ports/clock.ts';
import type { EventPublisher } from '../../functions/ports/event-publisher.ts';
import type {
  OpenTicket,
  TicketRef,
  TicketRequest,
  TicketTracker,
} from '../../functions/ports/ticket-tracker.ts';
import { EventPublishError } from '../../functions/ports/event-publisher.errors.ts';
import { TrackerNotFoundError } from '../../functions/ports/ticket-tracker.errors.ts';

export class RecordingEventPublisher implements EventPublisher {
  readonly events: StewardEvent[] = [];
  /** While true, the bus refuses every event, as EventBridge reports failed entries. */
  refusing = false;

  async publish(events: readonly StewardEvent[]): Promise<void> {
    if (this.refusing && events.length > 0) {
      throw new EventPublishError(
        events.map(({ detailType }) => ({ detailType, errorCode: 'InternalFailure' })),
      );
    }
    this.events.push(...events);
  }

  ofType(detailType: StewardEvent['detailType']): StewardEvent[] {
    return this.events.filter((event) => event.detailType === detailType);
  }
}

/** A tracker that deduplicates by key while a ticket is open, as every real adapter must. */
export class InMemoryTicketTracker implements TicketTracker {
  readonly tickets: { request: TicketRequest; ref: TicketRef; open: boolean; comments: string[] }[] = [];

  async file(request: TicketRequest): Promise<{ ref: TicketRef; created: boolean }> {
    const existing = this.tickets.find((t) => t.open && t.request.dedupKey === request.dedupKey);
    if (existing) return { ref: existing.ref, created: false };
    const ref: TicketRef = { tracker: 'opscenter', id: `oi-${this.tickets.length + 1}` };
    this.tickets.push({ request, ref, open: true, comments: [] });
    return { ref, created: true };
  }

  async listOpen(prefix = ''): Promise<OpenTicket[]> {
    return this.tickets
      .filter((t) => t.open && t.request.dedupKey.startsWith(prefix))
      .map((t) => ({ dedupKey: t.request.dedupKey, ref: t.ref }));
  }

  async resolve(ref: TicketRef, comment: string): Promise<void> {
    const ticket = this.tickets.find((t) => t.ref.id === ref.id);
    if (!ticket) throw new TrackerNotFoundError(ref.tracker, `ticket ${ref.id}`);
    ticket.open = false;
    ticket.comments.push(comment);
  }
}

export class FixedClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
