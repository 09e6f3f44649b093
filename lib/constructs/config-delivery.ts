/**
 * AppConfig resources of every service (one {@link ServiceAppConfig} each: an application named after
 * the service, one environment per Steward environment rolled back by the settings' alarms, a freeform
 * profile for the composed document and an `AWS.AppConfig.FeatureFlags` profile for its flags, both
 * checked by the validator Lambda when given), with what they share: a deployment strategy per
 * environment, the alarm role, the validator's permission. `targets` is what the functions that deploy
 * or read them get (through AppConfigTargetParameters). The documents and the flags are deployed by the
 * reconcile's delivery only, no version by the stack; `documentSha256` and `flagsSha256` tell the
 * reconcile which changed.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { AppConfigTargets, EnvironmentTarget } from '../../functions/core/appconfig-targets.ts';
import { ConfigurationError } from '../../functions/core/errors.ts';
import { serviceFlagsDocument } from '../../functions/core/flags/profile-document.ts';
import { sha256 } from '../../functions/core/hash.ts';
import type { SchemaRegistry } from '../../functions/core/registry.ts';
import {
  appConfigArn,
  grantOnProfiles,
  grantWithinApplications,
  type ProfileRef,
} from '../appconfig-access.ts';
import type { EnvironmentSettings, Settings } from '../settings.ts';
import { ServiceAppConfig, type ServiceEnvironment } from './service-app-config.ts';

export interface ConfigDeliveryProps {
  readonly settings: Settings;
  /** The registry over `config/`: services, composed documents and flags. */
  readonly registry: SchemaRegistry;
  /**
   * ARN of the Lambda function AppConfig calls to validate every deployment of both profiles.
   * AppConfig is given permission to invoke it.
   * @default - no validator
   */
  readonly validatorFunctionArn?: string;
  /**
   * Prefix of the application and deployment-strategy names, for several platforms in one account.
   * @default '' (applications are named after their services)
   */
  readonly namePrefix?: string;
}

/**
 * @example
 * const delivery = new ConfigDelivery(this, 'Delivery', { settings, registry, validatorFunctionArn: validator.fn.functionArn });
 * new AppConfigTargetParameters(this, 'AppConfigTargets', { settings, appConfig: delivery.targets }).grantRead(job.fn);
 * delivery.grantReadHostedFlags(job.fn);
 */
export class ConfigDelivery extends Construct {
  /** `{ [service]: ServiceTarget }`: written into the stack's target parameters (AppConfigTargetParameters). */
  public readonly targets: AppConfigTargets = {};
  /** ARN of every service's application. */
  public readonly applicationArns: Record<string, string> = {};
  public readonly applications: Record<string, appconfig.CfnApplication> = {};
  public readonly deploymentStrategies: Record<string, appconfig.CfnDeploymentStrategy> = {};
  /** The role AppConfig assumes to read the rollback alarms; undefined when no environment has any. */
  public readonly alarmRole?: iam.Role;
  /**
   * `{ [environment]: { [service]: SHA-256 of the document composed from config/ } }`: what the
   * reconcile compares with its previous run to request the delivery of every document config/ changed
   * (a default, say), written parameters or not.
   */
  public readonly documentSha256: Record<string, Record<string, string>> = {};
  /**
   * `{ [environment]: { [service]: SHA-256 of the flags document built from config/ } }` (the
   * delivery's `serviceFlagsDocument`): what the reconcile compares with its previous run to request
   * the delivery of every flags document config/ changed.
   */
  public readonly flagsSha256: Record<string, Record<string, string>> = {};

  constructor(scope: Construct, id: string, props: ConfigDeliveryProps) {
    super(scope, id);
    const { settings, registry } = props;
    const prefix = props.namePrefix ?? '';

    this.alarmRole = this.createAlarmRole(settings);
    for (const env of settings.environments) {
      this.deploymentStrategies[env.name] = this.createStrategy(env, prefix);
    }
    const validators = this.permitValidator(props.validatorFunctionArn);

    for (const service of registry.serviceNames()) {
      const definition = registry.service(service);
      for (const env of settings.environments) {
        const document = JSON.stringify(composedDocument(registry, service, env.name));
        (this.documentSha256[env.name] ??= {})[service] = sha256(document);
        // Serialised as the delivery serialises what it hosts, so equal hashes mean equal versions.
        const flags = JSON.stringify(serviceFlagsDocument(definition, env.name));
        (this.flagsSha256[env.name] ??= {})[service] = sha256(flags);
      }
      const environments = settings.environments.map((env): ServiceEnvironment => ({
        name: env.name,
        monitors: this.monitorsOf(env),
      }));
      const resources = new ServiceAppConfig(this, `Service-${service}`, {
        service,
        description: definition?.description,
        namePrefix: prefix,
        environments,
        validators,
      });
      this.addTarget(service, resources, environments);
    }
  }

  /**
   * Let a function read every service's hosted flag versions through the control plane (the
   * flag-expiry job): ListHostedConfigurationVersions and GetHostedConfigurationVersion on the flags
   * profiles and their versions (and their applications' own ARN, which these calls also authorise
   * on), nothing of the documents; and ListDeployments within the applications, which tells the
   * version deployed last (a revert redeploys an older hosted version, not the highest).
   */
  grantReadHostedFlags(grantee: iam.IGrantable): void {
    grantWithinApplications(grantee, {
      sid: 'ListFlagDeployments',
      actions: ['appconfig:ListDeployments'],
      applicationIds: Object.values(this.targets).map((target) => target.applicationId),
      reason:
        "Deployments of the stack's own applications, read only: the version the flags profile was deployed " +
        'with last is what the job reads, and AppConfig numbers deployments at run time.',
    });
    grantOnProfiles(grantee, {
      sid: 'ReadHostedFlags',
      actions: ['appconfig:ListHostedConfigurationVersions', 'appconfig:GetHostedConfigurationVersion'],
      profiles: this.flagsProfiles(),
      reason:
        'Hosted versions under the Steward flags profiles only: the newest version number is what the job ' +
        'looks up, so it cannot be named in advance.',
    });
  }

