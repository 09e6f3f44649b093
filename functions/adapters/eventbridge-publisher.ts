/**
 * The `EventPublisher` port on EventBridge: catalog events go to the Steward bus in PutEvents batches
 * of at most 10 entries and 256 KB, and only the entries EventBridge reports as failed are sent again.
 * Each entry that gets through is logged at INFO (`published event`) with its detail type and
 * identifying fields only (`service` as `configService`), and announced on the
 * `config-steward:published-event` diagnostics channel (which `steward invoke` subscribes to, to print
 * what a handler published).
 */
import { channel } from 'node:diagnostics_channel';
import { Logger } from '@aws-lambda-powertools/logger';
import { powertoolsAttributes } from './powertools-structured-log.ts';
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { EVENT_SOURCE, type StewardEvent } from '../core/events.ts';
import { type Clock, systemClock } from '../ports/clock.ts';
import type { EventPublisher } from '../ports/event-publisher.ts';
import {
  EventPublishError,
  EventPublisherError,
  EventTooLargeError,
} from '../ports/event-publisher.errors.ts';

/** PutEvents limits (AWS documentation). */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;
/** A `Time` field counts as 14 bytes in the PutEvents size calculation. */
const TIME_BYTES = 14;

/** Detail fields that identify what an event is about; the only ones logged or announced, never a value. */
export const IDENTIFYING_FIELDS = [
  'parameterName',
  'secretName',
  'service',
  'environment',
  'flag',
  'runId',
  'dedupKey',
] as const;

/** What is logged and announced for each published entry. */
export interface PublishedEvent {
  readonly detailType: string;
  readonly eventId: string;
  /** The {@link IDENTIFYING_FIELDS} the detail carries as strings. */
  readonly fields: Readonly<Partial<Record<(typeof IDENTIFYING_FIELDS)[number], string>>>;
}

/** The diagnostics channel each {@link PublishedEvent} is published on, in the publishing process. */
export const PUBLISHED_EVENT_CHANNEL = 'config-steward:published-event';
const publishedChannel = channel(PUBLISHED_EVENT_CHANNEL);

/** The identifying fields of an event detail (strings only), for logs and summaries. */
export function identifyingFields(detail: unknown): PublishedEvent['fields'] {
  const fields: Partial<Record<(typeof IDENTIFYING_FIELDS)[number], string>> = {};
  if (typeof detail !== 'object' || detail === null) return fields;
  for (const name of IDENTIFYING_FIELDS) {
    const value = (detail as Record<string, unknown>)[name];
    if (typeof value === 'string') fields[name] = value;
  }
  return fields;
}

/**
 * Inside Lambda (and `steward invoke`, which sets `AWS_LAMBDA_FUNCTION_NAME` as Lambda does) a
 * Powertools Logger; elsewhere, e.g. `steward drift --file-tickets --json`, nothing, so a CLI's
 * stdout stays its own. CLI callers that want the lines pass `logger`.
 */
function defaultLogger(): PublisherLogger {
  return process.env['AWS_LAMBDA_FUNCTION_NAME'] ? new Logger() : { info: () => undefined };
}

/** The part of Powertools' Logger the publisher uses. */
export interface PublisherLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
}

/** The attributes of a `published event` line (`service` as `configService`, which Powertools keeps). */
function logAttributes({ detailType, eventId, fields }: PublishedEvent): Record<string, unknown> {
  return powertoolsAttributes({ detailType, eventId, ...fields });
}

export interface EventBridgeEventPublisherOptions {
  /** Sends of one batch, the first included, before giving up on its failed entries. @default 4 */
  readonly maxAttempts?: number;
  /** First backoff; doubles each attempt, with full jitter. @default 100 */
  readonly baseDelayMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Stamps each entry's `Time`. @default systemClock */
  readonly clock?: Clock;
  /** Receives one `published event` INFO line per entry that got through. @default a Powertools Logger */
  readonly logger?: PublisherLogger;
}

/** The size PutEvents charges for an entry: Time, Source, DetailType, Detail and Resources, UTF-8. */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  return (
    (entry.Time ? TIME_BYTES : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, arn) => sum + bytes(arn), 0)
  );
}

