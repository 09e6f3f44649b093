/**
 * Applying a planned break-glass override: record it, write it, announce it. The record goes on first,
 * so no reader (the reconcile, a delivery, the drift run) ever sees the value without it. It replaces
 * the record of an override already on the parameter whole (no tag of the old one survives, such as
 * its approver), and a write that fails afterwards puts the parameter's record back as it was: nothing
 * when it had none, the earlier override when one was active (its value is still live, and without its
 * record the next reconcile would overwrite it).
 */
import type { EventPublisher } from '../ports/event-publisher.ts';
import type { OverrideStore } from '../ports/override-store.ts';
import type { ParameterStore } from '../ports/parameter-store.ts';
import { ParameterNotFoundError } from '../ports/parameter-store.errors.ts';
import { mayShowValues } from './disclosure.ts';
import { type StewardEvent, stewardEvent } from './events.ts';
import { OVERRIDE_DEPLOYMENT_STRATEGY_ID, type Tag } from './override.ts';
import { overrideTags, type PlannedOverride } from './override-plan.ts';
import type { SchemaRegistry } from './registry.ts';

export interface ApplyOverrideDependencies {
  readonly registry: SchemaRegistry;
  readonly store: Pick<ParameterStore, 'put'>;
  readonly overrides: Pick<OverrideStore, 'overrideTagsOf' | 'tag' | 'untag' | 'createTagged'>;
  readonly publisher: EventPublisher;
}

export interface AppliedOverride {
  readonly version: number;
  /** True when the parameter did not exist and the override created it. */
  readonly created: boolean;
  readonly event: StewardEvent<'Config Override Applied'>;
}

/**
 * @example
 * const plan = planOverride(request, context);
 * if (plan.ok) await applyOverride(plan.override, { registry, store, overrides, publisher });
 */
export async function applyOverride(
  override: PlannedOverride,
  deps: ApplyOverrideDependencies,
): Promise<AppliedOverride> {
  const tags = overrideTags(override.record);
  const previous = await deps.overrides.overrideTagsOf(override.name).catch((error: unknown) => {
    if (error instanceof ParameterNotFoundError) return undefined;
    throw error;
  });
  let version: number;
  if (previous === undefined) {
    version = await deps.overrides.createTagged(override.name, override.value, override.parameterType, tags);
  } else {
    await replaceTags(deps.overrides, override.name, previous, tags);
    try {
      version = await deps.store.put(override.name, override.value, override.parameterType);
    } catch (error) {
      await replaceTags(deps.overrides, override.name, tags, previous).catch((restoreError: unknown) => {
        throw new Error(
          `${override.name}: the write failed and putting its override tags back failed too ` +
            `(${restoreError instanceof Error ? restoreError.name : 'error'}): check its steward:override-* tags by hand`,
          { cause: error },
        );
      });
      throw error;
    }
  }
  const created = previous === undefined;
  const event = overrideAppliedEvent(override, version, deps.registry);
  await deps.publisher.publish([event]);
  return { version, created, event };
}

/** Swap one set of override tags for another: add the new ones, then remove the keys only the old had. */
async function replaceTags(
  overrides: Pick<OverrideStore, 'tag' | 'untag'>,
  name: string,
  current: readonly Tag[],
  next: readonly Tag[],
): Promise<void> {
  if (next.length > 0) await overrides.tag(name, next);
  const stale = current.filter((tag) => !next.some((kept) => kept.key === tag.key)).map((tag) => tag.key);
  if (stale.length > 0) await overrides.untag(name, stale);
}

/** `Config Override Applied`: the value itself only where `mayShowValues` allows it. */
export function overrideAppliedEvent(
  override: PlannedOverride,
  version: number,
  registry: SchemaRegistry,
): StewardEvent<'Config Override Applied'> {
  const showable = mayShowValues({
    key: override.key,
    sensitive: registry.service(override.service)?.keys[override.key]?.sensitive,
    values: [{ type: override.parameterType, value: override.value }],
  });
  const { record } = override;
  return stewardEvent('Config Override Applied', {
    parameterName: override.name,
    environment: override.environment,
    service: override.service,
    key: override.key,
    version,
    parameterType: override.parameterType,
    actor: record.actor,
    reason: override.reason,
    until: record.until.toISOString(),
    appliedAt: record.appliedAt.toISOString(),
    ...(record.approvedBy === undefined ? {} : { approvedBy: record.approvedBy }),
    deploymentStrategy: OVERRIDE_DEPLOYMENT_STRATEGY_ID,
    ...(showable ? { value: override.value } : {}),
  });
}
