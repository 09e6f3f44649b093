/**
 * What every handler shares at cold start: its settings from its environment variables (the runtime
 * settings plus the function's own, core/runtime-settings.ts) and the schema registry over the
 * desired state bundled from `config/`.
 */
import { organisation } from '../../config/index.ts';
import { SchemaRegistry } from '../core/registry.ts';
import {
  parseFunctionEnvironment,
  runtimeEnvironmentSchema,
  type RuntimeSettings,
} from '../core/runtime-settings.ts';
import type * as z from 'zod/mini';

export interface Runtime<S extends RuntimeSettings = RuntimeSettings> {
  readonly settings: S;
  readonly registry: SchemaRegistry;
}

/**
 * @example
 * const { settings, registry } = loadRuntime(functionEnvironment('STEWARD_DELIVERY_QUEUE_URL'));
 */
export function loadRuntime<S extends z.ZodMiniType<RuntimeSettings>>(
  schema: S = runtimeEnvironmentSchema as unknown as S,
  env: Record<string, string | undefined> = process.env,
): Runtime<z.output<S>> {
  const settings = parseFunctionEnvironment(schema, env);
  const registry = new SchemaRegistry(organisation, {
    parameterRoot: settings.STEWARD_PARAMETER_ROOT,
    parameterTier: settings.STEWARD_PARAMETER_TIER,
    environments: settings.STEWARD_ENVIRONMENTS.map((e) => e.name),
  });
  return { settings, registry };
}
