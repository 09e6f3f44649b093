/**
 * Which documents a change touches, in a module of its own: the validator needs only this of
 * delivery at cold start, and a module shared with the lazy in-process delivery chunk would be
 * loaded whole (esbuild splits by module).
 */
import { SHARED_SERVICE } from '../model.ts';
import type { SchemaRegistry } from '../registry.ts';

/**
 * The services whose documents a change of `service`'s key touches: a shared key is layered into
 * every service of the environment.
 *
 * @example
 * affectedServices(registry, 'shared'); // every service's name
 * affectedServices(registry, 'orders'); // ['orders']
 */
export function affectedServices(registry: SchemaRegistry, service: string): string[] {
  return service === SHARED_SERVICE ? registry.serviceNames() : [service];
}
