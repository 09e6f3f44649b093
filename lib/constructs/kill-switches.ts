/**
 * Kill switches on a path of their own. AppConfig runs one deployment at a time per environment,
 * across all its profiles, so a switch shipped into the document's environment would wait behind a
 * 30-minute production rollout. Each service that declares kill switches gets, in its application, a
 * `kill-switches` feature-flags profile and one AppConfig environment per Steward environment
 * (`<env>-kill-switches`) that nothing else deploys to, with the initial document from `config/`; every
 * deployment there uses one all-at-once, zero-bake strategy. The environments have no rollback alarms:
 * a switch is flipped during an incident, when those alarms are likely firing.
 *
 * `operatorPolicies` are managed policies with exactly what `steward kill` needs; `targets` is what
 * `STEWARD_KILL_SWITCHES` carries for `steward kill` (the stack output `KillSwitchTargets`); the stack's
 * functions read them from its target parameters (appconfig-target-parameters.ts).
 */
import { createHash } from 'node:crypto';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type {
  KillSwitchTargets,
  ServiceKillSwitchTarget,
} from '../../functions/core/flags/kill-switch-targets.ts';
import { killSwitchDocument, killSwitchesOf } from '../../functions/core/flags/kill-switches.ts';
import {
  FEATURE_FLAGS_PROFILE_TYPE,
  KILL_SWITCH_STRATEGY_NAME,
  KILL_SWITCHES_PROFILE_NAME,
  killSwitchEnvironmentName,
} from '../../functions/core/names.ts';
import type { SchemaRegistry } from '../../functions/core/registry.ts';
import { appConfigArn, exactStatements, grantOnProfiles } from '../appconfig-access.ts';
import { secretArnByName } from '../arns.ts';
import { acknowledgeWildcardGrant } from '../nag.ts';
import type { Settings } from '../settings.ts';

/** Why GetDeployment names its deployments with a wildcard, for cdk-nag. */
const SWITCH_DEPLOYMENTS_REASON =
  'Deployments of the kill-switch environments only: AppConfig numbers them, and the served one (whose profile a ' +
  'listing that names the profile only is confirmed with) cannot be named in advance.';

export interface KillSwitchesProps {
  readonly settings: Settings;
  readonly registry: SchemaRegistry;
  /** Each service's AppConfig application (ConfigDelivery's `applications`): the switches live beside its document. */
  readonly applications: Readonly<Record<string, appconfig.CfnApplication>>;
  /** ARN of the AppConfig validator Lambda, as for the other profiles. @default - no validator */
  readonly validatorFunctionArn?: string;
  /** Prefix of the strategy's name, as of the applications'. @default '' */
  readonly namePrefix?: string;
  /** Deploy `config/`'s switches to every kill-switch environment. @default true */
  readonly deployInitialVersions?: boolean;
  /** The Steward bus, which `steward kill` publishes `Kill Switch Flipped` on. */
  readonly eventBusArn: string;
}

/**
 * @example
 * const switches = new KillSwitches(this, 'KillSwitches', { settings, registry, applications: delivery.applications, eventBusArn: bus.eventBusArn });
 * for (const policy of switches.operatorPolicies) oncallRole.addManagedPolicy(policy);
 */
export class KillSwitches extends Construct {
  /** All at once, no bake: the only strategy kill-switch environments are deployed with. */
  public readonly strategy: appconfig.CfnDeploymentStrategy;
  /** The ids `steward kill` and the drift job use (`STEWARD_KILL_SWITCHES`). */
  public readonly targets: KillSwitchTargets;
  public readonly profiles: Record<string, appconfig.CfnConfigurationProfile> = {};
  /** By service, then Steward environment. */
  public readonly environments: Record<string, Record<string, appconfig.CfnEnvironment>> = {};
  /**
   * Exactly what an operator running `steward kill` needs; attach it to the on-call role, with the
   * rest of {@link operatorPolicies} when there are more.
   */
  public readonly operatorPolicy: iam.ManagedPolicy;
  /**
   * {@link operatorPolicy} first, then one more per {@link operatorServicesPerPolicy} services with
   * switches (IAM's 6,144 characters per managed policy): attach them all.
   */
  public readonly operatorPolicies: iam.ManagedPolicy[];

