/**
 * {@link DeployedConfigurationReader} over AppConfig's control plane: ListDeployments (newest first,
 * paged, each environment listed once for both profiles) finds the deployment that ships a profile,
 * GetHostedConfigurationVersion reads its content; ListApplications, ListConfigurationProfiles and
 * ListEnvironments find a service's ids by the names the stack gives them. Every SDK error becomes a
 * port error naming the call and its subject.
 */
import {
  type AppConfigClient,
  type AppConfigClientConfig,
  type DeploymentSummary,
  GetHostedConfigurationVersionCommand,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListDeploymentsCommand,
  ListEnvironmentsCommand,
} from '@aws-sdk/client-appconfig';
import { DOCUMENT_PROFILE_NAME, FLAGS_PROFILE_NAME } from '../core/names.ts';
import type {
  DeployedConfiguration,
  DeployedConfigurationReader,
  DeployedTarget,
  ServiceProfiles,
} from '../ports/deployed-configuration.ts';
import {
  DeployedConfigurationAccessDeniedError,
  DeployedConfigurationError,
} from '../ports/deployed-configuration.errors.ts';

/**
 * Client settings for a plan's reads: AppConfig's control plane allows few requests a second and a
 * plan sends several per service and environment, so the SDK backs off and retries a throttled call
 * (adaptive retry) instead of failing the plan after its default 3 attempts. No endpoint:
 * `AWS_ENDPOINT_URL` is honoured by the SDK.
 *
 * @example
 * const reader = new AppConfigDeployedConfiguration(new AppConfigClient(DEPLOYED_CONFIGURATION_CLIENT_CONFIG));
 */
export const DEPLOYED_CONFIGURATION_CLIENT_CONFIG: AppConfigClientConfig = {
  maxAttempts: 8,
  retryMode: 'adaptive',
};

/** An environment's deployments as far as they have been listed. */
interface DeploymentListing {
  readonly items: DeploymentSummary[];
  nextToken?: string;
  done: boolean;
}

/** States in which a deployment's version is, or is becoming, what the environment serves. */
const SHIPPING_STATES = new Set(['COMPLETE', 'DEPLOYING', 'BAKING', 'VALIDATING']);
const decoder = new TextDecoder();

/**
 * @example
 * const reader = new AppConfigDeployedConfiguration(new AppConfigClient({}));
 * const ids = await reader.locate(['orders'], { namePrefix: '' });
 * const shipped = await reader.deployed({ applicationId, environmentId, configurationProfileId });
 */
export class AppConfigDeployedConfiguration implements DeployedConfigurationReader {
  /**
   * ListDeployments pages by environment: a reader is one plan's snapshot, so the pages read to find
   * one profile's deployment serve the environment's other profile (one listing, not two).
   */
  private readonly listings = new Map<string, DeploymentListing>();

  constructor(private readonly client: AppConfigClient) {}

  async deployed(target: DeployedTarget): Promise<DeployedConfiguration | undefined> {
    const { applicationId, environmentId, configurationProfileId } = target;
    const listing = this.listingOf(applicationId, environmentId);
    const ships = (item: DeploymentSummary) =>
      item.ConfigurationProfileId === configurationProfileId &&
      SHIPPING_STATES.has(item.State ?? '') &&
      item.DeploymentNumber !== undefined &&
      item.ConfigurationVersion !== undefined;
    let shipping = listing.items.find(ships);
    // Pages may be empty and still carry a NextToken: only a missing token ends the listing.
    while (!shipping && !listing.done) {
      const searched = listing.items.length;
      await this.readNextPage(listing, applicationId, environmentId);
      shipping = listing.items.slice(searched).find(ships);
    }
    if (!shipping) return undefined;
    const version = shipping.ConfigurationVersion as string;
    const hosted = await this.call(
      'GetHostedConfigurationVersion',
      `version ${version} of profile ${configurationProfileId} of application ${applicationId}`,
      () =>
        this.client.send(
          new GetHostedConfigurationVersionCommand({
            ApplicationId: applicationId,
            ConfigurationProfileId: configurationProfileId,
            VersionNumber: Number(version),
          }),
        ),
    );
    return {
      deploymentNumber: shipping.DeploymentNumber as number,
      state: shipping.State as string,
      configurationVersion: version,
      ...(shipping.VersionLabel ? { versionLabel: shipping.VersionLabel } : {}),
      ...(shipping.StartedAt ? { startedAt: shipping.StartedAt } : {}),
      content: hosted.Content ? decoder.decode(hosted.Content) : '',
    };
  }

