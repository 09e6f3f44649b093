/** An in-memory {@link FlagSource}: hosted flag documents per service, as AppConfig would return them. */
import { fromAppConfigFlags, toAppConfigFlags } from '../../functions/core/flags/appconfig-format.ts';
import type { FlagDefinition } from '../../functions/core/model.ts';
import type { FlagProfileRef, FlagSource, HostedFlagSet } from '../../functions/ports/flag-source.ts';
import { FlagSourceError } from '../../functions/ports/flag-source.errors.ts';

export class InMemoryFlagSource implements FlagSource {
  private readonly documents = new Map<string, { version: number; document: unknown }>();
  readonly reads: FlagProfileRef[] = [];
  failFor = new Set<string>();

  /** Host a new version of a service's flags, translated as the construct does for an environment. */
  host(service: string, flags: Record<string, FlagDefinition>, environment = 'production'): void {
    this.hostRaw(service, toAppConfigFlags(flags, environment));
  }

  /** Host a raw document, e.g. one edited by hand in the console. */
  hostRaw(service: string, document: unknown): void {
    const version = (this.documents.get(service)?.version ?? 0) + 1;
    this.documents.set(service, { version, document });
  }

  async latest(ref: FlagProfileRef): Promise<HostedFlagSet | undefined> {
    this.reads.push(ref);
    if (this.failFor.has(ref.service)) throw new Error(`cannot read ${ref.service}`);
    const hosted = this.documents.get(ref.service);
    if (!hosted) return undefined;
    try {
      return { ref, version: hosted.version, flags: fromAppConfigFlags(hosted.document) };
    } catch (cause) {
      // As the AppConfig adapter does: an undecodable version is the source's failure, named by service.
      throw new FlagSourceError(
        `version ${hosted.version} of the flags profile of ${ref.service}: ${(cause as Error).message}`,
        'GetHostedConfigurationVersion',
        { cause },
      );
    }
  }
}