  constructor(scope: Construct, id: string, props: KillSwitchesProps) {
    super(scope, id);
    const { settings, registry } = props;
    const prefix = props.namePrefix ?? '';
    this.strategy = new appconfig.CfnDeploymentStrategy(this, 'Strategy', {
      name: `${prefix}${KILL_SWITCH_STRATEGY_NAME}`,
      description: 'Config Steward kill switches: all at once, no bake',
      deploymentDurationInMinutes: 0,
      finalBakeTimeInMinutes: 0,
      growthFactor: 100,
      growthType: 'LINEAR',
      replicateTo: 'NONE',
    });
    const validators = props.validatorFunctionArn
      ? [{ type: 'LAMBDA', content: props.validatorFunctionArn }]
      : undefined;
    const services: Record<string, ServiceKillSwitchTarget> = {};
    for (const service of registry.serviceNames()) {
      const flags = registry.service(service)?.flags;
      const application = props.applications[service];
      if (!application || Object.keys(killSwitchesOf(flags)).length === 0) continue;
      services[service] = this.addService(service, application, {
        environments: settings.environments.map((env) => env.name),
        document: (environment) => JSON.stringify(killSwitchDocument(flags, environment)),
        validators,
        deploy: props.deployInitialVersions ?? true,
      });
    }
    this.targets = { deploymentStrategyId: this.strategy.ref, services };
    this.operatorPolicies = this.createOperatorPolicies(props.eventBusArn, settings);
    this.operatorPolicy = this.operatorPolicies[0] as iam.ManagedPolicy;
    new CfnOutput(this, 'KillSwitchTargets', {
      description:
        'STEWARD_KILL_SWITCHES for steward kill (ids of the kill-switch profiles and environments)',
      value: Stack.of(this).toJsonString(this.targets),
    });
  }

  /**
   * Let a function read what the kill-switch environments serve (the nightly drift job, which
   * reports switches past their `until`; it finds their ids in the stack's target parameters):
   * ListDeployments on exactly the kill-switch environments, GetDeployment on their deployments (the
   * served deployment's profile is confirmed with it when a listing names the profile only),
   * GetHostedConfigurationVersion on the kill-switch profiles' versions, and each on their
   * applications' own ARN; nothing else.
   */
  grantReadDeployed(fn: lambda.Function): void {
    const { applications, environments, deployments } = this.arns();
    if (environments.length === 0) return;
    const statements = [
      ...exactStatements(
        'ReadDeployedKillSwitches',
        ['appconfig:ListDeployments', 'appconfig:GetDeployment'],
        [...applications, ...environments],
      ),
      ...exactStatements('ConfirmKillSwitchDeployment', ['appconfig:GetDeployment'], deployments),
    ];
    for (const statement of statements) fn.addToRolePolicy(statement);
    acknowledgeWildcardGrant(fn.role ?? fn, {
      actions: ['appconfig:GetDeployment'],
      resources: deployments,
      reason: SWITCH_DEPLOYMENTS_REASON,
    });
    grantOnProfiles(fn, {
      sid: 'ReadKillSwitchVersions',
      actions: ['appconfig:GetHostedConfigurationVersion'],
      profiles: Object.values(this.targets.services).map((s) => ({
        applicationId: s.applicationId,
        profileId: s.profileId,
      })),
      reason:
        'Hosted versions of the kill-switch profiles only: the deployed version number is read from ListDeployments, so it cannot be named in advance.',
    });
  }

  /**
   * Keep a role that is granted AppConfig per application (deliver-changes) out of the kill switches:
   * an explicit Deny of StartDeployment and CreateHostedConfigurationVersion on exactly the kill-switch
   * environments and profiles. A Deny wins over any Allow, so a document never queues a flip behind
   * its rollout, whatever the role is granted within the application.
   */
  keepOut(role: iam.IRole): void {
    const { environments, profiles } = this.arns();
    const statements = exactStatements(
      'NeverTouchKillSwitches',
      ['appconfig:StartDeployment', 'appconfig:CreateHostedConfigurationVersion'],
      [...environments, ...profiles],
      iam.Effect.DENY,
    );
    for (const statement of statements) role.addToPrincipalPolicy(statement);
  }

  /** The exact ARNs of these services' kill-switch applications, profiles, environments and profile versions. */
  private arns(services: readonly ServiceKillSwitchTarget[] = Object.values(this.targets.services)) {
    const stack = Stack.of(this);
    const arn = (resourceName: string) => appConfigArn(stack, resourceName);
    const profiles = services.map((s) => arn(`${s.applicationId}/configurationprofile/${s.profileId}`));
    const environments = services.flatMap((s) =>
      Object.values(s.environments).map((environmentId) =>
        arn(`${s.applicationId}/environment/${environmentId}`),
      ),
    );
    return {
      applications: services.map((s) => arn(s.applicationId)),
      profiles,
      environments,
      deployments: environments.map((environment) => `${environment}/deployment/*`),
      versions: profiles.map((profile) => `${profile}/hostedconfigurationversion/*`),
    };
  }