  async locate(
    services: readonly string[],
    options: { readonly namePrefix: string },
  ): Promise<Readonly<Record<string, ServiceProfiles>>> {
    const applications = new Map<string, string>();
    await this.pages('ListApplications', 'applications', async (NextToken) => {
      const page = await this.client.send(new ListApplicationsCommand({ MaxResults: 50, NextToken }));
      for (const app of page.Items ?? []) if (app.Name && app.Id) applications.set(app.Name, app.Id);
      return page.NextToken;
    });
    const found: Record<string, ServiceProfiles> = {};
    for (const service of services) {
      const applicationId = applications.get(`${options.namePrefix}${service}`);
      if (!applicationId) continue;
      const profiles = new Map<string, string>();
      await this.pages('ListConfigurationProfiles', `application ${applicationId}`, async (NextToken) => {
        const page = await this.client.send(
          new ListConfigurationProfilesCommand({ ApplicationId: applicationId, MaxResults: 50, NextToken }),
        );
        for (const p of page.Items ?? []) if (p.Name && p.Id) profiles.set(p.Name, p.Id);
        return page.NextToken;
      });
      const environments: Record<string, string> = {};
      await this.pages('ListEnvironments', `application ${applicationId}`, async (NextToken) => {
        const page = await this.client.send(
          new ListEnvironmentsCommand({ ApplicationId: applicationId, MaxResults: 50, NextToken }),
        );
        for (const e of page.Items ?? []) if (e.Name && e.Id) environments[e.Name] = e.Id;
        return page.NextToken;
      });
      const documentProfileId = profiles.get(DOCUMENT_PROFILE_NAME);
      const flagsProfileId = profiles.get(FLAGS_PROFILE_NAME);
      if (!documentProfileId || !flagsProfileId) continue;
      found[service] = { applicationId, documentProfileId, flagsProfileId, environments };
    }
    return found;
  }

  /** The environment's deployments read so far (newest first), kept for the environment's other profile. */
  private listingOf(applicationId: string, environmentId: string): DeploymentListing {
    const key = `${applicationId}/${environmentId}`;
    let listing = this.listings.get(key);
    if (!listing) {
      listing = { items: [], done: false };
      this.listings.set(key, listing);
    }
    return listing;
  }

  private async readNextPage(
    listing: DeploymentListing,
    applicationId: string,
    environmentId: string,
  ): Promise<void> {
    const token = listing.nextToken;
    const page = await this.call(
      'ListDeployments',
      `environment ${environmentId} of application ${applicationId}`,
      () =>
        this.client.send(
          new ListDeploymentsCommand({
            ApplicationId: applicationId,
            EnvironmentId: environmentId,
            MaxResults: 50,
            ...(token ? { NextToken: token } : {}),
          }),
        ),
    );
    listing.items.push(...(page.Items ?? []));
    listing.nextToken = page.NextToken;
    listing.done = !page.NextToken;
  }

  /** Follow NextToken until it runs out; `read` returns the next token. */
  private async pages(
    operation: string,
    subject: string,
    read: (token: string | undefined) => Promise<string | undefined>,
  ): Promise<void> {
    let token: string | undefined;
    do {
      const current = token;
      token = await this.call(operation, subject, () => read(current));
    } while (token);
  }

  private async call<T>(operation: string, subject: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      const name = (error as Error).name ?? 'Error';
      const message = `${operation} on ${subject} failed: ${name}`;
      if (name === 'AccessDeniedException') {
        throw new DeployedConfigurationAccessDeniedError(message, operation, { cause: error });
      }
      throw new DeployedConfigurationError(message, operation, { cause: error });
    }
  }
}
