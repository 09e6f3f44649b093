/**
 * The `ConfigDelivery` port on AWS AppConfig: hosted configuration versions and deployments. A
 * `ConflictException` from StartDeployment means another deployment runs in that environment; it is
 * returned as `busy` (with the running deployment's number when ListDeployments shows it), not thrown.
 * Hosted versions carry the document's hash as their version label, which deployment summaries show,
 * so the newest deployment of a profile tells what it ships without reading its content.
 */
import {
  type AppConfigClient,
  CreateHostedConfigurationVersionCommand,
  type DeploymentSummary,
  GetApplicationCommand,
  GetConfigurationProfileCommand,
  ListDeploymentsCommand,
  ListHostedConfigurationVersionsCommand,
  type ListDeploymentsCommandOutput,
  StartDeploymentCommand,
} from '@aws-sdk/client-appconfig';
import {
  ConfigDeliveryAccessDeniedError,
  ConfigDeliveryError,
  ConfigDeliveryThrottledError,
} from '../ports/config-delivery.errors.ts';
import { DOCUMENT_PROFILE_NAME, FEATURE_FLAGS_PROFILE_TYPE } from '../core/names.ts';
import type {
  ConfigDelivery,
  DeploymentRequest,
  DeploymentStart,
  EnvironmentState,
  HostedDocument,
  ProfileLocation,
  ProfileLocator,
} from '../ports/config-delivery.ts';
import { BUSY_STATES, THROTTLING_ERRORS } from './appconfig-deployment-states.ts';

/**
 * @example
 * const delivery = new AppConfigDelivery(new AppConfigClient({}));
 * const version = await delivery.ensureHostedVersion(document);
 */
export class AppConfigDelivery implements ConfigDelivery {
  constructor(protected readonly client: AppConfigClient) {}

  async ensureHostedVersion(document: HostedDocument): Promise<string> {
    const existing = await this.labelledVersion(document);
    if (existing !== undefined) return existing;
    try {
      const response = await this.client.send(
        new CreateHostedConfigurationVersionCommand({
          ApplicationId: document.applicationId,
          ConfigurationProfileId: document.configurationProfileId,
          Content: new TextEncoder().encode(document.content),
          ContentType: document.contentType,
          Description: document.description,
          VersionLabel: document.versionLabel,
        }),
      );
      if (response.VersionNumber === undefined) {
        throw new ConfigDeliveryError(
          'CreateHostedConfigurationVersion returned no version number',
          'CreateHostedConfigurationVersion',
        );
      }
      return String(response.VersionNumber);
    } catch (error) {
      throw translate(
        error,
        'CreateHostedConfigurationVersion',
        `profile ${document.configurationProfileId} of application ${document.applicationId}`,
      );
    }
  }

  /** The hosted version already carrying this document's label (an exact match, no wildcard). */
  private async labelledVersion(document: HostedDocument): Promise<string | undefined> {
    try {
      const page = await this.client.send(
        new ListHostedConfigurationVersionsCommand({
          ApplicationId: document.applicationId,
          ConfigurationProfileId: document.configurationProfileId,
          VersionLabel: document.versionLabel,
          MaxResults: 1,
        }),
      );
      const version = page.Items?.[0]?.VersionNumber;
      return version === undefined ? undefined : String(version);
    } catch (error) {
      throw translate(
        error,
        'ListHostedConfigurationVersions',
        `profile ${document.configurationProfileId} of application ${document.applicationId}`,
      );
    }
  }

  async startDeployment(request: DeploymentRequest): Promise<DeploymentStart> {
    try {
      const response = await this.client.send(
        new StartDeploymentCommand({
          ApplicationId: request.applicationId,
          EnvironmentId: request.environmentId,
          ConfigurationProfileId: request.configurationProfileId,
          ConfigurationVersion: request.configurationVersion,
          DeploymentStrategyId: request.deploymentStrategyId,
          Description: request.description,
        }),
      );
      return { status: 'started', deploymentNumber: response.DeploymentNumber ?? 0 };
    } catch (error) {
      if ((error as Error).name !== 'ConflictException') {
        throw translate(
          error,
          'StartDeployment',
          `environment ${request.environmentId} of application ${request.applicationId}`,
        );
      }
      return { status: 'busy', runningDeploymentNumber: await this.runningDeployment(request) };
    }
  }

