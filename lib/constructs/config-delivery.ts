/**
 * AppConfig resources per service: an application named after the service, one environment per
 * Steward environment (rolled back by the settings' alarms), a freeform profile for the composed
 * document and an `AWS.AppConfig.FeatureFlags` profile for its flags (both checked by the validator
 * Lambda when given), the initial hosted versions from `config/`, and a deployment strategy per
 * environment. `targets` is what `STEWARD_APPCONFIG` carries to the functions that deploy or read them.
 */
import { createHash } from 'node:crypto';
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { AppConfigTargets, EnvironmentTarget } from '../../functions/core/appconfig-targets.ts';
import { ConfigurationError } from '../../functions/core/errors.ts';
import { toAppConfigFlags } from '../../functions/core/flags/appconfig-format.ts';
import {
  DOCUMENT_PROFILE_NAME,
  FEATURE_FLAGS_PROFILE_TYPE,
  FLAGS_PROFILE_NAME,
} from '../../functions/core/names.ts';
import type { SchemaRegistry } from '../../functions/core/registry.ts';
import { acknowledgeWildcardGrant } from '../nag.ts';
import type { Settings } from '../settings.ts';

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
  /**
   * Deploy the initial hosted versions to every environment with its strategy (document first, then
   * flags: AppConfig runs one deployment per environment at a time). A production strategy that
   * bakes for half an hour makes `cdk deploy` wait that long.
   * @default true
   */
  readonly deployInitialVersions?: boolean;
}

/**
 * @example
 * const delivery = new ConfigDelivery(this, 'Delivery', { settings, registry, validatorFunctionArn: validator.fn.functionArn });
 * job.fn.addEnvironment('STEWARD_APPCONFIG', Stack.of(this).toJsonString(delivery.targets));
 * delivery.grantReadHostedFlags(job.fn);
 */
export class ConfigDelivery extends Construct {
  /** `{ [service]: ServiceTarget }`: serialise with `Stack.of(scope).toJsonString(targets)` into `STEWARD_APPCONFIG`. */
  public readonly targets: AppConfigTargets = {};
  /** ARN of every service's application. */
  public readonly applicationArns: Record<string, string> = {};
  public readonly applications: Record<string, appconfig.CfnApplication> = {};
  public readonly deploymentStrategies: Record<string, appconfig.CfnDeploymentStrategy> = {};
  /** The role AppConfig assumes to read the rollback alarms; undefined when no environment has any. */
  public readonly alarmRole?: iam.Role;

