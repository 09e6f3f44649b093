/** An environment variable that holds JSON, parsed by a schema; what is wrong is named, never echoed. */
import * as z from 'zod/mini';
import { ConfigurationError } from './errors.ts';

/**
 * @throws ConfigurationError naming the variable and the paths at fault, never the value
 * @example
 * const targets = parseJsonVariable('STEWARD_KILL_SWITCHES', text, killSwitchTargetsSchema);
 */
export function parseJsonVariable<S extends z.ZodMiniType>(
  name: string,
  text: string,
  schema: S,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigurationError(`${name} is not JSON`);
  }
  const parsed = z.safeParse(schema, json);
  if (!parsed.success) {
    const paths = parsed.error.issues.map((issue) => issue.path.map(String).join('.') || '(root)');
    throw new ConfigurationError(`${name}: malformed at ${[...new Set(paths)].join(', ')}`);
  }
  return parsed.data;
}
