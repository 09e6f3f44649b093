/**
 * The drift sweep through the real `SsmParameterStore` adapter and rate limiter, against an
 * in-process Parameter Store that enforces 40 requests/s and answers each request in 20–30 ms, with
 * a tenth of the parameters SecureStrings and tickets on (an in-memory tracker and fingerprinter
 * that also take 20–30 ms a call). Everything runs on a virtual clock: every sleep and every latency
 * advances virtual time, so 100,000 parameters take seconds of real time.
 *
 * Table 1, one pass (`driftUntilDone` with no time limit, what `steward drift` runs): SDK calls, virtual run time, the floor
 * (calls ÷ 40/s, the store's limit) and their ratio, for a client limited to 40, 20 and 60 requests/s.
 * Table 2, the nightly run (`runDriftStep` in a loop, as the Step Functions state machine runs it):
 * each invocation gets 15 virtual minutes, stops with its margin left and hands a checkpoint to the
 * next (1 s of virtual time between invocations for Step Functions and Lambda). The floor there is
 * calls ÷ the read budget (20/s, the default).
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { RateLimiter } from '../functions/adapters/rate-limiter.ts';
import { SsmParameterStoreWithOverrides } from '../functions/adapters/ssm-override-store.ts';
import type { DriftDependencies } from '../functions/core/drift/run.ts';
import { driftUntilDone } from '../functions/core/drift/step.ts';
import { string } from '../functions/core/keys.ts';
import type { Organisation } from '../functions/core/model.ts';
import { SchemaRegistry } from '../functions/core/registry.ts';
import type { TicketRequest } from '../functions/ports/ticket-tracker.ts';
import { largeOrganisation } from '../test/support/large-organisation.ts';
import { LocalHmacFingerprinter } from '../test/support/local-hmac-fingerprinter.ts';
import { InMemoryTicketTracker } from '../test/support/recording-ports.ts';

const STORE_RPS = 40;
const DEFAULT_BUDGET_RPS = 20;
const ENVIRONMENTS = ['staging', 'production'];
const KEYS_PER_SERVICE = 50;
const BASE = Date.UTC(2026, 10, 23, 2);
const LAMBDA_LIMIT_MS = 15 * 60_000;
/** The drift step handler's margin (functions/handlers/drift-job.ts). */
const STEP_MARGIN_MS = 120_000;
/** Virtual time between two steps: the Choice state, the next Lambda invocation. */
const BETWEEN_STEPS_MS = 1_000;

interface Stored {
  value: string;
  type: 'String' | 'SecureString';
  version: number;
  lastModifiedDate: Date;
  labelled?: number;
}

class VirtualClock {
  ms = 0;
  private seed = 1;
  sleep = async (ms: number) => {
    this.ms += ms;
  };
  /** 20–30 ms, the same sequence every run. */
  latency = async () => {
    this.seed = (this.seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    this.ms += 20 + (this.seed % 1_000) / 100;
  };
}

/** Parameter Store in process: the read APIs the sweep uses, their page sizes, latency and a 40/s bucket. */
class ThrottledParameterStore {
  calls = 0;
  throttled = 0;
  private tokens = STORE_RPS;
  private updated = 0;
  private readonly byPrefix = new Map<string, string[]>();

  constructor(
    private readonly data: Map<string, Stored>,
    private readonly clock: VirtualClock,
  ) {
    // Index by every ancestor path once, so the harness's own look-ups stay cheap at 100,000 names.
    for (const name of [...data.keys()].sort()) {
      const segments = name.split('/');
      for (let i = 2; i < segments.length; i++) {
        const prefix = `${segments.slice(0, i).join('/')}/`;
        const names = this.byPrefix.get(prefix) ?? [];
        names.push(name);
        this.byPrefix.set(prefix, names);
      }
    }
  }