/** Split entries into batches PutEvents accepts: at most 10 entries and 256 KB each, order kept. */
export function batchEntries(entries: readonly PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const batches: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let currentBytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (size > PUT_EVENTS_MAX_BYTES)
      throw new EventTooLargeError(entry.DetailType ?? '', size, PUT_EVENTS_MAX_BYTES);
    if (current.length === PUT_EVENTS_MAX_ENTRIES || currentBytes + size > PUT_EVENTS_MAX_BYTES) {
      batches.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * @example
 * const publisher = new EventBridgeEventPublisher(new EventBridgeClient({}), settings.STEWARD_EVENT_BUS);
 * await publisher.publish([stewardEvent('Ticket Filed', detail)]);
 */
export class EventBridgeEventPublisher implements EventPublisher {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: Clock;
  private readonly logger: PublisherLogger;

  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    options: EventBridgeEventPublisherOptions = {},
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 100;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? defaultLogger();
  }

  async publish(events: readonly StewardEvent[]): Promise<void> {
    if (events.length === 0) return;
    const time = this.clock.now();
    const entries = events.map((event): PutEventsRequestEntry => ({
      EventBusName: this.busName,
      Source: EVENT_SOURCE,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Time: time,
    }));
    const identities = new Map(
      entries.map((entry, index) => [entry, identifyingFields(events[index]!.detail)] as const),
    );
    const failures: { detailType: string; errorCode: string }[] = [];
    for (const batch of batchEntries(entries)) {
      failures.push(
        ...(await this.sendBatch(batch, (entry, eventId) =>
          this.announce({ detailType: entry.DetailType ?? '', eventId, fields: identities.get(entry) ?? {} }),
        )),
      );
    }
    if (failures.length > 0) throw new EventPublishError(failures);
  }

  private announce(published: PublishedEvent): void {
    this.logger.info('published event', logAttributes(published));
    if (publishedChannel.hasSubscribers) publishedChannel.publish(published);
  }

  /** Send one batch; resend only the entries that failed, with backoff. Returns what never got through. */
  private async sendBatch(
    batch: PutEventsRequestEntry[],
    onPublished: (entry: PutEventsRequestEntry, eventId: string) => void,
  ): Promise<{ detailType: string; errorCode: string }[]> {
    let pending = batch;
    let lastErrors: string[] = [];
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (attempt > 1) await this.sleep(this.backoff(attempt - 1));
      const response = await this.putEvents(pending);
      // Results come back in request order; an entry with an ErrorCode (or no EventId) failed.
      const results = response.Entries ?? [];
      const allSent = !response.FailedEntryCount;
      const failed: PutEventsRequestEntry[] = [];
      const errors: string[] = [];
      pending.forEach((entry, index) => {
        const result = results[index];
        if (allSent || (result?.EventId && !result.ErrorCode)) {
          onPublished(entry, result?.EventId ?? '');
        } else {
          failed.push(entry);
          errors.push(result?.ErrorCode ?? 'Unknown');
        }
      });
      if (failed.length === 0) return [];
      pending = failed;
      lastErrors = errors;
    }
    return pending.map((entry, index) => ({
      detailType: entry.DetailType ?? '',
      errorCode: lastErrors[index] ?? 'Unknown',
    }));
  }

  /** One PutEvents call; a refused call (IAM, throttling after the SDK's retries) becomes a port error. */
  private async putEvents(entries: PutEventsRequestEntry[]): Promise<PutEventsCommandOutput> {
    try {
      return await this.client.send(new PutEventsCommand({ Entries: entries }));
    } catch (error) {
      const name = (error as Error).name ?? 'Error';
      throw new EventPublisherError(`PutEvents of ${entries.length} event(s) failed: ${name}`, {
        cause: error,
      });
    }
  }

  private backoff(retry: number): number {
    // Full jitter keeps concurrent publishers from resending in lockstep.
    return Math.round(Math.random() * this.baseDelayMs * 2 ** (retry - 1));
  }
}
