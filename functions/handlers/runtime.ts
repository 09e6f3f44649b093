/**
 * What every handler shares at cold start: the runtime settings from its environment variables and
 * the schema registry over the desired state bundled from `config/`.
 */
import { organisation } from '../../config/index.ts';
import { SchemaRegistry } from '../core/registry.ts';
import { parseRuntimeEnvironment, type RuntimeSettings } from '../core/runtime-settings.ts';

export interface Runtime {
  readonly settings: RuntimeSettings;
  readonly registry: SchemaRegistry;
}

/**
 * @example
 * const { settings, registry } = loadRuntime();
 */
export function loadRuntime(env: Record<string, string | undefined> = process.env): Runtime {
  const settings = parseRuntimeEnvironment(env);
  const registry = new SchemaRegistry(organisation, {
    parameterRoot: settings.STEWARD_PARAMETER_ROOT,
    parameterTier: settings.STEWARD_PARAMETER_TIER,
    environments: settings.STEWARD_ENVIRONMENTS.map((e) => e.name),
  });
  return { settings, registry };
}
