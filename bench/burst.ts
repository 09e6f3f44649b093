/**
 * The change pipeline under bulk changes, on a virtual clock: the real validate-change and
 * deliver-changes handlers, and the real Parameter Store, AppConfig, EventBridge and SQS adapters,
 * over mocked clients (aws-sdk-client-mock) that play
 * - Parameter Store: versions, labels, actors, history and path pages as AWS pages them, reads
 *   throttled above 40 requests/s (ThrottlingException), a `Parameter Store Change` event per write
 *   (label moves excepted, as the stack's rule filters them) reaching the change queue a second later;
 * - AppConfig: hosted versions, one deployment per environment at a time (ConflictException),
 *   production 20 minutes + 10 minutes' bake, staging done in 10 seconds;
 * - SQS and the event source mappings: batches, batching window, maximum concurrency, visibility
 *   timeouts, ChangeMessageVisibility, FIFO message groups (one in flight each), deduplication, and
 *   redrive to a dead-letter queue after maxReceiveCount.
 * (a) 1,000 changes to one 1,000-key service within 60 s; (b) the first deploy of 50 services × 30
 * keys × 3 environments (the reconcile's core and adapters, then its delivery requests: every
 * document and every flags document, as on the stack's Create; the stack deploys neither).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import {
  AppConfigClient,
  CreateHostedConfigurationVersionCommand,
  ListDeploymentsCommand,
  ListHostedConfigurationVersionsCommand,
  StartDeploymentCommand,
} from '@aws-sdk/client-appconfig';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ChangeMessageVisibilityBatchCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  DeleteParameterCommand,
  GetParameterHistoryCommand,
  GetParametersByPathCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { AppConfigDelivery } from '../functions/adapters/appconfig-delivery.ts';
import { EventBridgeEventPublisher } from '../functions/adapters/eventbridge-publisher.ts';
import { RateLimiter } from '../functions/adapters/rate-limiter.ts';
import { SqsDeliveryQueue } from '../functions/adapters/sqs-delivery-queue.ts';
import { SsmParameterStore } from '../functions/adapters/ssm-parameter-store.ts';
import { DELIVERY_TIMEOUT_SECONDS, documentVersionLabel } from '../functions/core/delivery/deliver.ts';
import type { AppConfigTargets } from '../functions/core/appconfig-targets.ts';
import { sha256 } from '../functions/core/hash.ts';
import { readBudget } from '../functions/core/pipeline/read-budget.ts';
import { serviceFlagsDocument } from '../functions/core/flags/profile-document.ts';
import { deliveriesAfterReconcile, reconcileDesiredParameters } from '../functions/core/reconcile.ts';
import { SchemaRegistry } from '../functions/core/registry.ts';
import { parseSettings } from '../functions/core/settings.ts';
import { CHANGE_MAX_RECEIVES } from '../lib/constructs/change-validation.ts';
import {
  DELIVERY_VISIBILITY_TIMEOUT_SECONDS,
  deliveryMaxReceives,
} from '../lib/constructs/change-delivery.ts';
import { largeOrganisation } from '../test/support/large-organisation.ts';
import { LocalHmacFingerprinter } from '../test/support/local-hmac-fingerprinter.ts';
import { InMemoryTicketTracker } from '../test/support/recording-ports.ts';

const BASE = Date.UTC(2026, 10, 30, 9);
const ACCOUNT = '123456789012';
const STORE_READS_PER_SECOND = 40;
const READ_OPERATIONS = new Set(['GetParameterHistory', 'GetParametersByPath']);
/** The reconcile's PutParameter calls: the changes themselves, not the pipeline's work. */
const CHANGE_WRITE = 'PutParameter (the changes)';
const EVENT_LATENCY_MS = 1_000;
const VALIDATE_TIMEOUT_S = 120;
const ROLES = {
  validate: 'steward-validate-change',
  deliver: 'steward-deliver-changes',
  reconcile: 'steward-reconcile',
};
const sessionOf = (role: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/session`;
const HUMAN = `arn:aws:iam::${ACCOUNT}:user/bulk-script`;
const STRATEGY_MS: Record<string, { deployMs: number; bakeMs: number }> = {
  production: { deployMs: 20 * 60_000, bakeMs: 10 * 60_000 },
  staging: { deployMs: 10_000, bakeMs: 0 },
  development: { deployMs: 10_000, bakeMs: 0 },
};

/** Virtual time: sleeps resolve in time order; the clock jumps when every task waits. */
class VirtualTime {
  now = 0;
  private timers: { at: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      this.timers.push({ at: this.now + Math.max(0, ms), seq: this.seq++, resolve });
    });

  async run(done: () => boolean, limitMs: number): Promise<void> {
    for (;;) {
      for (let i = 0; i < 4; i++) await new Promise((resolve) => setImmediate(resolve));
      if (done()) return;
      if (this.timers.length === 0) throw new Error(`nothing left to run at ${this.now} ms`);
      let next = 0;
      for (let i = 1; i < this.timers.length; i++) {
        const t = this.timers[i]!;
        const n = this.timers[next]!;
        if (t.at < n.at || (t.at === n.at && t.seq < n.seq)) next = i;
      }
      const [timer] = this.timers.splice(next, 1);
      this.now = Math.max(this.now, timer!.at);
      if (this.now > limitMs) throw new Error('the simulation ran past its time limit');
      timer!.resolve();
    }
  }
}

interface Version {
  value: string;
  version: number;
  labels: string[];
  user: string;
  at: number;
}

/** Parameter Store with a shared 40 requests/s read bucket; counts every call by second. */
class SimulatedParameterStore {
  readonly data = new Map<string, Version[]>();
  readonly calls = new Map<string, number>();
  readonly readsBySecond = new Map<number, number>();
  readonly callsBySecond = new Map<number, number>();
  throttled = 0;
  private tokens = STORE_READS_PER_SECOND;
  private refilledAt = 0;
  private sortedNames: string[] | undefined;

  constructor(
    private readonly time: VirtualTime,
    private readonly onWrite: (name: string, operation: 'Create' | 'Update' | 'Delete') => void,
  ) {}

  /**
   * A client whose writes carry this actor. `writesAreTheChanges`: its PutParameter calls are the
   * changes themselves (the reconcile's), counted apart from the pipeline's calls.
   */
  client(actor: string, writesAreTheChanges = false): SSMClient {
    const client = new SSMClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const mock = mockClient(client);
    const call = <T>(operation: string, run: () => T): T => {
      this.count(writesAreTheChanges && operation === 'PutParameter' ? CHANGE_WRITE : operation);
      if (READ_OPERATIONS.has(operation)) this.takeReadToken();
      return run();
    };
    mock
      .on(GetParameterHistoryCommand)
      .callsFake(async (input) =>
        call('GetParameterHistory', () => this.history(input.Name!, Number(input.NextToken ?? 0))),
      );
    mock
      .on(GetParametersByPathCommand)
      .callsFake(async (input) =>
        call('GetParametersByPath', () => this.byPath(input.Path!, Number(input.NextToken ?? 0))),
      );
    mock
      .on(PutParameterCommand)
      .callsFake(async (input) =>
        call('PutParameter', () => ({ Version: this.put(input.Name!, input.Value!, actor) })),
      );
    mock.on(LabelParameterVersionCommand).callsFake(async (input) =>
      call('LabelParameterVersion', () => {
        this.label(input.Name!, Number(input.ParameterVersion), input.Labels ?? []);
        return { InvalidLabels: [] };
      }),
    );
    mock.on(DeleteParameterCommand).callsFake(async (input) =>
      call('DeleteParameter', () => {
        this.data.delete(input.Name!);
        this.sortedNames = undefined;
        this.onWrite(input.Name!, 'Delete');
        return {};
      }),
    );
    return client;
  }

  /** A write outside the pipeline's clients (the script, the seeding). */
  put(name: string, value: string, actor: string, emit = true): number {
    const versions = this.data.get(name) ?? [];
    if (versions.length === 0) this.sortedNames = undefined;
    const version = (versions.at(-1)?.version ?? 0) + 1;
    versions.push({ value, version, labels: [], user: actor, at: this.time.now });
    if (versions.length > 100) versions.shift();
    this.data.set(name, versions);
    if (emit) this.onWrite(name, version === 1 ? 'Create' : 'Update');
    return version;
  }

  label(name: string, version: number, labels: readonly string[]): void {
    const versions = this.data.get(name) ?? [];
    for (const v of versions) v.labels = v.labels.filter((l) => !labels.includes(l));
    const target = versions.find((v) => v.version === version);
    if (!target) throw Object.assign(new Error('no version'), { name: 'ParameterVersionNotFound' });
    target.labels.push(...labels);
  }

  private count(operation: string): void {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    const second = Math.floor(this.time.now / 1000);
    this.callsBySecond.set(second, (this.callsBySecond.get(second) ?? 0) + 1);
    if (READ_OPERATIONS.has(operation))
      this.readsBySecond.set(second, (this.readsBySecond.get(second) ?? 0) + 1);
  }

  private takeReadToken(): void {
    const elapsed = this.time.now - this.refilledAt;
    this.tokens = Math.min(STORE_READS_PER_SECOND, this.tokens + (elapsed * STORE_READS_PER_SECOND) / 1000);
    this.refilledAt = this.time.now;
    if (this.tokens < 1) {
      this.throttled++;
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    this.tokens -= 1;
  }

  private history(name: string, start: number) {
    const versions = this.data.get(name);
    if (!versions) throw Object.assign(new Error('not found'), { name: 'ParameterNotFound' });
    const page = versions.slice(start, start + 50);
    return {
      Parameters: page.map((v) => ({
        Name: name,
        Value: v.value,
        Type: 'String',
        Version: v.version,
        Labels: [...v.labels],
        LastModifiedUser: v.user,
        LastModifiedDate: new Date(BASE + v.at),
      })),
      NextToken: start + 50 < versions.length ? String(start + 50) : undefined,
    };
  }

  private byPath(path: string, start: number) {
    this.sortedNames ??= [...this.data.keys()].sort();
    const prefix = `${path}/`;
    // Binary search for the first name under the prefix, then ten a page.
    let lo = 0;
    let hi = this.sortedNames.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sortedNames[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    const names: string[] = [];
    for (let i = lo; i < this.sortedNames.length && this.sortedNames[i]!.startsWith(prefix); i++) {
      names.push(this.sortedNames[i]!);
    }
    const page = names.slice(start, start + 10);
    return {
      Parameters: page.map((name) => {
        const v = this.data.get(name)!.at(-1)!;
        return { Name: name, Value: v.value, Type: 'String', Version: v.version };
      }),
      NextToken: start + 10 < names.length ? String(start + 10) : undefined,
    };
  }
}

interface Deployment {
  number: number;
  environmentId: string;
  profileId: string;
  label?: string;
  content?: string;
  startedAt: number;
  endsAt: number;
  bakeEndsAt: number;
}

/** AppConfig: hosted versions per profile, one deployment per environment at a time. */
class SimulatedAppConfig {
  readonly hosted = new Map<string, { number: number; label?: string; content: string }[]>();
  readonly deployments: Deployment[] = [];
  conflicts = 0;
  startAttempts = 0;
  readonly client = new AppConfigClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });

  constructor(
    private readonly time: VirtualTime,
    private readonly strategyOf: (environmentId: string) => { deployMs: number; bakeMs: number },
  ) {
    const mock = mockClient(this.client);
    mock.on(ListHostedConfigurationVersionsCommand).callsFake(async (input) => ({
      Items: (this.hosted.get(input.ConfigurationProfileId!) ?? [])
        .filter((v) => v.label === input.VersionLabel)
        .map((v) => ({ VersionNumber: v.number, VersionLabel: v.label })),
    }));
    mock.on(CreateHostedConfigurationVersionCommand).callsFake(async (input) => {
      const versions = this.hosted.get(input.ConfigurationProfileId!) ?? [];
      versions.push({
        number: versions.length + 1,
        label: input.VersionLabel,
        content: new TextDecoder().decode(input.Content),
      });
      this.hosted.set(input.ConfigurationProfileId!, versions);
      return { VersionNumber: versions.length };
    });
    mock.on(ListDeploymentsCommand).callsFake(async (input) => ({
      Items: this.deployments
        .filter((d) => d.environmentId === input.EnvironmentId)
        .reverse()
        .slice(0, 50)
        .map((d) => ({
          DeploymentNumber: d.number,
          ConfigurationProfileId: d.profileId,
          State: this.state(d),
          StartedAt: new Date(BASE + d.startedAt),
          VersionLabel: d.label,
        })),
    }));
    mock.on(StartDeploymentCommand).callsFake(async (input) => {
      this.startAttempts++;
      if (this.deployments.some((d) => d.environmentId === input.EnvironmentId && this.running(d))) {
        this.conflicts++;
        throw Object.assign(new Error('deployment in progress'), { name: 'ConflictException' });
      }
      const version = (this.hosted.get(input.ConfigurationProfileId!) ?? [])[
        Number(input.ConfigurationVersion) - 1
      ];
      this.deployments.push({
        ...this.deployment(input.EnvironmentId!, input.ConfigurationProfileId!, version?.label),
        content: version?.content,
      });
      return { DeploymentNumber: this.deployments.length };
    });
  }

  /** A deployment that started before the simulation (CloudFormation's initial one). */
  deployment(environmentId: string, profileId: string, label: string | undefined, startedAt = this.time.now) {
    const { deployMs, bakeMs } = this.strategyOf(environmentId);
    return {
      number: this.deployments.length + 1,
      environmentId,
      profileId,
      label,
      startedAt,
      endsAt: startedAt + deployMs,
      bakeEndsAt: startedAt + deployMs + bakeMs,
    };
  }

  running(d: Deployment): boolean {
    return this.time.now < d.bakeEndsAt;
  }

  private state(d: Deployment): string {
    if (this.time.now < d.endsAt) return 'DEPLOYING';
    if (this.time.now < d.bakeEndsAt) return 'BAKING';
    return 'COMPLETE';
  }
}

interface Message {
  id: string;
  body: string;
  group?: string;
  sentAt: number;
  visibleAt: number;
  receiveCount: number;
  receiptHandle?: string;
}

/** An SQS queue as an event source mapping sees it. */
class SimulatedQueue {
  messages: Message[] = [];
  readonly deadLetters: Message[] = [];
  private readonly dedup = new Map<string, number>();
  private next = 0;
  sent = 0;

  constructor(
    private readonly time: VirtualTime,
    readonly name: string,
    private readonly options: { fifo: boolean; visibilityMs: number; maxReceiveCount: number },
  ) {}

  send(body: string, delayMs = 0, group?: string, dedupId?: string): void {
    if (dedupId) {
      const seen = this.dedup.get(dedupId);
      if (seen !== undefined && this.time.now - seen < 5 * 60_000) return;
      this.dedup.set(dedupId, this.time.now);
    }
    this.sent++;
    this.messages.push({
      id: `${this.name}-${++this.next}`,
      body,
      group,
      sentAt: this.time.now,
      visibleAt: this.time.now + delayMs,
      receiveCount: 0,
    });
  }

  get empty(): boolean {
    return this.messages.length === 0;
  }

  visible(): number {
    return this.available().length;
  }

  /** Up to `max` visible messages, FIFO groups with a message in flight skipped; past maxReceiveCount, to the DLQ. */
  receive(max: number): Message[] {
    const taken: Message[] = [];
    for (const message of this.available()) {
      if (taken.length >= max) break;
      message.receiveCount++;
      if (message.receiveCount > this.options.maxReceiveCount) {
        this.messages = this.messages.filter((m) => m !== message);
        this.deadLetters.push(message);
        continue;
      }
      message.visibleAt = this.time.now + this.options.visibilityMs;
      message.receiptHandle = `${message.id}#${message.receiveCount}`;
      taken.push(message);
    }
    return taken;
  }

  delete(ids: readonly string[]): void {
    const gone = new Set(ids);
    this.messages = this.messages.filter((m) => !gone.has(m.id));
  }

  changeVisibility(receiptHandle: string, seconds: number): void {
    const message = this.messages.find((m) => m.receiptHandle === receiptHandle);
    if (message) message.visibleAt = this.time.now + seconds * 1000;
  }

  private available(): Message[] {
    const now = this.time.now;
    if (!this.options.fifo) return this.messages.filter((m) => m.visibleAt <= now);
    const blocked = new Set(this.messages.filter((m) => m.visibleAt > now).map((m) => m.group));
    return this.messages.filter((m) => !blocked.has(m.group));
  }
}

