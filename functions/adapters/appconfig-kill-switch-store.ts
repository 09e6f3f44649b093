/**
 * AppConfig for kill switches: delivery (`AppConfigDelivery`) plus what a flip reads first, the
 * switches' served deployment and its hosted version, since a flip starts from the document the
 * kill-switch environment serves. Apart from AppConfigDelivery so that deliver-changes, which never
 * reads a version back, does not carry the calls.
 */
import { type AppConfigClient, GetHostedConfigurationVersionCommand } from '@aws-sdk/client-appconfig';
import { KILL_SWITCHES_PROFILE_NAME } from '../core/names.ts';
import { ConfigDeliveryError } from '../ports/config-delivery.errors.ts';
import type {
  HostedVersionReader,
  ServedDeployment,
  ServedDeploymentReader,
} from '../ports/config-delivery.ts';
import { AppConfigDelivery, translate } from './appconfig-delivery.ts';
import { EnvironmentDeployments, throttledAppConfigCall } from './appconfig-served-deployment.ts';
import type { ThrottlingRetryOptions } from './throttling-retry.ts';

/**
 * @example
 * const store = new AppConfigKillSwitchStore(new AppConfigClient({}));
 * const { served } = await store.servedDeployment({ applicationId, environmentId, configurationProfileId });
 * const content = await store.hostedContent({ applicationId, configurationProfileId, versionNumber: served.configurationVersion });
 */
export class AppConfigKillSwitchStore
  extends AppConfigDelivery
  implements HostedVersionReader, ServedDeploymentReader
{
  constructor(
    client: AppConfigClient,
    private readonly retry: ThrottlingRetryOptions = {},
  ) {
    super(client);
  }

  /** The switches' served deployment (never a rolled-back one), and whether a deployment runs there. */
  servedDeployment(target: {
    applicationId: string;
    environmentId: string;
    configurationProfileId: string;
  }): Promise<ServedDeployment> {
    const subject = `environment ${target.environmentId} of application ${target.applicationId}`;
    const deployments = new EnvironmentDeployments(this.client, target, {
      call: throttledAppConfigCall(
        (cause, _name, operation) => translate(cause, operation, subject),
        this.retry,
      ),
      unnumbered: (deploymentNumber, operation) =>
        new ConfigDeliveryError(
          `${operation} on ${subject}: deployment ${deploymentNumber} of the kill-switch profile names no hosted version number`,
          operation,
        ),
    });
    return deployments.served({
      configurationProfileId: target.configurationProfileId,
      profileName: KILL_SWITCHES_PROFILE_NAME,
    });
  }

  async hostedContent(version: {
    applicationId: string;
    configurationProfileId: string;
    versionNumber: string;
  }): Promise<string> {
    try {
      const response = await this.client.send(
        new GetHostedConfigurationVersionCommand({
          ApplicationId: version.applicationId,
          ConfigurationProfileId: version.configurationProfileId,
          VersionNumber: Number(version.versionNumber),
        }),
      );
      return new TextDecoder().decode(response.Content ?? new Uint8Array());
    } catch (error) {
      throw translate(
        error,
        'GetHostedConfigurationVersion',
        `version ${version.versionNumber} of profile ${version.configurationProfileId} of application ${version.applicationId}`,
      );
    }
  }
}
