/** The validate-change handler over in-memory ports, with the example organisation and AWS's fixtures. */
import type { OverrideStore } from '../../functions/ports/override-store.ts';
import { DeliveryQueueError } from '../../functions/ports/delivery-queue.errors.ts';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { organisation } from '../../config/index.ts';
import {
  type DeliveryBatchResult,
  type ProcessDeliveryDependencies,
  processDeliveryRequests,
  type QueuedRequest,
} from '../../functions/core/delivery/process-requests.ts';
import type { DeliveryRequest } from '../../functions/core/delivery/requests.ts';
import type { AppConfigTargets } from '../../functions/core/appconfig-targets.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import type { Enforcement } from '../../functions/core/validation/judgement.ts';
import type {
  ConfigDelivery,
  DeploymentRequest,
  DeploymentStart,
  EnvironmentState,
  HostedDocument,
} from '../../functions/ports/config-delivery.ts';
import type { Clock } from '../../functions/ports/clock.ts';
import type { DeliveryQueue } from '../../functions/ports/delivery-queue.ts';
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
 * started deployment counts as the environment's newest, in `deployedState` (COMPLETE by default),
 * started at the clock's time; an environment in `busyEnvironments` lists a running deployment.
 */
export class RecordingConfigDelivery implements ConfigDelivery {
  readonly hosted: HostedDocument[] = [];
  readonly deployments: (DeploymentRequest & { startedAt: Date })[] = [];
  readonly attempts: DeploymentRequest[] = [];
  /** The state the newest deployment reports, e.g. ROLLED_BACK after an alarm. */
  deployedState = 'COMPLETE';
  /** Lookups AppConfig would answer: ListHostedConfigurationVersions and ListDeployments calls. */
  lookups = 0;
  private busyAnswers: number;
  /** Environments that answer busy to every deployment until removed from the set. */
  readonly busyEnvironments: Set<string>;

  private readonly clock: Clock;

  constructor(options: { busyAnswers?: number; busyEnvironments?: readonly string[]; clock?: Clock } = {}) {
    this.busyAnswers = options.busyAnswers ?? 0;
    this.busyEnvironments = new Set(options.busyEnvironments);
    this.clock = options.clock ?? { now: () => new Date('2026-11-20T16:45:00Z') };
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
    this.deployments.push({ ...request, startedAt: this.clock.now() });
    return { status: 'started', deploymentNumber: 41 + this.deployments.length };
  }

  async environmentState(target: {
    applicationId: string;
    environmentId: string;
    configurationProfileId: string;
  }): Promise<EnvironmentState> {
    this.lookups += 1;
    const running = this.busyEnvironments.has(target.environmentId) ? { runningDeploymentNumber: 7 } : {};
    const index = this.deployments.findLastIndex(
      (d) =>
        d.applicationId === target.applicationId &&
        d.environmentId === target.environmentId &&
        d.configurationProfileId === target.configurationProfileId,
    );
    if (index < 0) return running;
    const deployed = this.deployments[index]!;
    const version = this.hosted.filter((h) => h.configurationProfileId === deployed.configurationProfileId)[
      Number(deployed.configurationVersion) - 1
    ];
    return {
      ...running,
      latest: {
        deploymentNumber: 42 + index,
        versionLabel: version?.versionLabel,
        state: this.deployedState,
        startedAt: deployed.startedAt,
      },
    };
  }
}

/**
 * The FIFO delivery queue as a double: what was sent, and a `drain()` that hands every pending
 * request to the real consumer (`processDeliveryRequests`), as SQS would; waiting and failed records
 * stay pending, their receive count grown. With `autoDrain` each send is drained at once.
 */
export class DeliveryQueueDouble implements DeliveryQueue {
  readonly sent: DeliveryRequest[] = [];
  pending: QueuedRequest[] = [];
  readonly results: DeliveryBatchResult[] = [];
  /** While true, the queue refuses every send, as SQS reports failed entries. */
  refusing = false;
  private next = 0;

