/** The `DeployedConfigurationReader` port in memory: services by application name, deployments newest first. */
import type {
  DeployedConfiguration,
  DeployedConfigurationReader,
  DeployedTarget,
  ServiceProfiles,
} from '../../functions/ports/deployed-configuration.ts';

const SHIPPING_STATES = new Set(['COMPLETE', 'DEPLOYING', 'BAKING', 'VALIDATING']);

export class InMemoryDeployedConfiguration implements DeployedConfigurationReader {
  private readonly applications = new Map<string, ServiceProfiles>();
  private readonly deployments = new Map<string, (DeployedConfiguration & { profileId: string })[]>();
  /** Every call, by operation, to assert that a plan reads only. */
  readonly calls: string[] = [];

  /** An application named `name` with both profiles and the given environments; returns its ids. */
  addApplication(name: string, environments: readonly string[]): ServiceProfiles {
    const profiles: ServiceProfiles = {
      applicationId: `app-${name}`,
      documentProfileId: `doc-${name}`,
      flagsProfileId: `flags-${name}`,
      environments: Object.fromEntries(environments.map((env) => [env, `env-${name}-${env}`])),
    };
    this.applications.set(name, profiles);
    return profiles;
  }

  /** Deploy content to a profile in an environment; the newest deployment comes first. */
  deploy(target: DeployedTarget, content: string, state = 'COMPLETE'): DeployedConfiguration {
    const key = `${target.applicationId}/${target.environmentId}`;
    const list = this.deployments.get(key) ?? [];
    const versions = [...this.deployments.values()]
      .flat()
      .filter((d) => d.profileId === target.configurationProfileId).length;
    const deployment = {
      profileId: target.configurationProfileId,
      deploymentNumber: list.length + 1,
      state,
      configurationVersion: String(versions + 1),
      versionLabel: `label-${versions + 1}`,
      startedAt: new Date(Date.UTC(2026, 10, 25, list.length)),
      content,
    };
    this.deployments.set(key, [deployment, ...list]);
    const { profileId: _, ...shown } = deployment;
    return shown;
  }

  async deployed(target: DeployedTarget): Promise<DeployedConfiguration | undefined> {
    this.calls.push('deployed');
    const found = (this.deployments.get(`${target.applicationId}/${target.environmentId}`) ?? []).find(
      (d) => d.profileId === target.configurationProfileId && SHIPPING_STATES.has(d.state),
    );
    if (!found) return undefined;
    const { profileId: _, ...shown } = found;
    return shown;
  }

  async locate(
    services: readonly string[],
    options: { readonly namePrefix: string },
  ): Promise<Readonly<Record<string, ServiceProfiles>>> {
    this.calls.push('locate');
    const found: Record<string, ServiceProfiles> = {};
    for (const service of services) {
      const profiles = this.applications.get(`${options.namePrefix}${service}`);
      if (profiles) found[service] = profiles;
    }
    return found;
  }
}
