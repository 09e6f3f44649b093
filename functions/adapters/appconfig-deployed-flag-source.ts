/**
 * {@link DeployedFlagSource} over AppConfig's control plane, for the drift run: ListDeployments of
 * the environment (every page, newest first, as AWS documents) to the first COMPLETE or BAKING
 * deployment of the flags profile, then GetHostedConfigurationVersion of the version it deployed. A summary that
 * names the profile without its id (older answers of the API) is confirmed by GetDeployment.
 */
import { GetDeploymentCommand, ListDeploymentsCommand } from '@aws-sdk/client-appconfig';
import type { AppConfigClient } from '@aws-sdk/client-appconfig';
import { FLAGS_PROFILE_NAME } from '../core/names.ts';
import type {
  DeployedFlags,
  DeployedFlagSource,
  FlagDeploymentNote,
  FlagEnvironmentRef,
  FlagProfileRef,
} from '../ports/flag-source.ts';
import { FlagSourceError } from '../ports/flag-source.errors.ts';
import { type AppConfigFlagReadOptions, AppConfigFlagReads } from './appconfig-flag-reads.ts';

/** States in which a deployment's version is what every target of the environment serves. */
const SERVED_STATES: ReadonlySet<string> = new Set(['COMPLETE', 'BAKING']);

export interface AppConfigDeployedFlagSourceOptions extends AppConfigFlagReadOptions {
  /** The flags profile's name, which deployment summaries carry instead of its id. @default 'flags' */
  readonly profileName?: string;
}

/**
 * @example
 * const source = new AppConfigDeployedFlagSource(new AppConfigClient({}));
 * const served = await source.deployed(ref, { name: 'production', environmentId: 'env1234' });
 */
export class AppConfigDeployedFlagSource extends AppConfigFlagReads implements DeployedFlagSource {
  private readonly profileName: string;

  constructor(client: AppConfigClient, options: AppConfigDeployedFlagSourceOptions = {}) {
    super(client, options);
    this.profileName = options.profileName ?? FLAGS_PROFILE_NAME;
  }

  /**
   * What the environment serves of the flags profile: the version of the last COMPLETE or BAKING
   * deployment (a baking deployment has reached every target; AppConfig only watches its alarms).
   * Deployments still rolling out (VALIDATING, DEPLOYING) or rolled back (ROLLING_BACK, ROLLED_BACK,
   * REVERTED) are passed over and listed in `skipped`: until one reaches every target, or after it
   * was rolled back, the environment serves the version of the one before.
   *
   * @example
   * const served = await source.deployed(ref, { name: 'production', environmentId: 'env1234' });
   */
  async deployed(ref: FlagProfileRef, environment: FlagEnvironmentRef): Promise<DeployedFlags> {
    const skipped: FlagDeploymentNote[] = [];
    const pages = this.pages(ref, 'ListDeployments', (token) =>
      this.client.send(
        new ListDeploymentsCommand({
          ApplicationId: ref.applicationId,
          EnvironmentId: environment.environmentId,
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const deploymentNumber = item.DeploymentNumber;
        if (deploymentNumber === undefined) continue;
        // Summaries carry the profile's id in the current API; older answers name it only.
        const ours =
          item.ConfigurationProfileId !== undefined
            ? item.ConfigurationProfileId === ref.flagsProfileId
            : item.ConfigurationName === this.profileName;
        if (!ours) continue;
        if (!SERVED_STATES.has(item.State ?? '')) {
          skipped.push({
            deploymentNumber,
            version: item.ConfigurationVersion ?? '',
            state: item.State ?? 'UNKNOWN',
          });
          continue;
        }
        const deployment =
          item.ConfigurationProfileId !== undefined
            ? item
            : await this.call(ref, 'GetDeployment', () =>
                this.client.send(
                  new GetDeploymentCommand({
                    ApplicationId: ref.applicationId,
                    EnvironmentId: environment.environmentId,
                    DeploymentNumber: deploymentNumber,
                  }),
                ),
              );
        // Another profile of the same name (a deleted and re-created one): not ours.
        if (deployment.ConfigurationProfileId !== ref.flagsProfileId) continue;
        const version = Number(deployment.ConfigurationVersion);
        if (!Number.isInteger(version) || version < 1) {
          throw new FlagSourceError(
            `GetDeployment: deployment ${deploymentNumber} of the flags profile of ${ref.service} to ` +
              `${environment.name} names no hosted version number`,
            'GetDeployment',
          );
        }
        const document = await this.hostedDocument(ref, version);
        return { status: 'deployed', deploymentNumber, version, document, skipped };
      }
    }
    return { status: 'never-deployed', skipped };
  }
}
