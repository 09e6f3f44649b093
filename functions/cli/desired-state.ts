/** Loads a config directory: `settings.json` and the organisation exported by `index.ts`. */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSettings } from '../../lib/settings.ts';
import { ConfigurationError } from '../core/errors.ts';
import type { Organisation } from '../core/model.ts';
import { SchemaRegistry } from '../core/registry.ts';
import type { Settings } from '../core/settings.ts';
import { UsageError } from './errors.ts';

export interface DesiredState {
  readonly settings: Settings;
  readonly organisation: Organisation;
}

/**
 * @example
 * const { settings, organisation } = await loadDesiredState('config');
 */
export async function loadDesiredState(configDir: string): Promise<DesiredState> {
  const settings = loadSettings(path.join(configDir, 'settings.json'));
  const entry = path.join(configDir, 'index.ts');
  let module: { organisation?: Organisation };
  try {
    module = await import(pathToFileURL(entry).href);
  } catch (error) {
    throw new ConfigurationError(`${entry}: cannot load the organisation: ${(error as Error).message}`);
  }
  const organisation = module.organisation;
  if (!organisation || !Array.isArray(organisation.services)) {
    throw new ConfigurationError(`${entry}: must export \`organisation\` with a \`services\` array`);
  }
  return { settings, organisation };
}

export interface DesiredStateRegistry extends DesiredState {
  readonly registry: SchemaRegistry;
  /** The environment `--env` named, or every environment of the settings. */
  readonly selected: readonly string[];
}

/**
 * The desired state and its schema registry, for commands that take `--config DIR` and `--env E`;
 * an environment the settings do not declare is a usage error.
 *
 * @example
 * const { settings, registry, selected } = await loadDesiredRegistry('config', values.env);
 */
export async function loadDesiredRegistry(
  configDir: string,
  environment: string | undefined,
): Promise<DesiredStateRegistry> {
  const { settings, organisation } = await loadDesiredState(configDir);
  const environments = settings.environments.map((e) => e.name);
  if (environment !== undefined && !environments.includes(environment)) {
    throw new UsageError(`unknown environment "${environment}" (known: ${environments.join(', ')})`);
  }
  const registry = new SchemaRegistry(organisation, {
    parameterRoot: settings.parameterRoot,
    parameterTier: settings.parameterTier,
    environments,
  });
  return { settings, organisation, registry, selected: environment ? [environment] : environments };
}
