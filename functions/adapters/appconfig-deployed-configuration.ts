/**
 * {@link DeployedConfigurationReader} over AppConfig's control plane: the served deployment walk
 * (`appconfig-served-deployment.ts`: ListDeployments newest first, paged, each environment listed
 * once for both profiles) finds the deployment that ships a profile, GetHostedConfigurationVersion
 * reads its content; ListApplications, ListConfigurationProfiles and
 * ListEnvironments find a service's ids by the names the stack gives them. Every SDK error becomes a
 * port error naming the call and its subject.
 */
import {
  type AppConfigClient,
  type AppConfigClientConfig,
  GetHostedConfigurationVersionCommand,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
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
import {
  EnvironmentDeployments,
  shippingDeployment,
  throttledAppConfigCall,
} from './appconfig-served-deployment.ts';
import type { ThrottlingRetryOptions } from './throttling-retry.ts';

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

const decoder = new TextDecoder();

/**
 * @example
 * const reader = new AppConfigDeployedConfiguration(new AppConfigClient({}));
 * const ids = await reader.locate(['orders'], { namePrefix: '' });
 * const shipped = await reader.deployed({ applicationId, environmentId, configurationProfileId });
 */
export class AppConfigDeployedConfiguration implements DeployedConfigurationReader {
  /**
   * Deployments by environment: a reader is one plan's snapshot, so the pages read to find one
   * profile's deployment serve the environment's other profile (one listing, not two).
   */
  private readonly listings = new Map<string, EnvironmentDeployments>();
  /** Profile names by id, as {@link locate} found them: older ListDeployments answers carry only names. */
  private readonly profileNames = new Map<string, string>();

  constructor(
    private readonly client: AppConfigClient,
    /** Retries of a throttled ListDeployments or GetDeployment, on top of the SDK's own. */
    private readonly retry: ThrottlingRetryOptions = {},
  ) {}

  /**
   * What the environment gets of the profile once the rollout running there (if any) completes: the
   * profile's deployment rolling out (VALIDATING, DEPLOYING) when there is one, else its served
   * deployment (COMPLETE or BAKING). Rolled-back and reverted deployments ship nothing. This is what
   * the next deploy builds on: the delivery, too, counts a document rolling out as delivered.
   */
  async deployed(target: DeployedTarget): Promise<DeployedConfiguration | undefined> {
    const { applicationId, environmentId, configurationProfileId } = target;
    const profileName = this.profileNames.get(`${applicationId}/${configurationProfileId}`);
    const shipping = shippingDeployment(
      await this.listingOf(applicationId, environmentId).served({
        configurationProfileId,
        ...(profileName ? { profileName } : {}),
      }),
    );
    if (!shipping) return undefined;
    const version = shipping.configurationVersion;
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
      deploymentNumber: shipping.deploymentNumber,
      state: shipping.state,
      configurationVersion: version,
      ...(shipping.versionLabel ? { versionLabel: shipping.versionLabel } : {}),
      ...(shipping.startedAt ? { startedAt: shipping.startedAt } : {}),
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
      this.profileNames.set(`${applicationId}/${documentProfileId}`, DOCUMENT_PROFILE_NAME);
      this.profileNames.set(`${applicationId}/${flagsProfileId}`, FLAGS_PROFILE_NAME);
      found[service] = { applicationId, documentProfileId, flagsProfileId, environments };
    }
    return found;
  }

  /** The environment's deployments, read as far as a walk needed them, kept for its other profile. */
  private listingOf(applicationId: string, environmentId: string): EnvironmentDeployments {
    const key = `${applicationId}/${environmentId}`;
    let listing = this.listings.get(key);
    if (!listing) {
      const subject = `environment ${environmentId} of application ${applicationId}`;
      listing = new EnvironmentDeployments(
        this.client,
        { applicationId, environmentId },
        {
          call: throttledAppConfigCall(
            (cause, _name, operation) => translate(cause, operation, subject),
            this.retry,
          ),
          unnumbered: (deploymentNumber, operation) =>
            new DeployedConfigurationError(
              `${operation} on ${subject}: deployment ${deploymentNumber} names no hosted version number`,
              operation,
            ),
        },
      );
      this.listings.set(key, listing);
    }
    return listing;
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
      throw translate(error, operation, subject);
    }
  }
}

/** An SDK error as the port's error, naming the call and its subject, never content. */
function translate(error: unknown, operation: string, subject: string): Error {
  const name = (error as Error).name ?? 'Error';
  const message = `${operation} on ${subject} failed: ${name}`;
  if (name === 'AccessDeniedException') {
    return new DeployedConfigurationAccessDeniedError(message, operation, { cause: error });
  }
  return new DeployedConfigurationError(message, operation, { cause: error });
}
