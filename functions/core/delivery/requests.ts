/**
 * What validate-change and the reconcile ask of the delivery queue: deliver a (service, environment)'s
 * document or its flags, or restore a rejected parameter. Deliveries of a (service, environment)'s
 * document and of its flags share one message group, restores have one of their own, so SQS hands a
 * group to one consumer at a time, in order: two deliveries into one AppConfig environment never run
 * at once (AppConfig allows one deployment at a time there, across profiles), nor two restores of one
 * parameter; and a restore never waits behind a delivery that waits for a busy environment.
 */
import * as z from 'zod/mini';
import { MalformedEventError } from '../errors.ts';
import '../zod-messages.ts';

/** Compose the (service, environment)'s document from what is stored now and deploy it if it changed. */
export interface DeliverRequest {
  readonly kind: 'deliver';
  readonly service: string;
  readonly environment: string;
  /** The change events (or `reconcile:<id>`) that asked for it: for the deployment event and the DLQ. */
  readonly triggeringEventIds: readonly string[];
}

/**
 * Deploy the (service, environment)'s flags document, built from the bundled `config/`, unless
 * AppConfig already serves it. Only the reconcile asks for it: flags change with a stack deployment.
 */
export interface DeliverFlagsRequest {
  readonly kind: 'deliver-flags';
  readonly service: string;
  readonly environment: string;
  /** `reconcile:<id>` of the stack deployment that asked for it. */
  readonly triggeringEventIds: readonly string[];
}

/** Put a rejected parameter back, if the rejected version is still its newest. */
export interface RestoreRequest {
  readonly kind: 'restore';
  readonly service: string;
  readonly environment: string;
  readonly parameterName: string;
  /** Undefined for a rejected deletion. */
  readonly rejectedVersion?: number;
  readonly triggeringEventId: string;
}

export type DeliveryRequest = DeliverRequest | DeliverFlagsRequest | RestoreRequest;

/** A request to deliver one of the (service, environment)'s profiles: its document or its flags. */
export type ProfileDeliveryRequest = DeliverRequest | DeliverFlagsRequest;

/** At most this many event ids travel in one request (SQS messages hold 256 KB; ids are for tracing). */
export const MAX_TRIGGERING_IDS = 50;

/**
 * The request schema, built on first parse: validate-change and the reconcile only send requests, so
 * building it at import would cost their cold start for nothing.
 */
let requestSchema: ReturnType<typeof buildRequestSchema> | undefined;
function buildRequestSchema() {
  const name = z.string().check(z.minLength(1), z.maxLength(512));
  const profileDelivery = <K extends ProfileDeliveryRequest['kind']>(kind: K) =>
    z.strictObject({
      kind: z.literal(kind),
      service: name,
      environment: name,
      triggeringEventIds: z.array(name).check(z.maxLength(MAX_TRIGGERING_IDS)),
    });
  return z.discriminatedUnion('kind', [
    profileDelivery('deliver'),
    profileDelivery('deliver-flags'),
    z.strictObject({
      kind: z.literal('restore'),
      service: name,
      environment: name,
      parameterName: z.string().check(z.startsWith('/')),
      rejectedVersion: z.optional(z.int().check(z.positive())),
      triggeringEventId: name,
    }),
  ]);
}

/**
 * The FIFO message group: deliveries of one (service, environment), its document's and its flags' in
 * one group (so they never race each other for the environment), or restores in it.
 *
 * @example
 * messageGroupOf({ kind: 'deliver', service: 'orders', environment: 'production', ... }); // 'production#orders'
 * messageGroupOf({ kind: 'deliver-flags', service: 'orders', environment: 'production', ... }); // 'production#orders'
 * messageGroupOf({ kind: 'restore', service: 'orders', environment: 'production', ... }); // 'production#orders#restores'
 */
export function messageGroupOf(request: DeliveryRequest): string {
  const group = `${request.environment}#${request.service}`;
  return request.kind === 'restore' ? `${group}#restores` : group;
}

/**
 * Parse a queued request; a malformed one throws {@link MalformedEventError} naming the fields.
 *
 * @example
 * const request = parseDeliveryRequest(record.body);
 */
export function parseDeliveryRequest(body: string): DeliveryRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MalformedEventError('malformed delivery request: not JSON');
  }
  requestSchema ??= buildRequestSchema();
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(request)'}: ${i.message}`);
    throw new MalformedEventError(`malformed delivery request: ${fields.join('; ')}`);
  }
  return parsed.data;
}

/**
 * One request per kind and (service, environment), the event ids merged (and capped): a document's
 * and its flags' requests share a group but stay two requests.
 *
 * @example
 * coalesceDeliveries([a, b]); // one request per kind and group
 */
export function coalesceDeliveries<R extends ProfileDeliveryRequest>(requests: readonly R[]): R[] {
  const byGroup = new Map<string, R>();
  for (const request of requests) {
    const group = `${request.kind} ${messageGroupOf(request)}`;
    const seen = byGroup.get(group);
    const ids = [...new Set([...(seen?.triggeringEventIds ?? []), ...request.triggeringEventIds])];
    byGroup.set(group, { ...request, triggeringEventIds: ids.slice(0, MAX_TRIGGERING_IDS) });
  }
  return [...byGroup.values()];
}