  private addService(
    service: string,
    application: appconfig.CfnApplication,
    options: {
      environments: readonly string[];
      document: (environment: string) => string;
      validators?: appconfig.CfnConfigurationProfile.ValidatorsProperty[];
      deploy: boolean;
    },
  ): ServiceKillSwitchTarget {
    const applicationId = application.attrApplicationId;
    const profile = new appconfig.CfnConfigurationProfile(this, `Profile-${service}`, {
      applicationId,
      name: KILL_SWITCHES_PROFILE_NAME,
      description: `The kill switches of ${service}, flipped by steward kill`,
      locationUri: 'hosted',
      type: FEATURE_FLAGS_PROFILE_TYPE,
      validators: options.validators,
    });
    this.profiles[service] = profile;
    this.environments[service] = {};
    const environmentIds: Record<string, string> = {};
    let previousVersion: Construct | undefined;
    for (const name of options.environments) {
      const environment = new appconfig.CfnEnvironment(this, `Environment-${service}-${name}`, {
        applicationId,
        name: killSwitchEnvironmentName(name),
        description: `Kill switches of ${service} in ${name}: nothing else deploys here, so a flip never queues`,
      });
      this.environments[service][name] = environment;
      environmentIds[name] = environment.attrEnvironmentId;
      const content = options.document(name);
      const version = new appconfig.CfnHostedConfigurationVersion(this, `Switches-${service}-${name}`, {
        applicationId,
        configurationProfileId: profile.attrConfigurationProfileId,
        content,
        contentType: 'application/json',
        versionLabel: `${name.slice(0, 40)}-config-${createHash('sha256').update(content).digest('hex').slice(0, 8)}`,
        description: `Kill switches from config/ for ${name}`,
      });
      // Versions of one profile are numbered in creation order: create them one after the other.
      if (previousVersion) version.node.addDependency(previousVersion);
      previousVersion = version;
      if (options.deploy) {
        new appconfig.CfnDeployment(this, `Deploy-${service}-${name}`, {
          applicationId,
          environmentId: environment.attrEnvironmentId,
          configurationProfileId: profile.attrConfigurationProfileId,
          configurationVersion: version.attrVersionNumber,
          deploymentStrategyId: this.strategy.ref,
          description: 'Kill switches from config/',
        });
      }
    }
    return { applicationId, profileId: profile.attrConfigurationProfileId, environments: environmentIds };
  }

  /**
   * What `steward kill` calls, on exactly these resources: find the ids by name (listings AWS
   * authorizes only on `*` or per application), read what the switches' environment deployed, store
   * and deploy a version of the switches profile with the kill-switch strategy, publish the event and
   * file (or resolve) the ticket. STS GetCallerIdentity needs no permission. The first policy holds
   * all of it for the first services; each further one (`OperatorPolicy2`, …) the AppConfig statements
   * of the next services, so every policy stays under IAM's 6,144 characters.
   */
  private createOperatorPolicies(eventBusArn: string, settings: Settings): iam.ManagedPolicy[] {
    const stack = Stack.of(this);
    const services = Object.values(this.targets.services);
    const perPolicy = operatorServicesPerPolicy(settings.environments.length);
    const groups: ServiceKillSwitchTarget[][] = [];
    for (let i = 0; i < services.length; i += perPolicy) groups.push(services.slice(i, i + perPolicy));
    if (groups.length === 0) groups.push([]);
    return groups.map((group, index) => {
      const { versions, deployments } = this.arns(group);
      const first = index === 0;
      const policy = new iam.ManagedPolicy(this, first ? 'OperatorPolicy' : `OperatorPolicy${index + 1}`, {
        description: first
          ? 'What steward kill needs: flip a kill switch, announce it, ticket it'
          : `What steward kill needs for more services' kill switches (part ${index + 1}; attach with OperatorPolicy)`,
        statements: first
          ? [
              new iam.PolicyStatement({
                sid: 'FindKillSwitchesByName',
                actions: ['appconfig:ListApplications', 'appconfig:ListDeploymentStrategies'],
                resources: ['*'],
              }),
              ...this.operatorSwitchStatements(group),
              new iam.PolicyStatement({
                sid: 'DeployWithKillSwitchStrategy',
                actions: ['appconfig:StartDeployment'],
                resources: [appConfigArn(stack, { strategy: this.strategy.ref })],
              }),
              new iam.PolicyStatement({
                sid: 'AnnounceFlip',
                actions: ['events:PutEvents'],
                resources: [eventBusArn],
              }),
              ...ticketStatements(stack, settings),
            ]
          : this.operatorSwitchStatements(group),
      });
      if (versions.length > 0) {
        acknowledgeWildcardGrant(policy, {
          actions: ['appconfig:GetHostedConfigurationVersion'],
          resources: versions,
          reason:
            'Hosted versions of the kill-switch profiles only: the deployed version is read back to flip one switch and keep the others.',
        });
        acknowledgeWildcardGrant(policy, {
          actions: ['appconfig:GetDeployment'],
          resources: deployments,
          reason: SWITCH_DEPLOYMENTS_REASON,
        });
      }
      if (first) acknowledgeOperatorWildcards(policy, stack, settings);
      return policy;
    });
  }