  constructor(scope: Construct, id: string, props: ConfigDeliveryProps) {
    super(scope, id);
    const { settings, registry } = props;
    const prefix = props.namePrefix ?? '';
    const stack = Stack.of(this);

    const alarmArns = (names: readonly string[]) =>
      names.map((name) =>
        stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: name,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      );
    const allAlarms = [...new Set(settings.environments.flatMap((env) => env.rollbackAlarms))];
    if (allAlarms.length > 0) {
      this.alarmRole = new iam.Role(this, 'AlarmRole', {
        assumedBy: new iam.ServicePrincipal('appconfig.amazonaws.com'),
        description: 'Lets AppConfig read the alarms that roll a configuration deployment back',
      });
      this.alarmRole.addToPolicy(
        new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarmArns(allAlarms) }),
      );
    }

    for (const env of settings.environments) {
      const strategy = env.deploymentStrategy;
      this.deploymentStrategies[env.name] = new appconfig.CfnDeploymentStrategy(
        this,
        `Strategy-${env.name}`,
        {
          name: `${prefix}steward-${env.name}`,
          description: `Config Steward rollout for ${env.name}`,
          deploymentDurationInMinutes: strategy.deploymentDurationInMinutes,
          finalBakeTimeInMinutes: strategy.finalBakeTimeInMinutes,
          growthFactor: strategy.growthFactor,
          growthType: strategy.growthType,
          replicateTo: 'NONE',
        },
      );
    }

    const validators = props.validatorFunctionArn
      ? [{ type: 'LAMBDA', content: props.validatorFunctionArn }]
      : undefined;
    if (props.validatorFunctionArn) {
      new lambda.CfnPermission(this, 'ValidatorInvoke', {
        action: 'lambda:InvokeFunction',
        functionName: props.validatorFunctionArn,
        principal: 'appconfig.amazonaws.com',
        sourceAccount: stack.account,
      });
    }

    for (const service of registry.serviceNames()) {
      const definition = registry.service(service);
      const scopeOf = new Construct(this, `Service-${service}`);
      const application = new appconfig.CfnApplication(scopeOf, 'Application', {
        name: `${prefix}${service}`,
        description: definition?.description ?? `Configuration of ${service}`,
      });
      const documentProfile = new appconfig.CfnConfigurationProfile(scopeOf, 'DocumentProfile', {
        applicationId: application.attrApplicationId,
        name: DOCUMENT_PROFILE_NAME,
        description: `The composed configuration document of ${service}`,
        locationUri: 'hosted',
        type: 'AWS.Freeform',
        validators,
      });
      const flagsProfile = new appconfig.CfnConfigurationProfile(scopeOf, 'FlagsProfile', {
        applicationId: application.attrApplicationId,
        name: FLAGS_PROFILE_NAME,
        description: `The feature flags of ${service}`,
        locationUri: 'hosted',
        type: FEATURE_FLAGS_PROFILE_TYPE,
        validators,
      });

      const environments: Record<string, EnvironmentTarget> = {};
      let previousDocument: Construct | undefined;
      let previousFlags: Construct | undefined;
      for (const env of settings.environments) {
        const environment = new appconfig.CfnEnvironment(scopeOf, `Environment-${env.name}`, {
          applicationId: application.attrApplicationId,
          name: env.name,
          description: `${service} in ${env.name}`,
          monitors:
            this.alarmRole && env.rollbackAlarms.length > 0
              ? alarmArns(env.rollbackAlarms).map((alarmArn) => ({
                  alarmArn,
                  alarmRoleArn: this.alarmRole?.roleArn,
                }))
              : undefined,
        });
        const strategy = this.deploymentStrategies[env.name] as appconfig.CfnDeploymentStrategy;
        environments[env.name] = {
          environmentId: environment.attrEnvironmentId,
          deploymentStrategyId: strategy.attrId,
        };

        const composed = registry.compose(service, env.name);
        if (!composed.ok) {
          throw new ConfigurationError(
            `config-delivery: the ${env.name} document of ${service} does not compose: ${composed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
          );
        }
        const documentContent = JSON.stringify(composed.document);
        const flagsContent = JSON.stringify(toAppConfigFlags(definition?.flags ?? {}, env.name));
        const documentVersion = new appconfig.CfnHostedConfigurationVersion(scopeOf, `Document-${env.name}`, {
          applicationId: application.attrApplicationId,
          configurationProfileId: documentProfile.attrConfigurationProfileId,
          content: documentContent,
          contentType: 'application/json',
          versionLabel: versionLabel(env.name, documentContent),
          description: `Composed from config/ for ${env.name}`,
        });
        const flagsVersion = new appconfig.CfnHostedConfigurationVersion(scopeOf, `Flags-${env.name}`, {
          applicationId: application.attrApplicationId,
          configurationProfileId: flagsProfile.attrConfigurationProfileId,
          content: flagsContent,
          contentType: 'application/json',
          versionLabel: versionLabel(env.name, flagsContent),
          description: `Flags from config/ for ${env.name}`,
        });
        // Versions of one profile are numbered in creation order: create them one after the other.
        if (previousDocument) documentVersion.node.addDependency(previousDocument);
        if (previousFlags) flagsVersion.node.addDependency(previousFlags);
        previousDocument = documentVersion;
        previousFlags = flagsVersion;

        if (props.deployInitialVersions ?? true) {
          const deployDocument = new appconfig.CfnDeployment(scopeOf, `DeployDocument-${env.name}`, {
            applicationId: application.attrApplicationId,
            environmentId: environment.attrEnvironmentId,
            configurationProfileId: documentProfile.attrConfigurationProfileId,
            configurationVersion: documentVersion.attrVersionNumber,
            deploymentStrategyId: strategy.attrId,
            description: 'Initial document from config/',
          });
          const deployFlags = new appconfig.CfnDeployment(scopeOf, `DeployFlags-${env.name}`, {
            applicationId: application.attrApplicationId,
            environmentId: environment.attrEnvironmentId,
            configurationProfileId: flagsProfile.attrConfigurationProfileId,
            configurationVersion: flagsVersion.attrVersionNumber,
            deploymentStrategyId: strategy.attrId,
            description: 'Initial flags from config/',
          });
          deployFlags.node.addDependency(deployDocument);
        }
      }

      this.applications[service] = application;
      this.applicationArns[service] = stack.formatArn({
        service: 'appconfig',
        resource: 'application',
        resourceName: application.attrApplicationId,
      });
      this.targets[service] = {
        applicationId: application.attrApplicationId,
        documentProfileId: documentProfile.attrConfigurationProfileId,
        flagsProfileId: flagsProfile.attrConfigurationProfileId,
        environments,
      };
    }
  }

  /**
   * Let a function read every service's hosted flag versions through the control plane (the
   * flag-expiry job): ListHostedConfigurationVersions on the flags profiles of these applications and
   * GetHostedConfigurationVersion on their versions, nothing else.
   */
  grantReadHostedFlags(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const profiles = Object.values(this.targets).map((target) =>
      stack.formatArn({
        service: 'appconfig',
        resource: 'application',
        resourceName: `${target.applicationId}/configurationprofile/${target.flagsProfileId}`,
      }),
    );
    const versions = profiles.map((arn) => `${arn}/hostedconfigurationversion/*`);
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['appconfig:ListHostedConfigurationVersions'],
      resourceArns: profiles,
    }).combine(
      iam.Grant.addToPrincipal({
        grantee,
        actions: ['appconfig:GetHostedConfigurationVersion'],
        resourceArns: versions,
      }),
    );
    const principal = grantee.grantPrincipal;
    if (Construct.isConstruct(principal)) {
      acknowledgeWildcardGrant(principal, {
        actions: ['appconfig:GetHostedConfigurationVersion'],
        resources: versions,
        reason:
          'Hosted versions under the Steward flags profiles only: the newest version number is what the job ' +
          'looks up, so it cannot be named in advance.',
      });
    }
    return grant;
  }

  /** The JSON of {@link targets} for `STEWARD_APPCONFIG`. */
  targetsJson(): string {
    return Stack.of(this).toJsonString(this.targets);
  }
}

/** `<environment>-<content hash>`: says where a version came from, and differs whenever its content does. */
function versionLabel(environment: string, content: string): string {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 8);
  return `${environment.slice(0, 55)}-${hash}`;
}
