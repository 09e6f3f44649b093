/** The `ConfigSteward` stack: one construct per capability, composed from the settings and `config/`. */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Organisation } from '../functions/core/model.ts';
import { SchemaRegistry } from '../functions/core/registry.ts';
import { AppConfigTargetParameters } from './constructs/appconfig-target-parameters.ts';
import { ChangeDelivery } from './constructs/change-delivery.ts';
import { ChangeEvents } from './constructs/change-events.ts';
import { ChangeValidation } from './constructs/change-validation.ts';
import { ConfigChangeDashboard } from './constructs/config-change-dashboard.ts';
import { ConfigConsumer } from './constructs/config-consumer.ts';
import { ConfigDelivery } from './constructs/config-delivery.ts';
import { DesiredParameters } from './constructs/desired-parameters.ts';
import { KillSwitches } from './constructs/kill-switches.ts';
import { type FlagCodeReferences, NightlyJobs } from './constructs/nightly-jobs.ts';
import { SecretRotation, validateSecretRotation } from './constructs/secret-rotation.ts';
import { StewardFunction } from './constructs/steward-function.ts';
import { ValueFingerprints } from './constructs/value-fingerprints.ts';
import type { Settings } from './settings.ts';

export interface ConfigStewardStackProps extends StackProps {
  readonly settings: Settings;
  readonly organisation: Organisation;
  /** The flag keys the code reads, for the flag-expiry tickets (see NightlyJobsProps). @default none */
  readonly flagCodeReferences?: FlagCodeReferences;
}

export class ConfigStewardStack extends Stack {
  public readonly registry: SchemaRegistry;
  public readonly events: ChangeEvents;
  public readonly validation: ChangeValidation;
  public readonly changeDelivery: ChangeDelivery;
  public readonly delivery: ConfigDelivery;
  public readonly killSwitches: KillSwitches;
  public readonly appConfigTargets: AppConfigTargetParameters;
  public readonly desiredParameters: DesiredParameters;
  public readonly nightly: NightlyJobs;
  public readonly rotation: SecretRotation;
  public readonly consumers: ConfigConsumer;
  public readonly fingerprints: ValueFingerprints;
  public readonly dashboard: ConfigChangeDashboard;

