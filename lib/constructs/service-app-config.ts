/**
 * One service's AppConfig resources: its application, one environment per Steward environment, the
 * document and flags profiles, the flags' hosted versions from `config/` and, optionally, their
 * deployments. The document profile gets no version or deployment here: the reconcile's delivery is
 * its one deployer (it composes config/ with the live values; a second deployer from the stack would
 * race it for the environment, which AppConfig answers with ConflictException).
 */
import { createHash } from 'node:crypto';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import { Construct } from 'constructs';
import {
  DOCUMENT_PROFILE_NAME,
  FEATURE_FLAGS_PROFILE_TYPE,
  FLAGS_PROFILE_NAME,
} from '../../functions/core/names.ts';

/** What one environment of the service ships, and how. */
export interface ServiceEnvironment {
  readonly name: string;
  /** The environment's deployment strategy, shared by every service. */
  readonly strategy: appconfig.CfnDeploymentStrategy;
  /** The alarms that roll a deployment back. @default none */
  readonly monitors?: appconfig.CfnEnvironment.MonitorsProperty[];
  /** The `AWS.AppConfig.FeatureFlags` document, as JSON. */
  readonly flags: string;
}

export interface ServiceAppConfigProps {
  /** The service, and the application's name after the prefix. */
  readonly service: string;
  /** @default `Configuration of <service>` */
  readonly description?: string;
  /** Prefix of the application's name. */
  readonly namePrefix: string;
  /** In the settings' order: versions and deployments follow it. */
  readonly environments: readonly ServiceEnvironment[];
  /** The validators of both profiles. @default none */
  readonly validators?: appconfig.CfnConfigurationProfile.ValidatorsProperty[];
  /**
   * Deploy the flags' hosted versions (replaced, so deployed again, when `config/`'s flags change).
   * The document is never deployed by the stack (see the module comment).
   */
  readonly deployInitialVersions: boolean;
}

/**
 * @example
 * const orders = new ServiceAppConfig(this, 'Service-orders', {
 *   service: 'orders', namePrefix: '', deployInitialVersions: true,
 *   environments: [{ name: 'staging', strategy, flags: '{"version":"1","flags":{},"values":{}}' }],
 * });
 * fn.addEnvironment('ORDERS_APP', orders.application.attrApplicationId);
 */
export class ServiceAppConfig extends Construct {
  public readonly application: appconfig.CfnApplication;
  public readonly documentProfile: appconfig.CfnConfigurationProfile;
  public readonly flagsProfile: appconfig.CfnConfigurationProfile;
  /** By environment name. */
  public readonly environments: Record<string, appconfig.CfnEnvironment> = {};

  constructor(scope: Construct, id: string, props: ServiceAppConfigProps) {
    super(scope, id);
    const { service, validators } = props;
    this.application = new appconfig.CfnApplication(this, 'Application', {
      name: `${props.namePrefix}${service}`,
      description: props.description ?? `Configuration of ${service}`,
    });
    const applicationId = this.application.attrApplicationId;
    this.documentProfile = new appconfig.CfnConfigurationProfile(this, 'DocumentProfile', {
      applicationId,
      name: DOCUMENT_PROFILE_NAME,
      description: `The composed configuration document of ${service}`,
      locationUri: 'hosted',
      type: 'AWS.Freeform',
      validators,
    });
    this.flagsProfile = new appconfig.CfnConfigurationProfile(this, 'FlagsProfile', {
      applicationId,
      name: FLAGS_PROFILE_NAME,
      description: `The feature flags of ${service}`,
      locationUri: 'hosted',
      type: FEATURE_FLAGS_PROFILE_TYPE,
      validators,
    });

    let previousFlags: Construct | undefined;
    for (const env of props.environments) {
      const environment = new appconfig.CfnEnvironment(this, `Environment-${env.name}`, {
        applicationId,
        name: env.name,
        description: `${service} in ${env.name}`,
        monitors: env.monitors,
      });
      this.environments[env.name] = environment;

      const flagsVersion = new appconfig.CfnHostedConfigurationVersion(this, `Flags-${env.name}`, {
        applicationId,
        configurationProfileId: this.flagsProfile.attrConfigurationProfileId,
        content: env.flags,
        contentType: 'application/json',
        versionLabel: versionLabel(env.name, env.flags),
        description: `Flags from config/ for ${env.name}`,
      });
      // Versions of one profile are numbered in creation order: create them one after the other.
      if (previousFlags) flagsVersion.node.addDependency(previousFlags);
      previousFlags = flagsVersion;

      if (props.deployInitialVersions) {
        new appconfig.CfnDeployment(this, `DeployFlags-${env.name}`, {
          applicationId,
          environmentId: environment.attrEnvironmentId,
          configurationProfileId: this.flagsProfile.attrConfigurationProfileId,
          configurationVersion: flagsVersion.attrVersionNumber,
          deploymentStrategyId: env.strategy.attrId,
          description: 'Flags from config/',
        });
      }
    }
  }
}

/** `<environment>-<content hash>`: says where a version came from, and differs whenever its content does. */
function versionLabel(environment: string, content: string): string {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 8);
  return `${environment.slice(0, 55)}-${hash}`;
}
