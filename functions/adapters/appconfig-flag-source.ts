/**
 * {@link FlagSource} over AppConfig's control plane: ListHostedConfigurationVersions (every page;
 * AWS documents no order, so the newest is the highest VersionNumber) and then
 * GetHostedConfigurationVersion for it. The data plane would strip the flag definitions.
 */
import {
  type AppConfigClient,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListHostedConfigurationVersionsCommand,
} from '@aws-sdk/client-appconfig';
import { ConfigurationError } from '../core/errors.ts';
import { fromAppConfigFlags } from '../core/flags/appconfig-format.ts';
import { FLAGS_PROFILE_NAME } from '../core/names.ts';
import type { FlagProfileRef, FlagSource, HostedFlagSet } from '../ports/flag-source.ts';
import { FlagSourceError } from '../ports/flag-source.errors.ts';
import { type AppConfigFlagReadOptions, AppConfigFlagReads } from './appconfig-flag-reads.ts';

export type AppConfigFlagSourceOptions = AppConfigFlagReadOptions;

/**
 * @example
 * const source = new AppConfigFlagSource(new AppConfigClient({}));
 * const latest = await source.latest({ service: 'orders', applicationId: 'abc1234', flagsProfileId: 'def5678' });
 */
export class AppConfigFlagSource extends AppConfigFlagReads implements FlagSource {
  async latest(ref: FlagProfileRef): Promise<HostedFlagSet | undefined> {
    const version = await this.newestVersion(ref);
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
 * `steward flags --live`): applications are named `<prefix><service>`, the profile `flags`.
 * Services without an application or profile are listed in `missing`.
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
    if (applicationId && flagsProfileId) refs.push({ service, applicationId, flagsProfileId });
    else missing.push(service);
  }
  return { refs, missing };
}