  constructor(scope: Construct, id: string, props: ConfigStewardStackProps) {
    super(scope, id, props);
    const { settings, organisation } = props;
    // Before any function is bundled: a secret that could never rotate stops the synth cleanly.
    const secrets = validateSecretRotation(settings, organisation);
    this.registry = new SchemaRegistry(organisation, {
      parameterRoot: settings.parameterRoot,
      parameterTier: settings.parameterTier,
      environments: settings.environments.map((e) => e.name),
    });

    // Events first: every other capability publishes on the bus.
    this.events = new ChangeEvents(this, 'Events', { settings });
    const bus = this.events.bus;

    // The change pipeline: the change queue → validate-change → the FIFO delivery queue →
    // deliver-changes → AppConfig. The AppConfig validator function is attached to every profile, so
    // profiles depend on it, not the reverse.
    this.validation = new ChangeValidation(this, 'ChangeValidation', { settings, bus });
    this.changeDelivery = new ChangeDelivery(this, 'ChangeDelivery', { settings, bus });
    this.validation.sendRequestsTo(this.changeDelivery.queue, this.changeDelivery.deliverChanges.role);
    this.delivery = new ConfigDelivery(this, 'Delivery', {
      settings,
      registry: this.registry,
      validatorFunctionArn: this.validation.validatorFunction.functionArn,
    });
    // Kill switches: their own profile and AppConfig environments, so a flip never queues behind a rollout.
    this.killSwitches = new KillSwitches(this, 'KillSwitches', {
      settings,
      registry: this.registry,
      applications: this.delivery.applications,
      validatorFunctionArn: this.validation.validatorFunction.functionArn,
      eventBusArn: bus.eventBusArn,
    });
    // Every AppConfig and kill-switch id, in parameters: as environment variables they outgrow Lambda's
    // 4 KB at about ten services. The functions that need them get the path.
    this.appConfigTargets = new AppConfigTargetParameters(this, 'AppConfigTargets', {
      settings,
      appConfig: this.delivery.targets,
      killSwitches: this.killSwitches.targets,
    });
    this.changeDelivery.deliverTo(this.delivery.targets, this.appConfigTargets);
    // Granted per application, the delivery is denied the kill-switch environments and profiles.
    this.killSwitches.keepOut(this.changeDelivery.deliverChanges.role);
    this.validation.validateDocumentsOf(this.delivery.targets);

    // The reconcile's writes request no delivery each; it requests one per document when it is done,
    // and one per flags document config/ changed: its delivery is the only deployer of both (every one
    // of them on the first deploy), so no deployment of the stack's meets a rollout of the delivery's.
    this.desiredParameters = new DesiredParameters(this, 'DesiredParameters', {
      settings,
      registry: this.registry,
      deliveryQueue: this.changeDelivery.queue,
      appConfig: this.delivery,
    });
    // The reconcile's first deliveries need the ids deliver-changes reads.
    this.desiredParameters.node.addDependency(this.appConfigTargets);
    this.validation.trustDeliveriesOf(this.desiredParameters.reconciler.role);
    // Updated in parallel with these functions otherwise, the reconcile could hand its writes and
    // requests to their old code: deliver-changes builds flags from its bundled config/, so the old
    // bundle would find the old flags served, report them unchanged and drop the request for good.
    this.desiredParameters.resource.node.addDependency(
      this.changeDelivery.deliverChanges.fn,
      this.validation.validateChange.fn,
      this.validation.appConfigValidator.fn,
    );

    // The nightly jobs: drift, and flag expiry on the same schedule.
    this.nightly = new NightlyJobs(this, 'Nightly', {
      settings,
      bus,
      hostedFlags: this.delivery,
      targets: this.appConfigTargets,
      flagCodeReferences: props.flagCodeReferences,
    });

    // The drift run reports kill switches still on after their `until`.
    this.killSwitches.grantReadDeployed(this.nightly.drift.fn);

    this.rotation = new SecretRotation(this, 'SecretRotation', { settings, organisation, bus });

    // The functions that put value fingerprints in events and tickets, and only those, use the key.
    this.fingerprints = new ValueFingerprints(this, 'ValueFingerprints', { settings });
    this.fingerprints.grantFingerprint(this.validation.validateChange.fn);
    this.fingerprints.grantFingerprint(this.nightly.drift.fn);

    // One example consumer per environment: reads the orders document and flags via the extension.
    this.consumers = new ConfigConsumer(this, 'Consumers', {
      delivery: this.delivery,
      killSwitches: this.killSwitches.targets,
    });
    for (const { name: environment } of settings.environments) {
      const ordersApi = new StewardFunction(this, `OrdersApi-${environment}`, {
        entry: 'functions/handlers/orders-api.ts',
        settings,
        description: `Example consumer: the orders API (${environment}) reading its configuration through AppConfig`,
        timeout: Duration.seconds(10),
      });
      this.consumers.grantConfig(ordersApi.fn, 'orders', environment);
    }

    // Last: it overlays every capability's events on the consumers' errors and the rollback alarms.
    this.dashboard = new ConfigChangeDashboard(this, 'ConfigChangeDashboard', {
      settings,
      bus,
      services: Object.entries(this.delivery.applications).map(([name, application]) => ({
        name,
        applicationName: application.name,
        applicationArn: this.delivery.applicationArns[name] as string,
      })),
      rollbackAlarms: Object.fromEntries(
        settings.environments.map((env) => {
          const arns = this.delivery.alarmArns(env.rollbackAlarms);
          return [env.name, env.rollbackAlarms.map((name, i) => ({ name, arn: arns[i] as string }))];
        }),
      ),
      consumers: this.consumers.consumers,
      secrets,
      driftMetricsService: this.nightly.drift.serviceName,
    });
  }
}
