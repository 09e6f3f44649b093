/**
 * {@link FlagSource} over AppConfig's control plane: the version the flags profile was deployed with
 * last, from the shared deployments walk per environment (newest first; rolled-back deployments
 * passed over), else ListHostedConfigurationVersions (every page; AWS documents no order, so the newest is
 * the highest VersionNumber); then GetHostedConfigurationVersion for it. The data plane would strip
 * the flag definitions. The highest version is not enough once deployed: the delivery reuses the
 * hosted version of equal content, so a revert in git redeploys an older, lower version.
 */
import {
  type AppConfigClient,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListEnvironmentsCommand,
  ListHostedConfigurationVersionsCommand,
} from '@aws-sdk/client-appconfig';
import { ConfigurationError } from '../core/errors.ts';
import { fromAppConfigFlags } from '../core/flags/appconfig-format.ts';
import { FLAGS_PROFILE_NAME } from '../core/names.ts';
import type { FlagProfileRef, FlagSource, HostedFlagSet } from '../ports/flag-source.ts';
import { FlagSourceError } from '../ports/flag-source.errors.ts';
import { type AppConfigFlagReadOptions, AppConfigFlagReads } from './appconfig-flag-reads.ts';
import type { ProfileDeployment } from '../ports/config-delivery.ts';
import { EnvironmentDeployments, shippingDeployment } from './appconfig-served-deployment.ts';

export type AppConfigFlagSourceOptions = AppConfigFlagReadOptions;

/**
 * @example
 * const source = new AppConfigFlagSource(new AppConfigClient({}));
 * const latest = await source.latest({ service: 'orders', applicationId: 'abc1234', flagsProfileId: 'def5678' });
 */
export class AppConfigFlagSource extends AppConfigFlagReads implements FlagSource {
  async latest(ref: FlagProfileRef): Promise<HostedFlagSet | undefined> {
    const version = (await this.lastDeployedVersion(ref)) ?? (await this.newestVersion(ref));
    if (version === undefined) return undefined;
    const document = await this.hostedDocument(ref, version);
    try {
      return { ref, version, flags: fromAppConfigFlags(document) };
    } catch (cause) {
      if (!(cause instanceof ConfigurationError)) throw cause;
      throw new FlagSourceError(
        `GetHostedConfigurationVersion: version ${version} of the flags profile of ${ref.service}: ${cause.message}`,
        'GetHostedConfigurationVersion',
        { cause },
      );
    }
  }

  /**
   * The version of the flags profile's newest deployment, over its environments, that is served or
   * rolling out (the shared walk of appconfig-served-deployment.ts: rolled-back and reverted ones
   * passed over, pages read until the served one is found).
   */
  private async lastDeployedVersion(ref: FlagProfileRef): Promise<number | undefined> {
    let last: ProfileDeployment | undefined;
    for (const environmentId of ref.environmentIds ?? []) {
      const deployments = new EnvironmentDeployments(
        this.client,
        { applicationId: ref.applicationId, environmentId },
        {
          call: (operation, send) => this.call(ref, operation, send),
          unnumbered: (deploymentNumber, operation) =>
            new FlagSourceError(
              `${operation}: deployment ${deploymentNumber} of the flags profile of ${ref.service} names no hosted version number`,
              operation,
            ),
        },
      );
      const shipping = shippingDeployment(
        await deployments.served({
          configurationProfileId: ref.flagsProfileId,
          profileName: FLAGS_PROFILE_NAME,
        }),
      );
      const startedAt = (d: ProfileDeployment | undefined) => d?.startedAt?.getTime() ?? 0;
      if (shipping && (last === undefined || startedAt(shipping) > startedAt(last))) last = shipping;
    }
    const version = Number(last?.configurationVersion);
    return Number.isInteger(version) ? version : undefined;
  }

  private async newestVersion(ref: FlagProfileRef): Promise<number | undefined> {
    let newest: number | undefined;
    const pages = this.pages(ref, 'ListHostedConfigurationVersions', (token) =>
      this.client.send(
        new ListHostedConfigurationVersionsCommand({
          ApplicationId: ref.applicationId,
          ConfigurationProfileId: ref.flagsProfileId,
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        if (item.VersionNumber !== undefined && (newest === undefined || item.VersionNumber > newest)) {
          newest = item.VersionNumber;
        }
      }
    }
    return newest;
  }
}

/**
 * Find the flags profile of each service by name, for tools that run outside the stack (the CLI's
 * `steward flags --live`): applications are named `<prefix><service>`, the profile `flags`; the
 * application's environments are listed too, to find the version deployed last. Services without an
 * application or profile are listed in `missing`.
 *
 * @example
 * const { refs, missing } = await resolveFlagProfiles(new AppConfigClient({}), ['orders', 'payments']);
 */
export async function resolveFlagProfiles(
  client: AppConfigClient,
  services: readonly string[],
  options: { namePrefix?: string; profileName?: string } = {},
): Promise<{ refs: FlagProfileRef[]; missing: string[] }> {
  const prefix = options.namePrefix ?? '';
  const profileName = options.profileName ?? FLAGS_PROFILE_NAME;
  const applications = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListApplicationsCommand({ MaxResults: 50, ...(token ? { NextToken: token } : {}) }),
    );
    for (const app of page.Items ?? []) if (app.Name && app.Id) applications.set(app.Name, app.Id);
    token = page.NextToken;
  } while (token);

  const refs: FlagProfileRef[] = [];
  const missing: string[] = [];
  for (const service of services) {
    const applicationId = applications.get(`${prefix}${service}`);
    let flagsProfileId: string | undefined;
    let next: string | undefined;
    while (applicationId && !flagsProfileId) {
      const page = await client.send(
        new ListConfigurationProfilesCommand({
          ApplicationId: applicationId,
          MaxResults: 50,
          ...(next ? { NextToken: next } : {}),
        }),
      );
      flagsProfileId = page.Items?.find((p) => p.Name === profileName && p.Id)?.Id;
      next = page.NextToken;
      if (!next) break;
    }
    if (applicationId && flagsProfileId) {
      const environmentIds = await environmentsOf(client, applicationId);
      refs.push({ service, applicationId, flagsProfileId, environmentIds });
    } else missing.push(service);
  }
  return { refs, missing };
}

/** Every environment id of an application (every page): where its flags may have been deployed. */
async function environmentsOf(client: AppConfigClient, applicationId: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListEnvironmentsCommand({
        ApplicationId: applicationId,
        MaxResults: 50,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const environment of page.Items ?? []) if (environment.Id) ids.push(environment.Id);
    token = page.NextToken;
  } while (token);
  return ids;
}
