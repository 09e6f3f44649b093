/** Enforcement per environment, read the same way by validate-change and deliver-changes. */
import type { RuntimeSettings } from '../runtime-settings.ts';
import type { Enforcement } from './judgement.ts';

/**
 * `enforce` or `report` per environment, from `STEWARD_ENVIRONMENTS`; unknown ones only report.
 *
 * @example
 * enforcementOf(settings)('production'); // 'enforce'
 */
export function enforcementOf(settings: RuntimeSettings): (environment: string) => Enforcement {
  const byName = new Map(settings.STEWARD_ENVIRONMENTS.map((e) => [e.name, e.enforcement]));
  return (environment) => byName.get(environment) ?? 'report';
}