type BatchHandler = (
  event: unknown,
  context: Context,
) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

/** One event source mapping instance: poll, gather for the window, invoke, delete what succeeded. */
async function poller(
  time: VirtualTime,
  queue: SimulatedQueue,
  handler: BatchHandler,
  options: {
    batchSize: number;
    windowMs: number;
    timeoutMs: number;
    stopped: () => boolean;
    onInvoke: () => void;
  },
): Promise<void> {
  let startedAt = 0;
  const context = {
    awsRequestId: 'bench',
    functionName: 'bench',
    getRemainingTimeInMillis: () => Math.max(0, startedAt + options.timeoutMs - time.now),
  } as Context;
  while (!options.stopped()) {
    if (queue.visible() === 0) {
      await time.sleep(1_000);
      continue;
    }
    if (options.windowMs > 0 && queue.visible() < options.batchSize) await time.sleep(options.windowMs);
    const batch = queue.receive(options.batchSize);
    if (batch.length === 0) continue;
    options.onInvoke();
    startedAt = time.now;
    let failed: Set<string>;
    try {
      const response = await handler(
        {
          Records: batch.map((m) => ({
            messageId: m.id,
            receiptHandle: m.receiptHandle,
            body: m.body,
            eventSource: 'aws:sqs',
            attributes: {
              SentTimestamp: String(BASE + m.sentAt),
              ApproximateReceiveCount: String(m.receiveCount),
              ...(m.group ? { MessageGroupId: m.group } : {}),
            },
          })),
        },
        context,
      );
      failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    } catch {
      failed = new Set(batch.map((m) => m.id));
    }
    queue.delete(batch.filter((m) => !failed.has(m.id)).map((m) => m.id));
  }
}

