/**
 * Reconciles Parameter Store with the desired plain values in `config/`: reads what is there, writes
 * only what differs, at a bounded rate. One CloudFormation custom resource runs it on deploy and
 * `steward apply` runs it locally, so 5,000 desired keys cost one template resource, not 5,000.
 * It never deletes (unmanaged parameters are reported by the drift job) and never writes SecureString
 * values (those never live in git).
 */

import type { OverrideStore } from '../ports/override-store.ts';
import type { ParameterStore, StoredParameter } from '../ports/parameter-store.ts';
import { affectedServices } from './delivery/affected-services.ts';
import type { DeliverFlagsRequest, DeliverRequest, ProfileDeliveryRequest } from './delivery/requests.ts';
import { activeOverrideNames } from './override.ts';
import type { DesiredParameter, SchemaRegistry } from './registry.ts';

export interface ReconcilePlan {
  readonly writes: readonly DesiredParameter[];
  readonly unchanged: number;
  /** Parameters that differ from git but carry an active break-glass override: left as they are. */
  readonly heldByOverride: readonly string[];
}

export interface ReconcileOutcome {
  readonly written: readonly string[];
  /** Writes not done because the deadline came first; run again to finish. */
  readonly remaining: readonly string[];
  readonly unchanged: number;
  /** Parameters left alone because an active override holds them (see `core/override.ts`). */
  readonly heldByOverride: readonly string[];
}

/**
 * Plan the writes that make the stored plain parameters equal to the desired ones, except those an
 * active override holds until it expires.
 */
export function planReconcile(
  desired: readonly DesiredParameter[],
  stored: readonly StoredParameter[],
  overridden: ReadonlySet<string> = new Set(),
): ReconcilePlan {
  const current = new Map(stored.map((p) => [p.name, p]));
  const plain = desired.filter((d) => d.parameterType === 'String');
  const differing = plain.filter((d) => {
    const actual = current.get(d.name);
    return actual === undefined || actual.value !== d.value || actual.type !== d.parameterType;
  });
  const writes = differing.filter((d) => !overridden.has(d.name));
  const heldByOverride = differing.filter((d) => overridden.has(d.name)).map((d) => d.name);
  return { writes, unchanged: plain.length - differing.length, heldByOverride };
}

export interface ReconcileOptions {
  /** Waits for the rate limiter before each write. */
  readonly beforeWrite?: () => Promise<void>;
  /** Stop writing once this returns true (e.g. the Lambda's remaining time is short). */
  readonly outOfTime?: () => boolean;
  readonly environments?: readonly string[];
  /** Told each environment's plan before its writes start (e.g. to show progress against the total). */
  readonly onPlan?: (environment: string, plan: ReconcilePlan) => void;
  /**
   * Told each parameter once it is written, so a caller still knows what was written when a later
   * write fails (the reconcile then requests the deliveries of those).
   */
  readonly onWritten?: (name: string) => void;
  /**
   * Where break-glass overrides are recorded, and the time to judge them by: a parameter whose
   * override is active is not overwritten. Without it every difference is written.
   */
  readonly overrides?: { readonly store: Pick<OverrideStore, 'overridesUnder'>; readonly now: () => Date };
}

/**
 * Read each environment once by path, plan, and write the differences.
 *
 * @example
 * const outcome = await reconcileDesiredParameters(registry, store, { beforeWrite: () => limiter.take() });
 */
export async function reconcileDesiredParameters(
  registry: SchemaRegistry,
  store: ParameterStore,
  options: ReconcileOptions = {},
): Promise<ReconcileOutcome> {
  const written: string[] = [];
  const remaining: string[] = [];
  const heldByOverride: string[] = [];
  let unchanged = 0;
  for (const environment of options.environments ?? registry.environments) {
    const path = `/${registry.parameterRoot}/${environment}/`;
    const stored = await store.getByPath(path, { decrypt: false });
    const overridden = options.overrides
      ? activeOverrideNames(await options.overrides.store.overridesUnder(path), options.overrides.now())
      : undefined;
    const plan = planReconcile(registry.desiredParameters(environment), stored, overridden);
    unchanged += plan.unchanged;
    heldByOverride.push(...plan.heldByOverride);
    options.onPlan?.(environment, plan);
    for (const write of plan.writes) {
      if (options.outOfTime?.()) {
        remaining.push(write.name);
        continue;
      }
      await options.beforeWrite?.();
      await store.put(write.name, write.value, write.parameterType);
      written.push(write.name);
      options.onWritten?.(write.name);
    }
  }
  return { written, remaining, unchanged, heldByOverride };
}

/**
 * One deliver request per (service, environment) a reconcile wrote to or was told to deliver anyway
 * (`documents`: those config/ changed without a write, or all of them on a first deploy), made after
 * its last write: its writes request no delivery one by one (validate-change recognises the
 * reconcile's role), so the first deploy of a large desired state ends with one deployment per
 * document, composed from the final values. Then one deliver-flags request per (service,
 * environment) in `flags` (those whose flags config/ changed, or all of them on a first deploy): after
 * the documents, in the same message groups, so a group's document ships first.
 *
 * @example
 * await queue.send(deliveriesAfterReconcile(registry, outcome.written, `reconcile:${requestId}`));
 */
export function deliveriesAfterReconcile(
  registry: SchemaRegistry,
  written: readonly string[],
  triggeringId: string,
  documents: readonly ServiceEnvironment[] = [],
  flags: readonly ServiceEnvironment[] = [],
): ProfileDeliveryRequest[] {
  const groups = new Map<string, DeliverRequest>();
  for (const { service, environment } of documents) {
    groups.set(`${environment}#${service}`, {
      kind: 'deliver',
      service,
      environment,
      triggeringEventIds: [triggeringId],
    });
  }
  for (const name of written) {
    const resolution = registry.resolve(name);
    if (!resolution.ok || resolution.spec.parameterType !== 'String') continue;
    for (const service of affectedServices(registry, resolution.service)) {
      const key = `${resolution.environment}#${service}`;
      if (groups.has(key)) continue;
      groups.set(key, {
        kind: 'deliver',
        service,
        environment: resolution.environment,
        triggeringEventIds: [triggeringId],
      });
    }
  }
  const flagRequests = flags.map(({ service, environment }): DeliverFlagsRequest => ({
    kind: 'deliver-flags',
    service,
    environment,
    triggeringEventIds: [triggeringId],
  }));
  return [...groups.values(), ...flagRequests];
}

/** A (service, environment): one document, one flags document. */
export interface ServiceEnvironment {
  readonly service: string;
  readonly environment: string;
}
