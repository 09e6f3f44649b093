/** The validate-change handler over in-memory ports, with the example organisation and AWS's fixtures. */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import type { DeferredChange, DeliveryDeferral } from '../../functions/ports/delivery-deferral.ts';
import { organisation } from '../../config/index.ts';
import type { AppConfigTargets } from '../../functions/core/delivery/targets.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import type { Enforcement } from '../../functions/core/validation/validate-change.ts';
import type {
  ConfigDelivery,
  DeploymentRequest,
  DeploymentStart,
  HostedDocument,
  LatestDeployment,
} from '../../functions/ports/config-delivery.ts';
import { awsEvent } from './aws-events.ts';
import { InMemoryParameterStore } from './in-memory-parameter-store.ts';
import { LocalHmacFingerprinter } from './local-hmac-fingerprinter.ts';
import { FixedClock, InMemoryTicketTracker, RecordingEventPublisher } from './recording-ports.ts';

export const VALIDATOR_ROLE_ARN = 'arn:aws:iam::123456789012:role/config-steward-validate-change';
/** A fixture from `../shared/aws-events/` (or its copy in `test/fixtures/aws-events/`). */
export function fixture(name: string): Record<string, unknown> {
  return awsEvent(name);
}

/** The update fixture, pointed at another parameter and event id. */
export function changeEvent(
  name: string,
  operation: 'Create' | 'Update' | 'Delete' | 'LabelParameterVersion' = 'Update',
  id = `evt-${Math.random().toString(16).slice(2)}`,
): Record<string, unknown> {
  const event = fixture('ssm-parameter-change-update.json');
  return {
    ...event,
    id,
    resources: [`arn:aws:ssm:eu-west-1:123456789012:parameter${name}`],
    detail: { ...(event.detail as object), name, operation },
  };
}

/**
 * AppConfig as a recording double: versions are numbered per profile; `busy` answers come first; a
 * started deployment counts as the environment's newest, in `deployedState` (COMPLETE by default).
 */
export class RecordingConfigDelivery implements ConfigDelivery {
  readonly hosted: HostedDocument[] = [];
  readonly deployments: DeploymentRequest[] = [];
  readonly attempts: DeploymentRequest[] = [];
  /** The state the newest deployment reports, e.g. ROLLED_BACK after an alarm. */
  deployedState = 'COMPLETE';
  /** Lookups AppConfig would answer: ListHostedConfigurationVersions and ListDeployments calls. */
  lookups = 0;
  private busyAnswers: number;
  /** Environments that answer busy to every deployment until removed from the set. */
  readonly busyEnvironments: Set<string>;

  constructor(options: { busyAnswers?: number; busyEnvironments?: readonly string[] } = {}) {
    this.busyAnswers = options.busyAnswers ?? 0;
    this.busyEnvironments = new Set(options.busyEnvironments);
  }

  async ensureHostedVersion(document: HostedDocument): Promise<string> {
    this.lookups += 1;
    const ofProfile = () =>
      this.hosted.filter((d) => d.configurationProfileId === document.configurationProfileId);
    const existing = ofProfile().findIndex((d) => d.versionLabel === document.versionLabel);
    if (existing >= 0) return String(existing + 1);
    this.hosted.push(document);
    return String(ofProfile().length);
  }

  async startDeployment(request: DeploymentRequest): Promise<DeploymentStart> {
    this.attempts.push(request);
    if (this.busyEnvironments.has(request.environmentId))
      return { status: 'busy', runningDeploymentNumber: 7 };
    if (this.busyAnswers > 0) {
      this.busyAnswers -= 1;
      return { status: 'busy', runningDeploymentNumber: 41 };
    }
    this.deployments.push(request);
    return { status: 'started', deploymentNumber: 41 + this.deployments.length };
  }

  async latestDeployment(target: {
    applicationId: string;
    environmentId: string;
    configurationProfileId: string;
  }): Promise<LatestDeployment | undefined> {
    this.lookups += 1;
    const index = this.deployments.findLastIndex(
      (d) =>
        d.applicationId === target.applicationId &&
        d.environmentId === target.environmentId &&
        d.configurationProfileId === target.configurationProfileId,
    );
    if (index < 0) return undefined;
    const deployed = this.deployments[index]!;
    const version = this.hosted.filter((h) => h.configurationProfileId === deployed.configurationProfileId)[
      Number(deployed.configurationVersion) - 1
    ];
    return { deploymentNumber: 42 + index, versionLabel: version?.versionLabel, state: this.deployedState };
  }
}

/** AppConfig ids for every service of the example organisation. */
export function exampleTargets(): AppConfigTargets {
  const ids = (service: string) => ({
    applicationId: `app-${service}`,
    documentProfileId: `doc-${service}`,
    flagsProfileId: `flags-${service}`,
    environments: {
      staging: { environmentId: `env-${service}-staging`, deploymentStrategyId: 'strategy-staging' },
      production: { environmentId: `env-${service}-production`, deploymentStrategyId: 'strategy-production' },
    },
  });
  return { orders: ids('orders'), payments: ids('payments') };
}