  /** Stands in for `SSMClient.send`. */
  async send(command: { constructor: { name: string }; input: Record<string, unknown> }): Promise<unknown> {
    this.calls++;
    this.refill();
    if (this.tokens < 1) {
      this.throttled++;
      await this.clock.latency();
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    }
    this.tokens -= 1;
    await this.clock.latency();
    const input = command.input;
    switch (command.constructor.name) {
      case 'GetParametersByPathCommand':
        return this.byPath(input);
      case 'DescribeParametersCommand':
        return this.describe(input);
      case 'GetParametersCommand':
        return {
          Parameters: (input.Names as string[]).flatMap((name) => {
            const p = this.data.get(name);
            return p ? [{ Name: name, Value: p.value, Type: p.type, Version: p.version }] : [];
          }),
        };
      default:
        throw new Error(`not implemented: ${command.constructor.name}`);
    }
  }

  private refill(): void {
    const elapsed = this.clock.ms - this.updated;
    this.tokens = Math.min(STORE_RPS, this.tokens + (elapsed * STORE_RPS) / 1000);
    this.updated = this.clock.ms;
  }

  /** Ten candidates a page; a Label filter can leave a page empty while a NextToken remains. */
  private byPath(input: Record<string, unknown>) {
    const start = Number(input.NextToken ?? 0);
    const size = Math.min(10, Number(input.MaxResults ?? 10));
    const candidates = this.under(`${input.Path as string}/`);
    const page = candidates.slice(start, start + size);
    const labelFilter = (input.ParameterFilters as { Key: string }[] | undefined)?.some(
      (f) => f.Key === 'Label',
    );
    const parameters = page.flatMap((name) => {
      const p = this.data.get(name)!;
      if (labelFilter) return p.labelled ? [{ Name: name, Version: p.labelled, Type: p.type }] : [];
      return [
        {
          Name: name,
          Type: p.type,
          Version: p.version,
          LastModifiedDate: p.lastModifiedDate,
          Value: p.type === 'SecureString' && !input.WithDecryption ? 'AQICAHh-ciphertext' : p.value,
        },
      ];
    });
    const next = start + size < candidates.length ? String(start + size) : undefined;
    return { Parameters: parameters, NextToken: next };
  }

  private under(prefix: string): string[] {
    return this.byPrefix.get(prefix) ?? [];
  }