  /**
   * Let a function read what each environment serves of every service's flags profile (the drift
   * run's flag drift): ListDeployments and GetDeployment within the stack's applications (one ARN pair
   * each: AppConfig numbers the deployments), GetHostedConfigurationVersion on the flags profiles'
   * versions only; nothing else, and no write.
   */
  grantReadDeployedFlags(grantee: iam.IGrantable): void {
    grantWithinApplications(grantee, {
      sid: 'ReadDeployments',
      actions: ['appconfig:ListDeployments', 'appconfig:GetDeployment'],
      applicationIds: Object.values(this.targets).map((target) => target.applicationId),
      reason:
        "Deployments of the stack's own applications, numbered by AppConfig: the run reads the last complete " +
        'one of each environment, which cannot be named in advance; reads, no write.',
    });
    grantOnProfiles(grantee, {
      sid: 'ReadDeployedFlagVersions',
      actions: ['appconfig:GetHostedConfigurationVersion'],
      profiles: this.flagsProfiles(),
      reason:
        'Hosted versions under the Steward flags profiles only: the deployed version number is what the ' +
        'drift run looks up, so it cannot be named in advance.',
    });
  }

  private flagsProfiles(): ProfileRef[] {
    return Object.values(this.targets).map((target) => ({
      applicationId: target.applicationId,
      profileId: target.flagsProfileId,
    }));
  }

  /** The JSON of {@link targets}, as `STEWARD_APPCONFIG` takes it (the functions get their parameters' path instead). */
  targetsJson(): string {
    return Stack.of(this).toJsonString(this.targets);
  }

  /** The role AppConfig assumes to read every environment's rollback alarms; none without alarms. */
  private createAlarmRole(settings: Settings): iam.Role | undefined {
    const allAlarms = [...new Set(settings.environments.flatMap((env) => env.rollbackAlarms))];
    if (allAlarms.length === 0) return undefined;
    const role = new iam.Role(this, 'AlarmRole', {
      assumedBy: new iam.ServicePrincipal('appconfig.amazonaws.com'),
      description: 'Lets AppConfig read the alarms that roll a configuration deployment back',
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['cloudwatch:DescribeAlarms'],
        resources: this.alarmArns(allAlarms),
      }),
    );
    return role;
  }

  private createStrategy(env: EnvironmentSettings, prefix: string): appconfig.CfnDeploymentStrategy {
    const strategy = env.deploymentStrategy;
    return new appconfig.CfnDeploymentStrategy(this, `Strategy-${env.name}`, {
      name: `${prefix}steward-${env.name}`,
      description: `Config Steward rollout for ${env.name}`,
      deploymentDurationInMinutes: strategy.deploymentDurationInMinutes,
      finalBakeTimeInMinutes: strategy.finalBakeTimeInMinutes,
      growthFactor: strategy.growthFactor,
      growthType: strategy.growthType,
      replicateTo: 'NONE',
    });
  }

  /** The profiles' validators, and AppConfig's permission to invoke the function; none without one. */
  private permitValidator(functionArn: string | undefined) {
    if (!functionArn) return undefined;
    new lambda.CfnPermission(this, 'ValidatorInvoke', {
      action: 'lambda:InvokeFunction',
      functionName: functionArn,
      principal: 'appconfig.amazonaws.com',
      sourceAccount: Stack.of(this).account,
    });
    return [{ type: 'LAMBDA', content: functionArn }];
  }

  private monitorsOf(env: EnvironmentSettings): appconfig.CfnEnvironment.MonitorsProperty[] | undefined {
    const role = this.alarmRole;
    if (!role || env.rollbackAlarms.length === 0) return undefined;
    return this.alarmArns(env.rollbackAlarms).map((alarmArn) => ({ alarmArn, alarmRoleArn: role.roleArn }));
  }

  /** The ARNs of alarms named in the settings (`rollbackAlarms`), in this stack's account and region. */
  alarmArns(names: readonly string[]): string[] {
    const stack = Stack.of(this);
    return names.map((name) =>
      stack.formatArn({
        service: 'cloudwatch',
        resource: 'alarm',
        resourceName: name,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    );
  }

  private addTarget(
    service: string,
    resources: ServiceAppConfig,
    environments: readonly ServiceEnvironment[],
  ): void {
    const applicationId = resources.application.attrApplicationId;
    this.applications[service] = resources.application;
    this.applicationArns[service] = appConfigArn(Stack.of(this), applicationId);
    this.targets[service] = {
      applicationId,
      documentProfileId: resources.documentProfile.attrConfigurationProfileId,
      flagsProfileId: resources.flagsProfile.attrConfigurationProfileId,
      environments: Object.fromEntries(
        environments.map(({ name }): [string, EnvironmentTarget] => [
          name,
          {
            environmentId: (resources.environments[name] as appconfig.CfnEnvironment).attrEnvironmentId,
            deploymentStrategyId: (this.deploymentStrategies[name] as appconfig.CfnDeploymentStrategy).attrId,
          },
        ]),
      ),
    };
  }
}

/** The service's document for one environment, composed from `config/`; a synth error when it does not compose. */
function composedDocument(registry: SchemaRegistry, service: string, environment: string): unknown {
  const composed = registry.compose(service, environment);
  if (!composed.ok) {
    throw new ConfigurationError(
      `config-delivery: the ${environment} document of ${service} does not compose: ${composed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
  }
  return composed.document;
}
