/**
 * The desired-parameters custom resource's work on each stack deployment: on Create and Update,
 * write the desired plain parameters that differ from Parameter Store, then request one delivery per
 * document (service, environment) to deploy (its writes request none one by one) and one per flags
 * document to deploy; on Delete, leave them (they are the services' configuration, and the stack's
 * removal must not take production down).
 *
 * The delivery is the only deployer of the documents and of the flags (the stack hosts neither: a
 * deployment of its own would meet the delivery's rollouts in the environment, which AppConfig
 * refuses with ConflictException, and roll the stack back), so it is asked for:
 * - on Create, every document in `DocumentSha256` and every flags document in `FlagsSha256`: the
 *   first deploy ends with every environment serving both, even a document no written parameter
 *   belongs to (all defaults, or values kept from an earlier stack);
 * - on Update, each document written to, each document and each flags document whose config/ hash
 *   differs from the previous run's (a changed default or flag, a new service or environment; all of
 *   one kind when the previous run carried no hashes of that kind: the first upgrade from a stack
 *   that still deployed them itself).
 */
import * as z from 'zod/mini';
import type { DeliveryQueue } from '../ports/delivery-queue.ts';
import type { StructuredLog } from '../ports/logger.ts';
import type { ParameterStore } from '../ports/parameter-store.ts';
import {
  deliveriesAfterReconcile,
  type ReconcileOptions,
  reconcileDesiredParameters,
  type ServiceEnvironment,
} from './reconcile.ts';
import type { SchemaRegistry } from './registry.ts';

/** The part of a CloudFormation custom resource request the reconcile reads. */
export interface DeploymentRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly RequestId: string;
  readonly ResourceProperties?: Readonly<Record<string, unknown>>;
  /** An Update's properties of the previous run. */
  readonly OldResourceProperties?: Readonly<Record<string, unknown>>;
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

/**
 * `{ [environment]: { [service]: SHA-256 } }` of its document composed from config/ (`DocumentSha256`)
 * or of its flags document built from config/ (`FlagsSha256`).
 */
const hashes = z.optional(z.record(z.string(), z.record(z.string(), z.string())));

const properties = z.looseObject({
  WritesPerSecond: z._default(z.coerce.number().check(z.positive()), 10),
  DocumentSha256: hashes,
  FlagsSha256: hashes,
});
const oldProperties = z.looseObject({ DocumentSha256: hashes, FlagsSha256: hashes });

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
  const { WritesPerSecond, DocumentSha256, FlagsSha256 } = properties.parse(request.ResourceProperties ?? {});
  const previous =
    request.RequestType === 'Update' ? oldProperties.parse(request.OldResourceProperties ?? {}) : {};
  const changedDocuments = changedSince(DocumentSha256 ?? {}, previous.DocumentSha256 ?? {});
  const changedFlags = changedSince(FlagsSha256 ?? {}, previous.FlagsSha256 ?? {});
  const limiter = deps.writeLimiter(WritesPerSecond);
  const written: string[] = [];
  const requestDeliveries = async () => {
    const deliveries = deliveriesAfterReconcile(
      registry,
      written,
      `reconcile:${request.RequestId}`,
      changedDocuments,
      changedFlags,
    );
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

/** The (service, environment)s whose config/ hash is new or differs from the previous run's. */
function changedSince(
  current: Readonly<Record<string, Readonly<Record<string, string>>>>,
  previous: Readonly<Record<string, Readonly<Record<string, string>>>>,
): ServiceEnvironment[] {
  return Object.entries(current).flatMap(([environment, services]) =>
    Object.entries(services)
      .filter(([service, hash]) => previous[environment]?.[service] !== hash)
      .map(([service]) => ({ service, environment })),
  );
}