  private describe(input: Record<string, unknown>) {
    const filters = input.ParameterFilters as { Key: string; Values: string[] }[];
    // The scan for break-glass overrides filters on their tag: none is recorded in the bench.
    if (filters.some((f) => f.Key.startsWith('tag:'))) return { Parameters: [] };
    const filter = filters[0];
    const start = Number(input.NextToken ?? 0);
    const candidates = this.under(`${filter?.Values[0] ?? ''}/`);
    const page = candidates.slice(start, start + 50);
    return {
      Parameters: page.map((name) => ({
        Name: name,
        Type: this.data.get(name)?.type,
        Version: 2,
        LastModifiedUser: 'bench',
      })),
      NextToken: start + 50 < candidates.length ? String(start + 50) : undefined,
    };
  }
}

/** A ticket tracker that deduplicates by key (as OpsCenter does) and takes 20–30 ms a call. */
class SlowTicketTracker extends InMemoryTicketTracker {
  calls = 0;
  constructor(private readonly clock: VirtualClock) {
    super();
  }
  override async file(request: TicketRequest) {
    this.calls++;
    await this.clock.latency();
    return super.file(request);
  }
  override async listOpen(prefix?: string) {
    this.calls++;
    await this.clock.latency();
    return super.listOpen(prefix);
  }
}

/** `largeOrganisation` with every tenth key a SecureString (a credential-shaped string). */
function organisationWithSecureStrings(services: number): Organisation {
  const organisation = largeOrganisation(services, KEYS_PER_SERVICE, ENVIRONMENTS);
  return {
    services: organisation.services.map((service) => {
      const keys = { ...service.keys };
      const values = structuredClone(service.values) as Record<string, Record<string, unknown>>;
      for (let k = 9; k < KEYS_PER_SERVICE; k += 10) {
        keys[`key-${k}`] = string({ secure: true });
        for (const env of ENVIRONMENTS) values[env]![`key-${k}`] = `secret-${service.name}-${k}-${env}`;
      }
      return { ...service, keys, values };
    }),
  };
}

interface World {
  registry: SchemaRegistry;
  clock: VirtualClock;
  store: ThrottledParameterStore;
  tracker: SlowTicketTracker;
  fingerprinter: LocalHmacFingerprinter;
  deps: DriftDependencies;
}

function world(totalParameters: number, clientRps: number): World {
  const services = totalParameters / ENVIRONMENTS.length / KEYS_PER_SERVICE;
  const registry = new SchemaRegistry(organisationWithSecureStrings(services), {
    parameterRoot: 'config',
    environments: ENVIRONMENTS,
  });
  const data = new Map<string, Stored>();
  let i = 0;
  for (const desired of registry.desiredParameters()) {
    i++;
    // 1 in 100 drifted, 1 in 200 never labelled last-known-good.
    data.set(desired.name, {
      value: i % 100 === 0 ? `${desired.value}-drifted` : desired.value,
      type: desired.parameterType,
      version: 2,
      lastModifiedDate: new Date(BASE - 86_400_000),
      labelled: i % 200 === 7 ? undefined : 2,
    });
  }
  const clock = new VirtualClock();
  const store = new ThrottledParameterStore(data, clock);
  const limiter = new RateLimiter({ requestsPerSecond: clientRps, now: () => clock.ms, sleep: clock.sleep });
  const source = new SsmParameterStoreWithOverrides(store as unknown as SSMClient, {
    limiter,
    sleep: clock.sleep,
    throttleAttempts: 10,
  });
  const tracker = new SlowTicketTracker(clock);
  // Stands in for KMS GenerateMac (20–30 ms a call): counts the values the run had to fingerprint.
  const fingerprinter = new LocalHmacFingerprinter();
  const fingerprint = fingerprinter.fingerprint.bind(fingerprinter);
  fingerprinter.fingerprint = async (value: string) => {
    await clock.latency();
    return fingerprint(value);
  };
  const deps: DriftDependencies = {
    registry,
    source,
    fingerprinter,
    tracker,
    clock: { now: () => new Date(BASE + clock.ms) },
    elapsed: () => clock.ms,
  };
  return { registry, clock, store, tracker, fingerprinter, deps };
}

interface Row {
  parameters: number;
  clientRps: number;
  floorRps: number;
  calls: number;
  fingerprints: number;
  ticketCalls: number;
  filed: number;
  throttled: number;
  invocations: number;
  virtualSeconds: number;
  floorSeconds: number;
  surfacedErrors: number;
  findings: number;
  realMs: number;
}

const ratio = (r: Row) => r.virtualSeconds / r.floorSeconds;

async function onePass(totalParameters: number, clientRps: number): Promise<Row> {
  const w = world(totalParameters, clientRps);
  const started = performance.now();
  // `steward drift`: every step in one process with no invocation limit, so one step does it all.
  const unlimited = () => ({
    remainingMs: () => Number.POSITIVE_INFINITY,
    marginMs: 0,
    requestsPerSecond: clientRps,
  });
  const { checkpoint: report, findings } = await driftUntilDone(w.deps, unlimited);
  return {
    parameters: report.parametersScanned,
    clientRps,
    floorRps: STORE_RPS,
    calls: w.store.calls,
    fingerprints: w.fingerprinter.calls,
    ticketCalls: w.tracker.calls,
    filed: report.filed,
    throttled: w.store.throttled,
    invocations: 1,
    virtualSeconds: w.clock.ms / 1000,
    floorSeconds: w.store.calls / STORE_RPS,
    surfacedErrors: report.findingsByKind['read-error'],
    findings: findings.length,
    realMs: performance.now() - started,
  };
}

async function checkpointed(totalParameters: number, clientRps: number): Promise<Row> {
  const w = world(totalParameters, clientRps);
  const started = performance.now();
  let invocations = 0;
  let longestInvocationMs = 0;
  let invocationStart = 0;
  const budget = () => {
    if (invocations > 0) w.clock.ms += BETWEEN_STEPS_MS;
    invocations++;
    invocationStart = w.clock.ms;
    const deadline = w.clock.ms + LAMBDA_LIMIT_MS;
    return {
      remainingMs: () => deadline - w.clock.ms,
      marginMs: STEP_MARGIN_MS,
      requestsPerSecond: clientRps,
    };
  };
  const done = await driftUntilDone(w.deps, budget, {}, () => {
    longestInvocationMs = Math.max(longestInvocationMs, w.clock.ms - invocationStart);
  });
  if (longestInvocationMs > LAMBDA_LIMIT_MS) {
    throw new Error(`an invocation ran ${longestInvocationMs} ms, past the Lambda limit`);
  }
  const state = done.checkpoint;
  return {
    parameters: state.parametersScanned,
    clientRps,
    floorRps: clientRps,
    calls: w.store.calls,
    fingerprints: w.fingerprinter.calls,
    ticketCalls: w.tracker.calls,
    filed: state.filed,
    throttled: w.store.throttled,
    invocations,
    virtualSeconds: w.clock.ms / 1000,
    floorSeconds: w.store.calls / clientRps,
    surfacedErrors: state.findingsByKind['read-error'],
    findings: Object.values(state.findingsByKind).reduce((a, b) => a + b, 0),
    realMs: performance.now() - started,
  };
}

function printTable(rows: readonly Row[]): void {
  console.log(
    '| parameters | client rps | SDK calls | calls/parameter | GenerateMac | ticket calls | tickets filed | throttled | invocations | run time (virtual) | floor | ratio | throttling errors surfaced | findings | real time |',
  );
  console.log(
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of rows) {
    console.log(
      `| ${r.parameters.toLocaleString('en')} | ${r.clientRps} | ${r.calls.toLocaleString('en')} | ${(r.calls / r.parameters).toFixed(3)} | ` +
        `${r.fingerprints} | ${r.ticketCalls} | ${r.filed} | ${r.throttled} | ${r.invocations} | ${r.virtualSeconds.toFixed(1)} s | ` +
        `${r.floorSeconds.toFixed(1)} s (÷ ${r.floorRps}/s) | ${ratio(r).toFixed(3)} | ${r.surfacedErrors} | ${r.findings} | ${r.realMs.toFixed(0)} ms |`,
    );
  }
}

export async function run(): Promise<void> {
  console.log(
    `In-process Parameter Store enforcing ${STORE_RPS} requests/s, 20–30 ms a request; a tenth of the parameters SecureStrings; ` +
      'tickets on (at most 200 new a run; tracker and GenerateMac 20–30 ms a call); two environments; virtual clock. ' +
      '1 in 100 values drifted, 1 in 200 never labelled last-known-good.',
  );
  console.log('');
  console.log(
    `One pass (driftUntilDone with no time limit, as \`steward drift\` runs it); floor = SDK calls ÷ ${STORE_RPS}/s:`,
  );
  console.log('');
  const single: Row[] = [];
  for (const total of [1_000, 10_000]) {
    // 40/s: the store's limit (the settings' maximum); 20/s: the default, leaving half for others;
    // 60/s: overdriven on purpose, to show throttling absorbed by retries.
    for (const rps of [40, 20, 60]) single.push(await onePass(total, rps));
  }
  printTable(single);
  console.log('');
  console.log(
    `The nightly run in steps (runDriftStep looped as the state machine loops it): each invocation has ${LAMBDA_LIMIT_MS / 60_000} min, ` +
      `keeps a ${STEP_MARGIN_MS / 1000} s margin, ${BETWEEN_STEPS_MS / 1000} s between invocations; floor = SDK calls ÷ the read budget:`,
  );
  console.log('');
  const steps: Row[] = [];
  for (const total of [10_000, 100_000]) steps.push(await checkpointed(total, DEFAULT_BUDGET_RPS));
  printTable(steps);
  const target = single.filter((r) => r.clientRps === STORE_RPS);
  const singleOk = target.every((r) => ratio(r) <= 1.2 && r.surfacedErrors === 0);
  const ceiling = steps.find((r) => r.parameters >= 100_000);
  const ceilingOk =
    ceiling !== undefined && ratio(ceiling) <= 1.1 && ceiling.surfacedErrors === 0 && ceiling.invocations > 1;
  console.log('');
  console.log(
    `Target (one pass, client at ${STORE_RPS}/s): ratio ≤ 1.2 and zero throttling errors surfaced: ${singleOk ? 'met' : 'NOT met'}.`,
  );
  console.log(
    `Target (100,000 parameters in steps at ${DEFAULT_BUDGET_RPS}/s): every invocation within ${LAMBDA_LIMIT_MS / 60_000} min, ratio ≤ 1.1, ` +
      `zero throttling errors surfaced: ${ceilingOk ? 'met' : 'NOT met'}.`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