  /**
   * The AppConfig statements for these services' switches, on exact ARNs throughout: an operator
   * deploys to the kill-switch environments and profiles only, never into the document's environment
   * of the same application.
   */
  private operatorSwitchStatements(services: readonly ServiceKillSwitchTarget[]): iam.PolicyStatement[] {
    const { applications, environments, deployments, profiles, versions } = this.arns(services);
    return [
      // The application resource itself (every call below also authorises on it); not what is in it.
      new iam.PolicyStatement({
        sid: 'InKillSwitchApplications',
        actions: [
          'appconfig:ListConfigurationProfiles',
          'appconfig:ListEnvironments',
          'appconfig:ListDeployments',
          'appconfig:GetDeployment',
          'appconfig:ListHostedConfigurationVersions',
          'appconfig:CreateHostedConfigurationVersion',
          'appconfig:GetHostedConfigurationVersion',
          'appconfig:StartDeployment',
        ],
        resources: applications,
      }),
      new iam.PolicyStatement({
        sid: 'ReadAndDeploySwitchEnvironments',
        actions: ['appconfig:ListDeployments', 'appconfig:GetDeployment', 'appconfig:StartDeployment'],
        resources: environments,
      }),
      new iam.PolicyStatement({
        sid: 'ConfirmSwitchDeployment',
        actions: ['appconfig:GetDeployment'],
        resources: deployments,
      }),
      new iam.PolicyStatement({
        sid: 'ReadStoreAndDeploySwitchProfiles',
        actions: [
          'appconfig:ListHostedConfigurationVersions',
          'appconfig:CreateHostedConfigurationVersion',
          'appconfig:GetHostedConfigurationVersion',
          'appconfig:StartDeployment',
        ],
        resources: profiles,
      }),
      new iam.PolicyStatement({
        sid: 'ReadSwitchVersion',
        actions: ['appconfig:GetHostedConfigurationVersion'],
        resources: versions,
      }),
    ];
  }
}

/**
 * Services whose switches one operator policy holds: with tokens resolved at their longest, a
 * service's statements take about 312 characters plus 205 per environment (the environment and its
 * deployments), and the first policy's other statements about 1,800 of IAM's 6,144
 * (lib/policy-size.ts checks the result at synth).
 */
export function operatorServicesPerPolicy(environments: number): number {
  return Math.max(1, Math.floor(4_000 / (340 + 215 * environments)));
}

/** The operator's wildcards that are not per service: the listings, OpsCenter's items and search. */
function acknowledgeOperatorWildcards(policy: iam.ManagedPolicy, stack: Stack, settings: Settings): void {
  acknowledgeWildcardGrant(policy, {
    actions: ['appconfig:ListApplications', 'appconfig:ListDeploymentStrategies'],
    resources: ['*'],
    reason:
      'steward kill finds the application and the kill-switch strategy by name; these listings support no ' +
      'resource-level permissions, and return names and ids only (set STEWARD_KILL_SWITCHES to skip them).',
  });
  if (settings.tickets.tracker === 'opscenter') {
    const opsItems = stack.formatArn({ service: 'ssm', resource: 'opsitem', resourceName: '*' });
    acknowledgeWildcardGrant(policy, {
      actions: ['ssm:CreateOpsItem', 'ssm:UpdateOpsItem'],
      resources: [opsItems],
      reason:
        'OpsItem ids are assigned by OpsCenter when a ticket is filed; they cannot be named in advance.',
    });
    acknowledgeWildcardGrant(policy, {
      actions: ['ssm:DescribeOpsItems'],
      resources: ['*'],
      reason: 'ssm:DescribeOpsItems (finding the open ticket) supports no resource-level permissions.',
    });
  }
}

/** The ticket tracker's statements: OpsCenter's actions, or reading the tracker token by name. */
function ticketStatements(stack: Stack, settings: Settings): iam.PolicyStatement[] {
  const tickets = settings.tickets;
  if (tickets.tracker !== 'opscenter') {
    return [
      new iam.PolicyStatement({
        sid: 'ReadTrackerToken',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretArnByName(stack, tickets.tokenSecret)],
      }),
    ];
  }
  return [
    new iam.PolicyStatement({
      sid: 'FileAndResolveTicket',
      actions: ['ssm:CreateOpsItem', 'ssm:UpdateOpsItem'],
      resources: [stack.formatArn({ service: 'ssm', resource: 'opsitem', resourceName: '*' })],
    }),
    new iam.PolicyStatement({ sid: 'FindOpenTicket', actions: ['ssm:DescribeOpsItems'], resources: ['*'] }),
  ];
}
