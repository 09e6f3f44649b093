/**
 * Hands a change whose AppConfig environment stayed busy to a later invocation of the validator, so a
 * long deployment (production: 20 minutes and a 10-minute bake) does not push the change into the
 * failure queue.
 */
export interface DeferredChange {
  /** The triggering event's id: with the attempt it names the deferral, so a repeat is a no-op. */
  readonly eventId: string;
  /** 1 for the first deferral. */
  readonly attempt: number;
  /** What the later invocation receives (see `deferredPayload`). */
  readonly payload: unknown;
  readonly at: Date;
  /** The function to invoke: the validator's own ARN, from its invocation context. */
  readonly functionArn: string;
}

export interface DeliveryDeferral {
  /** Arrange the invocation; deferring the same event and attempt twice arranges it once. */
  defer(change: DeferredChange): Promise<void>;
}
