/**
 * The desired-parameters custom resource's work on each stack deployment: on Create and Update,
 * write the desired plain parameters that differ from Parameter Store, then request one delivery per
 * (service, environment) written to (its writes request none one by one); on Delete, leave them
 * (they are the services' configuration, and the stack's removal must not take production down).
 */
import * as z from 'zod/mini';
import type { DeliveryQueue } from '../ports/delivery-queue.ts';
import type { StructuredLog } from '../ports/logger.ts';
import type { ParameterStore } from '../ports/parameter-store.ts';
import { deliveriesAfterReconcile, type ReconcileOptions, reconcileDesiredParameters } from './reconcile.ts';
import type { SchemaRegistry } from './registry.ts';

/** The part of a CloudFormation custom resource request the reconcile reads. */
export interface DeploymentRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly RequestId: string;
  readonly ResourceProperties?: Readonly<Record<string, unknown>>;
}

/** What CloudFormation is told. */
export interface DeploymentAnswer {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason: string;
}

export interface ReconcileDeploymentDependencies {
  readonly registry: SchemaRegistry;
  readonly store: ParameterStore;
  /** The delivery queue; none (a local run): no delivery is requested. */
  readonly deliveryQueue?: DeliveryQueue;
  /** A limiter of this many writes per second (`WritesPerSecond` of the resource). */
  readonly writeLimiter: (writesPerSecond: number) => { acquire(): Promise<void> };
  readonly log: StructuredLog;
  /** Break-glass overrides: a parameter an active one holds is not overwritten (core/override.ts). */
  readonly overrides?: ReconcileOptions['overrides'];
}

const properties = z.looseObject({
  WritesPerSecond: z._default(z.coerce.number().check(z.positive()), 10),
});

/**
 * @example
 * const answer = await reconcileForDeployment(request, deps, { outOfTime: () => false });
 */
export async function reconcileForDeployment(
  request: DeploymentRequest,
  deps: ReconcileDeploymentDependencies,
  budget: { readonly outOfTime: () => boolean },
): Promise<DeploymentAnswer> {
  if (request.RequestType === 'Delete') return { status: 'SUCCESS', reason: 'parameters retained' };
  const { registry, deliveryQueue } = deps;
  const { WritesPerSecond } = properties.parse(request.ResourceProperties ?? {});
  const limiter = deps.writeLimiter(WritesPerSecond);
  const written: string[] = [];
  const requestDeliveries = async () => {
    const deliveries = deliveriesAfterReconcile(registry, written, `reconcile:${request.RequestId}`);
    // A failure here fails the deployment: the written values would otherwise wait for the next change.
    if (deliveryQueue && deliveries.length > 0) await deliveryQueue.send(deliveries);
    return deliveries;
  };
  let outcome: Awaited<ReturnType<typeof reconcileDesiredParameters>>;
  try {
    outcome = await reconcileDesiredParameters(registry, deps.store, {
      beforeWrite: () => limiter.acquire(),
      outOfTime: budget.outOfTime,
      onWritten: (name) => written.push(name),
      overrides: deps.overrides,
    });
  } catch (error) {
    // validate-change labels the reconcile's writes without requesting their delivery (this function
    // requests it): a write that fails half-way must not leave the earlier ones undelivered for good
    // (steward apply rewrites only what differs, so it would not ask for them either).
    await requestDeliveries();
    throw error;
  }
  const deliveries = await requestDeliveries();
  deps.log.info('reconciled desired parameters', {
    written: outcome.written.length,
    unchanged: outcome.unchanged,
    remaining: outcome.remaining.length,
    heldByOverride: outcome.heldByOverride.length,
    deliveriesRequested: deliveryQueue ? deliveries.length : 0,
  });
  // Fail loudly rather than report a half-applied desired state as deployed; `steward apply` finishes it.
  return outcome.remaining.length > 0
    ? { status: 'FAILED', reason: `${outcome.remaining.length} writes left: run steward apply` }
    : { status: 'SUCCESS', reason: `${outcome.written.length} written, ${outcome.unchanged} unchanged` };
}
