/**
 * When a change's delivery finds its AppConfig environment busy for longer than one invocation can
 * wait, the validator defers the change: the same event comes back DEFERRAL_DELAY_MS later, wrapped
 * with its attempt count, and is judged again (the label is still where it was, so nothing is
 * skipped). After MAX_DEFERRALS the error propagates, and Lambda's retries and the failure queue
 * take over as before.
 */
import * as z from 'zod/mini';
import type { Clock } from '../../ports/clock.ts';
import type { DeliveryDeferral } from '../../ports/delivery-deferral.ts';
import { DeploymentInProgressError } from '../delivery/errors.ts';
import { MalformedEventError } from '../errors.ts';
import '../zod-messages.ts';
import type { ParameterChange } from './change-event.ts';

/** Long enough for a staged deployment step; a production rollout of 30 minutes takes two or three. */
export const DEFERRAL_DELAY_MS = 15 * 60_000;
/** Two hours of waiting in all: four times the example production rollout (20 minutes, 10 minutes' bake). */
export const MAX_DEFERRALS = 8;

const DEFERRED_KEY = 'stewardDeferred';

const deferredSchema = z.strictObject({
  [DEFERRED_KEY]: z.strictObject({
    attempt: z.int().check(z.positive(), z.lte(MAX_DEFERRALS)),
    event: z.unknown(),
    announcedVersion: z.optional(z.int().check(z.positive())),
  }),
});

/**
 * The payload of a deferred invocation.
 *
 * @example
 * deferredPayload(event, 1, 7); // { stewardDeferred: { attempt: 1, event, announcedVersion: 7 } }
 */
export function deferredPayload(event: unknown, attempt: number, announcedVersion?: number): unknown {
  return {
    [DEFERRED_KEY]: { attempt, event, ...(announcedVersion === undefined ? {} : { announcedVersion }) },
  };
}

/**
 * The original event and how often it was deferred (0 for an event straight from EventBridge). A
 * malformed deferral throws {@link MalformedEventError}.
 *
 * @example
 * const { event, attempt } = unwrapDeferred(payload);
 * const change = parseParameterChange(event);
 */
export function unwrapDeferred(payload: unknown): {
  event: unknown;
  attempt: number;
  /** The parameter version whose `Config Change Accepted` the deferring invocation published. */
  announcedVersion?: number;
} {
  if (typeof payload !== 'object' || payload === null || !(DEFERRED_KEY in payload)) {
    return { event: payload, attempt: 0 };
  }
  const parsed = deferredSchema.safeParse(payload);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new MalformedEventError(`malformed deferred change: ${fields.join('; ')}`);
  }
  const { event, attempt, announcedVersion } = parsed.data[DEFERRED_KEY];
  return announcedVersion === undefined ? { event, attempt } : { event, attempt, announcedVersion };
}

/** What a deferring invocation returns instead of a judgement. */
export interface DeferredOutcome {
  readonly outcome: 'deferred';
  readonly parameterName: string;
  readonly attempt: number;
  /** When the change comes back (ISO 8601, UTC). */
  readonly until: string;
  readonly service: string;
  readonly environment: string;
}

/**
 * Defer a change whose delivery failed with {@link DeploymentInProgressError}; rethrow `error` when it
 * is anything else, when there is no deferral, or when the change was deferred MAX_DEFERRALS times.
 *
 * @example
 * try { outcome = await validateChange(change, deps, { announcedVersion }); }
 * catch (error) { return deferBusyDelivery(error, { change, event, attempt, deferral, clock, functionArn }); }
 */
export async function deferBusyDelivery(
  error: unknown,
  input: {
    readonly change: ParameterChange;
    readonly event: unknown;
    readonly attempt: number;
    readonly deferral?: DeliveryDeferral;
    readonly clock: Clock;
    readonly functionArn: string;
  },
): Promise<DeferredOutcome> {
  const { change, event, attempt, deferral, clock, functionArn } = input;
  if (!(error instanceof DeploymentInProgressError) || !deferral || attempt >= MAX_DEFERRALS) throw error;
  const at = new Date(clock.now().getTime() + DEFERRAL_DELAY_MS);
  const next = attempt + 1;
  await deferral.defer({
    eventId: change.eventId,
    attempt: next,
    payload: deferredPayload(event, next, error.announcedVersion),
    at,
    functionArn,
  });
  return {
    outcome: 'deferred',
    parameterName: change.name,
    attempt: next,
    until: at.toISOString(),
    service: error.service,
    environment: error.environment,
  };
}

/**
 * The event inside a payload, deferred or not: for logging the id of one that cannot be parsed.
 *
 * @example
 * logger.error('change not handled', { eventId: eventIdOf(originalEvent(payload)) });
 */
export function originalEvent(payload: unknown): unknown {
  return typeof payload === 'object' && payload !== null && DEFERRED_KEY in payload
    ? (payload as Record<string, { event?: unknown } | undefined>)[DEFERRED_KEY]?.event
    : payload;
}