  async environmentState(target: {
    applicationId: string;
    environmentId: string;
    configurationProfileId: string;
  }): Promise<EnvironmentState> {
    const { applicationId, environmentId, configurationProfileId } = target;
    let page: ListDeploymentsCommandOutput;
    try {
      // Newest first: a running deployment and this profile's newest are on the first page.
      page = await this.client.send(
        new ListDeploymentsCommand({
          ApplicationId: applicationId,
          EnvironmentId: environmentId,
          MaxResults: 50,
        }),
      );
    } catch (error) {
      throw translate(
        error,
        'ListDeployments',
        `environment ${environmentId} of application ${applicationId}`,
      );
    }
    const items = page.Items ?? [];
    // The flags profile deploys to the same environment: the newest of this profile is what it ships.
    const latest = items.find((item) => item.ConfigurationProfileId === configurationProfileId);
    const running = items.find((item) => BUSY_STATES.has(item.State ?? ''))?.DeploymentNumber;
    return {
      ...(latest?.DeploymentNumber === undefined
        ? {}
        : {
            latest: {
              deploymentNumber: latest.DeploymentNumber,
              versionLabel: latest.VersionLabel,
              ...(latest.ConfigurationVersion === undefined
                ? {}
                : { configurationVersion: latest.ConfigurationVersion }),
              state: latest.State ?? 'UNKNOWN',
              startedAt: latest.StartedAt,
            },
          }),
      ...(running === undefined ? {} : { runningDeploymentNumber: running }),
    };
  }

  /** The number of the deployment that keeps the environment busy, if one is listed. */
  private async runningDeployment(request: DeploymentRequest): Promise<number | undefined> {
    try {
      // Newest first: a running deployment is on the first page.
      const page = await this.client.send(
        new ListDeploymentsCommand({
          ApplicationId: request.applicationId,
          EnvironmentId: request.environmentId,
          MaxResults: 50,
        }),
      );
      return (page.Items ?? []).find((item: DeploymentSummary) => BUSY_STATES.has(item.State ?? ''))
        ?.DeploymentNumber;
    } catch {
      // The number is informative only; busy stays busy.
    }
    return undefined;
  }
}

/** The document profile's name, as the config-delivery construct creates it. */

/**
 * Finds the service of an AppConfig application by its name (`<prefix><service>`, as the stack names
 * applications) and the profile by its type or name. Answers are cached for the warm container.
 *
 * @example
 * const locator = new AppConfigProfileLocator(new AppConfigClient({}), process.env.STEWARD_APPCONFIG_PREFIX);
 */
export class AppConfigProfileLocator implements ProfileLocator {
  private readonly cache = new Map<string, Promise<ProfileLocation | undefined>>();

  constructor(
    private readonly client: AppConfigClient,
    private readonly namePrefix = '',
  ) {}

  locate(applicationId: string, configurationProfileId: string): Promise<ProfileLocation | undefined> {
    const key = `${applicationId}/${configurationProfileId}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.lookup(applicationId, configurationProfileId);
      this.cache.set(key, found);
      // A failure is not remembered: the next invocation asks again.
      found.catch(() => this.cache.delete(key));
    }
    return found;
  }

  private async lookup(
    applicationId: string,
    configurationProfileId: string,
  ): Promise<ProfileLocation | undefined> {
    try {
      const [application, profile] = await Promise.all([
        this.client.send(new GetApplicationCommand({ ApplicationId: applicationId })),
        this.client.send(
          new GetConfigurationProfileCommand({
            ApplicationId: applicationId,
            ConfigurationProfileId: configurationProfileId,
          }),
        ),
      ]);
      const name = application.Name ?? '';
      if (!name.startsWith(this.namePrefix)) return undefined;
      const service = name.slice(this.namePrefix.length);
      if (profile.Type === FEATURE_FLAGS_PROFILE_TYPE) return { service, profile: 'flags' };
      return profile.Name === DOCUMENT_PROFILE_NAME ? { service, profile: 'document' } : undefined;
    } catch (error) {
      if ((error as Error).name === 'ResourceNotFoundException') return undefined;
      throw translate(
        error,
        'GetConfigurationProfile',
        `profile ${configurationProfileId} of application ${applicationId}`,
      );
    }
  }
}

/** An AppConfig SDK error as a ConfigDelivery error naming the call and its subject, never content. */
export function translate(error: unknown, operation: string, subject: string): Error {
  if (error instanceof ConfigDeliveryError) return error;
  const name = (error as Error).name ?? 'Error';
  const message = `${operation} on ${subject} failed: ${name}`;
  if (name === 'AccessDeniedException') {
    return new ConfigDeliveryAccessDeniedError(message, operation, { cause: error });
  }
  if (THROTTLING_ERRORS.has(name))
    return new ConfigDeliveryThrottledError(message, operation, { cause: error });
  return new ConfigDeliveryError(message, operation, { cause: error });
}