interface Scenario {
  readonly name: string;
  readonly services: number;
  readonly keysPerService: number;
  readonly environments: readonly string[];
  /** Writes the changes: a script's edits, or the first deploy's reconcile. */
  readonly write: (world: World) => Promise<void>;
  /** The parameters whose changes count. */
  readonly changed: (world: World) => string[];
  /** Set up what was there before the changes. */
  readonly seed: (world: World) => void;
}

interface World {
  readonly time: VirtualTime;
  readonly registry: SchemaRegistry;
  readonly store: SimulatedParameterStore;
  readonly appConfig: SimulatedAppConfig;
  readonly sqsClient: SQSClient;
  readonly perInstance: number;
  writesDone: boolean;
  writesEndedAt: number;
}

const DELIVERY_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/config-steward-delivery.fifo';

async function simulate(scenario: Scenario) {
  const started = performance.now();
  const settings = parseSettings(
    {
      environments: scenario.environments.map((name) => ({
        name,
        enforcement: 'enforce',
        deploymentStrategy: { deploymentDurationInMinutes: 0, finalBakeTimeInMinutes: 0, growthFactor: 100 },
      })),
    },
    'bench',
  );
  const budget = readBudget(settings);
  const { validation, delivery } = settings.pipeline;
  const time = new VirtualTime();
  const registry = new SchemaRegistry(
    largeOrganisation(scenario.services, scenario.keysPerService, scenario.environments),
    { parameterRoot: 'config', environments: scenario.environments },
  );
  let eventIds = 0;
  const changeQueue = new SimulatedQueue(time, 'change', {
    fifo: false,
    visibilityMs: (VALIDATE_TIMEOUT_S * 6 + validation.maxBatchingWindowSeconds) * 1000,
    maxReceiveCount: CHANGE_MAX_RECEIVES,
  });
  const deliveryQueue = new SimulatedQueue(time, 'delivery', {
    fifo: true,
    visibilityMs: DELIVERY_VISIBILITY_TIMEOUT_SECONDS * 1000,
    maxReceiveCount: deliveryMaxReceives(settings),
  });
  const store = new SimulatedParameterStore(time, (name, operation) => {
    const id = `evt-${++eventIds}`;
    changeQueue.send(
      JSON.stringify({
        version: '0',
        id,
        'detail-type': 'Parameter Store Change',
        source: 'aws.ssm',
        account: ACCOUNT,
        time: new Date(BASE + time.now).toISOString(),
        region: 'eu-west-1',
        resources: [`arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter${name}`],
        detail: { name, type: 'String', operation },
      }),
      EVENT_LATENCY_MS,
    );
  });
  const targets: AppConfigTargets = {};
  for (const service of registry.serviceNames()) {
    targets[service] = {
      applicationId: `app-${service}`,
      documentProfileId: `doc-${service}`,
      flagsProfileId: `flags-${service}`,
      environments: Object.fromEntries(
        scenario.environments.map((env) => [
          env,
          { environmentId: `env-${service}-${env}`, deploymentStrategyId: `strategy-${env}` },
        ]),
      ),
    };
  }
  const appConfig = new SimulatedAppConfig(
    time,
    (environmentId) => STRATEGY_MS[environmentId.split('-').at(-1)!]!,
  );

  const sqsClient = new SQSClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const sqsMock = mockClient(sqsClient);
  sqsMock.on(SendMessageBatchCommand).callsFake(async (input) => {
    for (const entry of input.Entries ?? []) {
      deliveryQueue.send(entry.MessageBody!, 0, entry.MessageGroupId, entry.MessageDeduplicationId);
    }
    return { Successful: [], Failed: [] };
  });
  sqsMock.on(ChangeMessageVisibilityBatchCommand).callsFake(async (input) => {
    for (const entry of input.Entries ?? [])
      deliveryQueue.changeVisibility(entry.ReceiptHandle!, entry.VisibilityTimeout!);
    return { Successful: [], Failed: [] };
  });
  let publishedEvents = 0;
  const eventBridge = new EventBridgeClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  mockClient(eventBridge)
    .on(PutEventsCommand)
    .callsFake(async (input) => {
      publishedEvents += input.Entries?.length ?? 0;
      return {
        FailedEntryCount: 0,
        Entries: (input.Entries ?? []).map((_: unknown, i: number) => ({ EventId: `e-${i}` })),
      };
    });

  const world: World = {
    time,
    registry,
    store,
    appConfig,
    sqsClient,
    perInstance: budget.perInstance,
    writesDone: false,
    writesEndedAt: 0,
  };
  scenario.seed(world);
  const [{ createValidateChangeHandler }, { createDeliverChangesHandler }] = await Promise.all([
    import('../functions/handlers/validate-change.ts'),
    import('../functions/handlers/deliver-changes.ts'),
  ]);
  const logger = new Logger({ logLevel: 'SILENT' });
  const clock = { now: () => new Date(BASE + time.now) };
  const ports = (role: string) => ({
    registry,
    // As the handlers build it: reads take the instance's share of the read budget, writes (labels,
    // restores) a bucket of their own at the same rate (deliver-changes sends reads only).
    store: new SsmParameterStore(store.client(sessionOf(role)), {
      readLimiter: new RateLimiter({
        requestsPerSecond: budget.perInstance,
        now: () => time.now,
        sleep: time.sleep,
      }),
      writeLimiter: new RateLimiter({
        requestsPerSecond: budget.perInstance,
        now: () => time.now,
        sleep: time.sleep,
      }),
      sleep: time.sleep,
      throttleAttempts: 10,
    }),
    publisher: new EventBridgeEventPublisher(eventBridge, 'config-steward'),
    tickets: new InMemoryTicketTracker(),
    clock,
    enforcement: () => 'enforce' as const,
    validatorPrincipal: ROLES.deliver,
    reconcilerPrincipal: ROLES.reconcile,
  });
  let invocations = { validate: 0, deliver: 0 };
  const stopped = () => world.writesDone && changeQueue.empty && deliveryQueue.empty && !anyRunning();
  const anyRunning = () => appConfig.deployments.some((d) => appConfig.running(d));
  const tasks: Promise<void>[] = [];
  for (let i = 0; i < validation.maxConcurrency; i++) {
    const handler = createValidateChangeHandler({
      ...ports(ROLES.validate),
      // Stands in for KMS GenerateMac, which this bench does not count.
      fingerprinter: new LocalHmacFingerprinter(),
      requests: new SqsDeliveryQueue(sqsClient, DELIVERY_URL),
      logger,
    }) as unknown as BatchHandler;
    tasks.push(
      poller(time, changeQueue, handler, {
        batchSize: validation.batchSize,
        windowMs: validation.maxBatchingWindowSeconds * 1000,
        timeoutMs: VALIDATE_TIMEOUT_S * 1000,
        stopped,
        onInvoke: () => invocations.validate++,
      }),
    );
  }
  for (let i = 0; i < delivery.maxConcurrency; i++) {
    const handler = createDeliverChangesHandler({
      ...ports(ROLES.deliver),
      delivery: new AppConfigDelivery(appConfig.client),
      targets,
      minIntervalMs: delivery.retrySeconds * 1000,
      requests: new SqsDeliveryQueue(sqsClient, DELIVERY_URL),
      queue: new SqsDeliveryQueue(sqsClient, DELIVERY_URL),
      retrySeconds: delivery.retrySeconds,
      logger,
    }) as unknown as BatchHandler;
    tasks.push(
      poller(time, deliveryQueue, handler, {
        batchSize: 10,
        windowMs: 0,
        timeoutMs: DELIVERY_TIMEOUT_SECONDS * 1000,
        stopped,
        onInvoke: () => invocations.deliver++,
      }),
    );
  }
  const writer = scenario.write(world).then(() => {
    world.writesDone = true;
    world.writesEndedAt = time.now;
  });
  await time.run(() => stopped(), 6 * 3600_000);
  await writer;
  // Wake the pollers once more so they see `stopped` and end.
  await time.run(() => true, Number.POSITIVE_INFINITY).catch(() => undefined);
  void tasks;
  invocations = { ...invocations };

  // What came out.
  const changed = scenario.changed(world);
  const lost = changed.filter((name) => {
    const newest = store.data.get(name)?.at(-1);
    const judged = newest?.labels.includes('last-known-good');
    const deadLettered = [...changeQueue.deadLetters].some((m) => m.body.includes(`"${name}"`));
    return !judged && !deadLettered;
  }).length;
  const pipelineCalls = [...store.calls]
    .filter(([operation]) => operation !== CHANGE_WRITE)
    .reduce((sum, [, n]) => sum + n, 0);
  const peak = (bySecond: Map<number, number>) => Math.max(0, ...bySecond.values());
  const perTarget: {
    /** Flags deployments, and whether config/'s flags document shipped and when its rollout ended. */
    flagsDeployments: number;
    flagsShipped: boolean;
    flagsLiveAt?: number;
    flagsDelayMs?: number;
    deployments: number;
    hosted: number;
    finalDelayMs?: number;
    finalShipped: boolean;
    inFirstDocument: number;
  }[] = [];
  // The documents the changes touched.
  const touched = new Set(
    changed.flatMap((name) => {
      const resolution = registry.resolve(name);
      return resolution.ok ? [`${resolution.environment}#${resolution.service}`] : [];
    }),
  );
  for (const service of registry.serviceNames()) {
    for (const env of scenario.environments) {
      if (!touched.has(`${env}#${service}`)) continue;
      const target = targets[service]!;
      const environmentId = target.environments[env]!.environmentId;
      const ours = appConfig.deployments.filter(
        (d) =>
          d.environmentId === environmentId &&
          d.profileId === target.documentProfileId &&
          d.label?.startsWith('sha256-'),
      );
      const composed = registry.compose(
        service,
        env,
        (owner, key) => store.data.get(registry.parameterName(env, owner, key))?.at(-1)?.value,
      );
      const finalLabel = composed.ok
        ? documentVersionLabel(sha256(JSON.stringify(composed.document)))
        : undefined;
      const final = ours.find((d) => d.label === finalLabel);
      const before = appConfig.deployments.filter(
        (d) => d.environmentId === environmentId && final && d.startedAt < final.startedAt,
      );
      // The environment is free once the deployment before the final one is done and the changes are written.
      const freeAt = Math.max(world.writesEndedAt, ...before.map((d) => d.bakeEndsAt));
      // How many of this document's changes the first deployment of ours already carried.
      const firstDocument = JSON.parse(ours[0]?.content ?? '{}') as Record<string, unknown>;
      const inFirstDocument = changed.filter((name) => {
        const resolution = registry.resolve(name);
        if (!resolution.ok || resolution.environment !== env || resolution.service !== service) return false;
        return String(firstDocument[resolution.key]) === store.data.get(name)?.at(-1)?.value;
      }).length;
      const flagsLabel = documentVersionLabel(
        sha256(JSON.stringify(serviceFlagsDocument(registry.service(service), env))),
      );
      const flags = appConfig.deployments.filter(
        (d) => d.environmentId === environmentId && d.profileId === target.flagsProfileId,
      );
      const shippedFlags = flags.find((d) => d.label === flagsLabel);
      // The environment is free for the flags once every deployment started before them is done.
      const flagsFreeAt = Math.max(
        world.writesEndedAt,
        ...appConfig.deployments
          .filter(
            (d) => d.environmentId === environmentId && shippedFlags && d.startedAt < shippedFlags.startedAt,
          )
          .map((d) => d.bakeEndsAt),
      );
      perTarget.push({
        flagsDeployments: flags.length,
        flagsShipped: Boolean(shippedFlags),
        flagsLiveAt: shippedFlags?.bakeEndsAt,
        flagsDelayMs: shippedFlags ? shippedFlags.startedAt - flagsFreeAt : undefined,
        deployments: ours.length,
        hosted: (appConfig.hosted.get(target.documentProfileId) ?? []).length,
        finalDelayMs: final ? final.startedAt - freeAt : undefined,
        finalShipped: Boolean(final),
        inFirstDocument,
      });
    }
  }
  const delays = perTarget.flatMap((t) => (t.finalDelayMs === undefined ? [] : [t.finalDelayMs]));
  return {
    scenario: scenario.name,
    changes: changed.length,
    lost,
    deadLettered: changeQueue.deadLetters.length + deliveryQueue.deadLetters.length,
    pipelineCalls,
    callsPerChange: pipelineCalls / changed.length,
    calls: Object.fromEntries(store.calls),
    peakReadRate: peak(store.readsBySecond),
    peakCallRate: peak(store.callsBySecond),
    throttled: store.throttled,
    maxDeployments: Math.max(...perTarget.map((t) => t.deployments)),
    maxHosted: Math.max(...perTarget.map((t) => t.hosted)),
    targets: perTarget.length,
    finalShipped: perTarget.filter((t) => t.finalShipped).length,
    inFirstDocuments: perTarget.reduce((sum, t) => sum + t.inFirstDocument, 0),
    deployments: appConfig.deployments.filter((d) => d.label?.startsWith('sha256-')).length,
    flagsShipped: perTarget.filter((t) => t.flagsShipped).length,
    maxFlagsDeployments: Math.max(...perTarget.map((t) => t.flagsDeployments)),
    maxFlagsDelayS:
      Math.max(0, ...perTarget.flatMap((t) => (t.flagsDelayMs === undefined ? [] : [t.flagsDelayMs]))) / 1000,
    flagsLiveMinutes:
      Math.max(0, ...perTarget.flatMap((t) => (t.flagsLiveAt === undefined ? [] : [t.flagsLiveAt]))) / 60_000,
    startAttempts: appConfig.startAttempts,
    conflicts: appConfig.conflicts,
    maxFinalDelayS: delays.length > 0 ? Math.max(...delays) / 1000 : undefined,
    invocations,
    deliveryRequests: deliveryQueue.sent,
    publishedEvents,
    virtualMinutes: time.now / 60_000,
    budget,
    realSeconds: (performance.now() - started) / 1000,
  };
}

