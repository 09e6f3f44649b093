/** In-memory flag sources: hosted flag documents per service, and deployments per environment, as AppConfig keeps them. */
import { fromAppConfigFlags, toAppConfigFlags } from '../../functions/core/flags/appconfig-format.ts';
import type { FlagDefinition } from '../../functions/core/model.ts';
import type {
  DeployedFlags,
  DeployedFlagSource,
  FlagDeploymentNote,
  FlagEnvironmentRef,
  FlagProfileRef,
  FlagSource,
  HostedFlagSet,
} from '../../functions/ports/flag-source.ts';
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

/** A deployment as AppConfig lists it: number, profile, hosted version, state. */
interface SimulatedDeployment {
  readonly deploymentNumber: number;
  readonly profileId: string;
  readonly version: number;
  state: string;
}

/**
 * An in-memory {@link DeployedFlagSource}: hosted versions per profile and deployments per
 * environment, as AppConfig keeps them. An environment serves the version of its last COMPLETE (or
 * BAKING: it has reached every target) deployment of the profile; ones still rolling out and
 * rolled-back ones are listed as skipped, newest first.
 */
export class InMemoryDeployedFlagSource implements DeployedFlagSource {
  private readonly hosted = new Map<string, unknown[]>();
  private readonly deployments = new Map<string, SimulatedDeployment[]>();
  /** Environment ids whose reads fail, as an unreachable or forbidden AppConfig would. */
  failFor = new Set<string>();

  /** Host a new version of the profile; returns its number. */
  host(ref: FlagProfileRef, document: unknown): number {
    const versions = this.hosted.get(ref.flagsProfileId) ?? [];
    versions.push(structuredClone(document));
    this.hosted.set(ref.flagsProfileId, versions);
    return versions.length;
  }

  /** Deploy a hosted version to an environment; it ends in `state` (COMPLETE unless told). */
  deploy(ref: FlagProfileRef, environmentId: string, version: number, state = 'COMPLETE'): number {
    const list = this.deployments.get(environmentId) ?? [];
    const deploymentNumber = list.length + 1;
    list.push({ deploymentNumber, profileId: ref.flagsProfileId, version, state });
    this.deployments.set(environmentId, list);
    return deploymentNumber;
  }

  /** Host a document and deploy it at once, as `cdk deploy` or a console edit does. */
  hostAndDeploy(ref: FlagProfileRef, environmentId: string, document: unknown, state = 'COMPLETE'): number {
    return this.deploy(ref, environmentId, this.host(ref, document), state);
  }

  async deployed(ref: FlagProfileRef, environment: FlagEnvironmentRef): Promise<DeployedFlags> {
    if (this.failFor.has(environment.environmentId)) {
      throw new FlagSourceError(
        `ListDeployments: AccessDeniedException on the flags profile of ${ref.service}`,
        'ListDeployments',
      );
    }
    const skipped: FlagDeploymentNote[] = [];
    const newestFirst = [...(this.deployments.get(environment.environmentId) ?? [])].reverse();
    for (const deployment of newestFirst) {
      if (deployment.profileId !== ref.flagsProfileId) continue;
      if (deployment.state !== 'COMPLETE' && deployment.state !== 'BAKING') {
        skipped.push({
          deploymentNumber: deployment.deploymentNumber,
          version: String(deployment.version),
          state: deployment.state,
        });
        continue;
      }
      const document = this.hosted.get(ref.flagsProfileId)?.[deployment.version - 1];
      return {
        status: 'deployed',
        deploymentNumber: deployment.deploymentNumber,
        version: deployment.version,
        document: structuredClone(document),
        skipped,
      };
    }
    return { status: 'never-deployed', skipped };
  }
}
