/** Loads a config directory: `settings.json` and the organisation exported by `index.ts`. */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSettings } from '../../lib/settings.ts';
import { ConfigurationError } from '../core/errors.ts';
import type { Organisation } from '../core/model.ts';
import type { Settings } from '../core/settings.ts';

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