/** New valid values for the large organisation's kinds (integer, boolean, oneOf, string). */
function changedValue(key: number): string {
  const kind = key % 4;
  return kind === 0
    ? String(key + 1 > 1000 ? key - 1 : key + 1)
    : kind === 1
      ? String(key % 2 !== 0)
      : kind === 2
        ? 'b'
        : `changed-${key}`;
}

/** Every desired value stored and labelled, as a finished first deploy leaves them; no events. */
function seedDeployed(world: World, environments: readonly string[]): void {
  for (const p of world.registry.desiredParameters()) {
    if (!environments.includes(p.environment)) continue;
    const version = world.store.put(p.name, p.value, sessionOf(ROLES.reconcile), false);
    world.store.label(p.name, version, ['last-known-good']);
  }
}

const ONE_SERVICE: Scenario = {
  name: '(a) 1,000 changes to one 1,000-key service in 60 s (production)',
  services: 1,
  keysPerService: 1000,
  environments: ['staging', 'production'],
  seed: (world) => {
    seedDeployed(world, ['staging', 'production']);
    // CloudFormation's initial deployment, long done.
    world.appConfig.deployments.push(
      world.appConfig.deployment(
        'env-service-0-production',
        'doc-service-0',
        'production-initial',
        -86_400_000,
      ),
    );
  },
  write: async (world) => {
    for (let key = 0; key < 1000; key++) {
      world.store.put(
        world.registry.parameterName('production', 'service-0', `key-${key}`),
        changedValue(key),
        HUMAN,
      );
      await world.time.sleep(60);
    }
  },
  changed: (world) =>
    Array.from({ length: 1000 }, (_, key) =>
      world.registry.parameterName('production', 'service-0', `key-${key}`),
    ),
};