  constructor(
    private readonly deps: () => ProcessDeliveryDependencies,
    private readonly autoDrain = true,
  ) {}

  async send(requests: readonly DeliveryRequest[]): Promise<void> {
    if (this.refusing && requests.length > 0) {
      throw new DeliveryQueueError(`${requests.length} requests not queued: the queue refused them`);
    }
    const queuedAt = this.deps().clock.now();
    for (const request of requests) {
      this.sent.push(request);
      this.pending.push({ recordId: `msg-${++this.next}`, request, queuedAt, receiveCount: 0 });
    }
    if (this.autoDrain) await this.drain();
  }

  async drain(): Promise<DeliveryBatchResult> {
    const records = this.pending.map((r) => ({ ...r, receiveCount: r.receiveCount + 1 }));
    this.pending = [];
    const result = await processDeliveryRequests(records, this.deps());
    this.results.push(result);
    const back = new Set([...result.waiting, ...result.failures.keys()]);
    // Requests sent while these were processed (a restore's follow-up) stay pending too.
    this.pending = [...records.filter((r) => back.has(r.recordId)), ...this.pending];
    return result;
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

/** An SQS event of these bodies, as the event source mapping hands it over. */
export function sqsEvent(
  bodies: readonly unknown[],
  options: { sentAt?: Date; receiveCount?: number; ids?: readonly string[] } = {},
) {
  return {
    Records: bodies.map((body, index) => ({
      messageId: options.ids?.[index] ?? `msg-${index + 1}`,
      receiptHandle: `handle-${index + 1}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
      attributes: {
        ApproximateReceiveCount: String(options.receiveCount ?? 1),
        SentTimestamp: String((options.sentAt ?? new Date('2026-11-20T16:44:50Z')).getTime()),
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: String(Date.parse('2026-11-20T16:44:55Z')),
      },
      messageAttributes: {},
      md5OfBody: 'x',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:config-steward-changes',
      awsRegion: 'eu-west-1',
    })),
  };
}

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
  readonly logger?: Logger;
  readonly validatorPrincipal?: string;
  readonly store?: InMemoryParameterStore;
  /** Seed every desired plain parameter (labelled good), as a deployment leaves them. @default true */
  readonly seedDesired?: boolean;
  /** Parameters left out of the seeding, for the test to write itself. */
  readonly unseeded?: readonly string[];
  /** Deliver and restore as soon as validate-change queues the requests. @default true */
  readonly autoDrain?: boolean;
  readonly reconcilerPrincipal?: string;
  /** Break-glass overrides for the delivery consumer to read. @default none */
  readonly overrides?: OverrideStore;
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
  const clock = new FixedClock(new Date('2026-11-20T16:45:00Z'));
  const delivery = new RecordingConfigDelivery({
    busyAnswers: options.busyAnswers,
    busyEnvironments: options.busyEnvironments,
    clock,
  });
  const ports = {
    registry,
    store,
    publisher,
    tickets,
    clock,
    fingerprinter: new LocalHmacFingerprinter(),
    enforcement: (environment: string) => options.enforcement?.[environment] ?? ('enforce' as Enforcement),
    validatorPrincipal: options.validatorPrincipal ?? VALIDATOR_ROLE_ARN,
    reconcilerPrincipal: options.reconcilerPrincipal,
  };
  const queue = new DeliveryQueueDouble(() => consumerDeps, options.autoDrain ?? true);
  const consumerDeps: ProcessDeliveryDependencies = {
    ...ports,
    delivery,
    targets: exampleTargets(),
    requests: queue,
    overrides: options.overrides,
  };
  const deps = {
    ...ports,
    requests: queue,
    logger: options.logger ?? new Logger({ logLevel: 'SILENT' }),
  };
  return { deps, consumerDeps, registry, store, publisher, tickets, delivery, queue, clock };
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
