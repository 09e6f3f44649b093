/**
 * {@link DeployedFlagSource} over AppConfig's control plane, for the drift run: the served deployment
 * of the flags profile (ListDeployments, every page needed, newest first; a summary that names the
 * profile without its id is confirmed by GetDeployment), then GetHostedConfigurationVersion of the
 * version it deployed.
 */
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
import { EnvironmentDeployments } from './appconfig-served-deployment.ts';

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
   * What the environment serves of the flags profile: the version of its served deployment (the
   * newest COMPLETE or BAKING one, `appconfig-served-deployment.ts`). Deployments still rolling out
   * (VALIDATING, DEPLOYING) or undone (ROLLING_BACK, ROLLED_BACK, REVERTED) are passed over and listed
   * in `skipped`: until one reaches every target, or after it was undone, the environment serves the
   * version of the one before.
   *
   * @example
   * const served = await source.deployed(ref, { name: 'production', environmentId: 'env1234' });
   */
  async deployed(ref: FlagProfileRef, environment: FlagEnvironmentRef): Promise<DeployedFlags> {
    const deployments = new EnvironmentDeployments(
      this.client,
      { applicationId: ref.applicationId, environmentId: environment.environmentId },
      {
        call: (operation, send) => this.call(ref, operation, send),
        unnumbered: (deploymentNumber, operation) =>
          new FlagSourceError(
            `${operation}: deployment ${deploymentNumber} of the flags profile of ${ref.service} to ` +
              `${environment.name} names no hosted version number`,
            operation,
          ),
      },
    );
    const { served, passedOver } = await deployments.served({
      configurationProfileId: ref.flagsProfileId,
      profileName: this.profileName,
    });
    const skipped: FlagDeploymentNote[] = passedOver.map((d) => ({
      deploymentNumber: d.deploymentNumber,
      version: d.configurationVersion,
      state: d.state,
    }));
    if (!served) return { status: 'never-deployed', skipped };
    const version = Number(served.configurationVersion);
    const document = await this.hostedDocument(ref, version);
    return { status: 'deployed', deploymentNumber: served.deploymentNumber, version, document, skipped };
  }
}