export function exampleRegistry(): SchemaRegistry {
  return new SchemaRegistry(organisation, {
    parameterRoot: 'config',
    environments: ['staging', 'production'],
  });
}

export const VALIDATE_CHANGE_ARN =
  'arn:aws:lambda:eu-west-1:123456789012:function:config-steward-validate-change';

export const lambdaContext = {
  awsRequestId: 'req-1',
  functionName: 'config-steward-validate-change',
  invokedFunctionArn: VALIDATE_CHANGE_ARN,
  getRemainingTimeInMillis: () => 120_000,
} as unknown as Context;

export interface HarnessOptions {
  readonly enforcement?: Partial<Record<string, Enforcement>>;
  readonly busyAnswers?: number;
  /** AppConfig environment ids that stay busy (see RecordingConfigDelivery). */
  readonly busyEnvironments?: readonly string[];
  readonly busyRetryDelaysMs?: readonly number[];
  readonly logger?: Logger;
  readonly validatorPrincipal?: string;
  readonly store?: InMemoryParameterStore;
  /** Seed every desired plain parameter (labelled good), as a deployment leaves them. @default true */
  readonly seedDesired?: boolean;
  /** Parameters left out of the seeding, for the test to write itself. */
  readonly unseeded?: readonly string[];
  /** Give the handler a recording deferral (as the deployed function has). @default false */
  readonly deferral?: boolean;
}

/** The deferral as a recording double: what would have been scheduled. */
export class RecordingDeliveryDeferral implements DeliveryDeferral {
  readonly deferred: DeferredChange[] = [];
  async defer(change: DeferredChange): Promise<void> {
    this.deferred.push(change);
  }
}

/** Write the desired plain parameters of `config/` as `cdk deploy` does, each labelled good; calls not counted. */
export async function seedDesiredState(
  store: InMemoryParameterStore,
  registry: SchemaRegistry,
  unseeded: readonly string[] = [],
): Promise<void> {
  for (const parameter of registry.desiredParameters()) {
    if (parameter.parameterType !== 'String' || unseeded.includes(parameter.name)) continue;
    const version = store.seed(
      parameter.name,
      parameter.value,
      'String',
      'arn:aws:iam::123456789012:role/cdk-deploy',
    );
    await store.label(parameter.name, version, ['last-known-good']);
  }
  store.calls.length = 0;
}

/** Builds the ports; the caller passes them to `createValidateChangeHandler`. */
export async function validateChangePorts(options: HarnessOptions = {}) {
  const registry = exampleRegistry();
  const store = options.store ?? new InMemoryParameterStore(VALIDATOR_ROLE_ARN);
  if (options.seedDesired ?? true) await seedDesiredState(store, registry, options.unseeded);
  const publisher = new RecordingEventPublisher();
  const tickets = new InMemoryTicketTracker();
  const delivery = new RecordingConfigDelivery({
    busyAnswers: options.busyAnswers,
    busyEnvironments: options.busyEnvironments,
  });
  const sleeps: number[] = [];
  const deferral = new RecordingDeliveryDeferral();
  const deps = {
    registry,
    store,
    publisher,
    tickets,
    clock: new FixedClock(new Date('2026-11-20T16:45:00Z')),
    fingerprinter: new LocalHmacFingerprinter(),
    enforcement: (environment: string) => options.enforcement?.[environment] ?? ('enforce' as Enforcement),
    validatorPrincipal: options.validatorPrincipal ?? VALIDATOR_ROLE_ARN,
    delivery: {
      port: delivery,
      targets: exampleTargets(),
      busyRetryDelaysMs: options.busyRetryDelaysMs ?? [1_000, 2_000],
      sleep: async (ms: number) => {
        sleeps.push(ms);
      },
    },
    logger: options.logger ?? new Logger({ logLevel: 'SILENT' }),
    deferral: options.deferral ? deferral : undefined,
  };
  return { deps, registry, store, publisher, tickets, delivery, sleeps, deferral };
}

/** The runtime environment variables the stack gives the function, for importing the handler module. */
export const HANDLER_ENV: Record<string, string> = {
  STEWARD_PARAMETER_ROOT: 'config',
  STEWARD_PARAMETER_TIER: 'Standard',
  STEWARD_ENVIRONMENTS: JSON.stringify([
    { name: 'staging', enforcement: 'enforce' },
    { name: 'production', enforcement: 'enforce' },
  ]),
  STEWARD_EVENT_BUS: 'config-steward',
  STEWARD_TICKETS: JSON.stringify({ tracker: 'opscenter' }),
};
