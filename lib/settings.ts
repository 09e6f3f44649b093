/**
 * Platform settings, loaded from `config/settings.json` at synth time. A broken file fails synth with
 * the file, the field and the problem; nothing is synthesized from it.
 */
import { readFileSync } from 'node:fs';
import { ConfigurationError } from '../functions/core/errors.ts';
import { parseSettings, type Settings } from '../functions/core/settings.ts';

export { runtimeEnvironment } from '../functions/core/runtime-settings.ts';
export { type EnvironmentSettings, type Settings, settingsSchema } from '../functions/core/settings.ts';

/**
 * @example
 * const settings = loadSettings('config/settings.json');
 */
export function loadSettings(file: string): Settings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      `${file}: cannot read the settings file (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  return parseSettings(json, file);
}
