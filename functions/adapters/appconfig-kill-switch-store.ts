/**
 * AppConfig for kill switches: delivery (`AppConfigDelivery`) plus reading a hosted version back,
 * since a flip starts from the document the kill-switch environment has deployed. Apart from
 * AppConfigDelivery so that deliver-changes, which never reads a version back, does not carry the call.
 */
import { GetHostedConfigurationVersionCommand } from '@aws-sdk/client-appconfig';
import type { HostedVersionReader } from '../ports/config-delivery.ts';
import { AppConfigDelivery, translate } from './appconfig-delivery.ts';

/**
 * @example
 * const store = new AppConfigKillSwitchStore(new AppConfigClient({}));
 * const content = await store.hostedContent({ applicationId, configurationProfileId, versionNumber: '3' });
 */
export class AppConfigKillSwitchStore extends AppConfigDelivery implements HostedVersionReader {
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