const FIRST_DEPLOY: Scenario = {
  name: '(b) first deploy: 50 services × 30 keys × 3 environments',
  services: 50,
  keysPerService: 30,
  environments: ['development', 'staging', 'production'],
  seed: () => undefined,
  write: async (world) => {
    // The reconcile's core and adapters, as its handler runs them (functions/handlers/reconcile-parameters.ts).
    const store = new SsmParameterStore(world.store.client(sessionOf(ROLES.reconcile), true), {
      readLimiter: new RateLimiter({
        requestsPerSecond: world.perInstance,
        now: () => world.time.now,
        sleep: world.time.sleep,
      }),
      sleep: world.time.sleep,
      throttleAttempts: 10,
    });
    const writes = new RateLimiter({
      requestsPerSecond: 10,
      now: () => world.time.now,
      sleep: world.time.sleep,
    });
    const outcome = await reconcileDesiredParameters(world.registry, store, {
      beforeWrite: () => writes.acquire(),
    });
    // On Create the reconcile asks for every document and every flags document (DocumentSha256 and
    // FlagsSha256 new to it), after its last write (core/reconcile-deployment.ts).
    const everywhere = world.registry
      .serviceNames()
      .flatMap((service) => FIRST_DEPLOY.environments.map((environment) => ({ service, environment })));
    await new SqsDeliveryQueue(world.sqsClient, DELIVERY_URL).send(
      deliveriesAfterReconcile(
        world.registry,
        outcome.written,
        'reconcile:first-deploy',
        everywhere,
        everywhere,
      ),
    );
  },
  changed: (world) => world.registry.desiredParameters().map((p) => p.name),
};

