/**
 * What the example organisation in config/ declares, derived from it rather than written out, so
 * that an adopter who adds a service (README, "Adding a service") keeps these tests green.
 */
import { organisation } from '../../config/index.ts';
import { SHARED_SERVICE } from '../../functions/core/model.ts';
import type { Settings } from '../../functions/core/settings.ts';

/** Every service of config/ but the shared layer, in declaration order. */
export function exampleServices(): string[] {
  return organisation.services.map((s) => s.name).filter((name) => name !== SHARED_SERVICE);
}

/** `<root>/<environment>/<service>/<secret>` of every secret config/ declares, sorted. */
export function exampleSecretNames(settings: Settings): string[] {
  const all = settings.environments.map((e) => e.name);
  return organisation.services
    .flatMap((service) =>
      Object.entries(service.secrets ?? {}).flatMap(([name, secret]) =>
        (secret.environments ?? all).map(
          (environment) => `${settings.parameterRoot}/${environment}/${service.name}/${name}`,
        ),
      ),
    )
    .sort();
}
