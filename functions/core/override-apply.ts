/**
 * Applying a planned break-glass override: record it, write it, announce it. The record goes on first,
 * so no reader (the reconcile, a delivery, the drift run) ever sees the value without it; a write that
 * fails afterwards takes the record off again, so a refused write leaves nothing behind.
 */
import type { EventPublisher } from '../ports/event-publisher.ts';
import type { OverrideStore } from '../ports/override-store.ts';
import type { ParameterStore } from '../ports/parameter-store.ts';
import { ParameterNotFoundError } from '../ports/parameter-store.errors.ts';
import { mayShowValues } from './disclosure.ts';
import { type StewardEvent, stewardEvent } from './events.ts';
import { OVERRIDE_DEPLOYMENT_STRATEGY_ID, OVERRIDE_TAGS } from './override.ts';
import { overrideTags, type PlannedOverride } from './override-plan.ts';
import type { SchemaRegistry } from './registry.ts';

export interface ApplyOverrideDependencies {
  readonly registry: SchemaRegistry;
  readonly store: Pick<ParameterStore, 'put'>;
  readonly overrides: Pick<OverrideStore, 'tag' | 'untag' | 'createTagged'>;
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
  let version: number;
  let created = false;
  try {
    await deps.overrides.tag(override.name, tags);
  } catch (error) {
    if (!(error instanceof ParameterNotFoundError)) throw error;
    created = true;
  }
  if (created) {
    version = await deps.overrides.createTagged(override.name, override.value, override.parameterType, tags);
  } else {
    try {
      version = await deps.store.put(override.name, override.value, override.parameterType);
    } catch (error) {
      await deps.overrides.untag(override.name, Object.values(OVERRIDE_TAGS)).catch(() => undefined);
      throw error;
    }
  }
  const event = overrideAppliedEvent(override, version, deps.registry);
  await deps.publisher.publish([event]);
  return { version, created, event };
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