export async function run(): Promise<void> {
  for (const [name, value] of Object.entries({
    STEWARD_PARAMETER_ROOT: 'config',
    STEWARD_PARAMETER_TIER: 'Standard',
    STEWARD_ENVIRONMENTS: JSON.stringify([{ name: 'production', enforcement: 'enforce' }]),
    STEWARD_EVENT_BUS: 'config-steward',
    STEWARD_TICKETS: JSON.stringify({ tracker: 'opscenter' }),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'x',
    AWS_SECRET_ACCESS_KEY: 'x',
  })) {
    process.env[name] ??= value;
  }
  const results = [];
  for (const scenario of [ONE_SERVICE, FIRST_DEPLOY]) results.push(await simulate(scenario));
  const [a, b] = results as [Awaited<ReturnType<typeof simulate>>, Awaited<ReturnType<typeof simulate>>];
  const budget = a.budget;
  console.log(
    `Virtual clock; Parameter Store throttles reads above ${STORE_READS_PER_SECOND}/s; production 20 min + 10 min bake, ` +
      `staging and development 10 s. Read budget ${budget.readsPerSecond}/s = ${budget.perInstance}/s × ` +
      `(${budget.instances.validation} validate-change + ${budget.instances.delivery} deliver-changes + ` +
      `${budget.instances.reconcile} reconcile) instances.`,
  );
  console.log('');
  const rows: [string, string, string, string][] = [
    ['changes', '1,000', String(a.changes), String(b.changes)],
    [
      'changes lost (target 0)',
      'most invocations throttle out into the failure queue',
      String(a.lost),
      String(b.lost),
    ],
    ['records in a dead-letter queue', '—', String(a.deadLettered), String(b.deadLettered)],
    [
      'Parameter Store calls per change (target ≤ 3)',
      '≈ 300 (≈ 300,000 GetParametersByPath pages)',
      a.callsPerChange.toFixed(2),
      b.callsPerChange.toFixed(2),
    ],
    [
      'peak Parameter Store read rate, /s (≤ budget)',
      'over 40 (throttled)',
      String(a.peakReadRate),
      String(b.peakReadRate),
    ],
    ['peak Parameter Store call rate incl. writes, /s', '—', String(a.peakCallRate), String(b.peakCallRate)],
    ['ThrottlingExceptions', 'most reads', String(a.throttled), String(b.throttled)],
    [
      'deployments per (service, environment), max (target ≤ 2)',
      'up to ≈ 1,000 (13 for 30 edits in 3 rounds)',
      String(a.maxDeployments),
      String(b.maxDeployments),
    ],
    ['hosted versions per (service, environment), max', '≈ 1,000', String(a.maxHosted), String(b.maxHosted)],
    [
      'changes in the first document deployed',
      '1 of 1,000 (rolled out for 30 min)',
      `${a.inFirstDocuments} of ${a.changes}`,
      `${b.inFirstDocuments} of ${b.changes}`,
    ],
    [
      'StartDeployment attempts / ConflictExceptions',
      '≈ 8,000 / nearly all',
      `${a.startAttempts} / ${a.conflicts}`,
      `${b.startAttempts} / ${b.conflicts}`,
    ],
    [
      'final document shipped (per (service, environment))',
      '—',
      `${a.finalShipped}/${a.targets}`,
      `${b.finalShipped}/${b.targets}`,
    ],
    [
      "config/'s flags shipped (per (service, environment)); flags deployments, max",
      '— (the stack deployed them)',
      `— (none asked); ${a.maxFlagsDeployments}`,
      `${b.flagsShipped}/${b.targets}; ${b.maxFlagsDeployments}`,
    ],
    ['flags started after their environment is free, max', '—', '—', `${b.maxFlagsDelayS.toFixed(0)} s`],
    [
      'last flags rollout done (incl. bake), minutes after the start',
      '—',
      '—',
      `${b.flagsLiveMinutes.toFixed(1)} min`,
    ],
    [
      'final document started after the environment is free, max (target ≤ 120 s)',
      '— (15-minute deferral schedules)',
      `${a.maxFinalDelayS?.toFixed(0)} s`,
      `${b.maxFinalDelayS?.toFixed(0)} s`,
    ],
    ['schedules or other helper resources created', '≈ 2,000 schedules', '0', '0'],
    ['concurrent invocations, max', '≈ 580 waiting 35 s each', '2 + 2', '2 + 2'],
    [
      'validate-change / deliver-changes invocations',
      '—',
      `${a.invocations.validate} / ${a.invocations.deliver}`,
      `${b.invocations.validate} / ${b.invocations.deliver}`,
    ],
    [
      'virtual time until the pipeline is idle',
      '—',
      `${a.virtualMinutes.toFixed(1)} min`,
      `${b.virtualMinutes.toFixed(1)} min`,
    ],
  ];
  console.log('| metric | (a) before (from the issue) | (a) after | (b) after |');
  console.log('| --- | --- | ---: | ---: |');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log('');
  console.log(`(a) calls: ${JSON.stringify(a.calls)}`);
  console.log(
    `(b) calls: ${JSON.stringify(b.calls)} (PutParameter: the reconcile's own writes, not pipeline reads)`,
  );
  console.log(`real time: (a) ${a.realSeconds.toFixed(1)} s, (b) ${b.realSeconds.toFixed(1)} s`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
