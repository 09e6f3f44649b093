/** Enforcement per environment, read the same way by validate-change and deliver-changes. */
import type { RuntimeSettings } from '../core/runtime-settings.ts';
import type { Enforcement } from '../core/validation/validate-change.ts';

/** `enforce` or `report` per environment, from `STEWARD_ENVIRONMENTS`; unknown ones only report. */
export function enforcementOf(settings: RuntimeSettings): (environment: string) => Enforcement {
  const byName = new Map(settings.STEWARD_ENVIRONMENTS.map((e) => [e.name, e.enforcement]));
  return (environment) => byName.get(environment) ?? 'report';
}
