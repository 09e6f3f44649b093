/**
 * One service's AppConfig resources: its application, one environment per Steward environment, the
 * document and flags profiles. Neither profile gets a version or a deployment here: the delivery
 * (deliver-changes, asked by the reconcile) is their one deployer. A deployment of the stack's own
 * would race the delivery's rollouts for the environment (AppConfig runs one deployment per
 * environment at a time, across profiles, and answers a second with ConflictException), fail, and
 * roll the whole stack back.
 */
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import { Construct } from 'constructs';
import {
  DOCUMENT_PROFILE_NAME,
  FEATURE_FLAGS_PROFILE_TYPE,
  FLAGS_PROFILE_NAME,
} from '../../functions/core/names.ts';

/** One environment of the service. */
export interface ServiceEnvironment {
  readonly name: string;
  /** The alarms that roll a deployment back. @default none */
  readonly monitors?: appconfig.CfnEnvironment.MonitorsProperty[];
}

export interface ServiceAppConfigProps {
  /** The service, and the application's name after the prefix. */
  readonly service: string;
  /** @default `Configuration of <service>` */
  readonly description?: string;
  /** Prefix of the application's name. */
  readonly namePrefix: string;
  /** In the settings' order. */
  readonly environments: readonly ServiceEnvironment[];
  /** The validators of both profiles. @default none */
  readonly validators?: appconfig.CfnConfigurationProfile.ValidatorsProperty[];
}

/**
 * @example
 * const orders = new ServiceAppConfig(this, 'Service-orders', {
 *   service: 'orders', namePrefix: '', environments: [{ name: 'staging' }],
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

    for (const env of props.environments) {
      this.environments[env.name] = new appconfig.CfnEnvironment(this, `Environment-${env.name}`, {
        applicationId,
        name: env.name,
        description: `${service} in ${env.name}`,
        monitors: env.monitors,
      });
    }
  }
}
