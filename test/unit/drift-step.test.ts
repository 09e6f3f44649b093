import { beforeEach, describe, expect, it } from 'vitest';
import type { DriftParameterSource } from '../../functions/ports/drift.ts';
import { driftSourceOf } from '../support/parameter-store-drift-source.ts';
import { driftUnits } from '../../functions/core/drift/read-unit.ts';
import { type DriftDependencies, runDrift } from '../../functions/core/drift/run.ts';
import {
  CARRIED_TICKET_REFS,
  DriftCheckpointError,
  type DriftCheckpoint,
  driftUntilDone,
  parseCheckpoint,
  publishDriftRun,
  runDriftStep,
  type StepBudget,
} from '../../functions/core/drift/step.ts';
import { integer, string } from '../../functions/core/keys.ts';
import { defineService } from '../../functions/core/model.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import type { TicketRequest } from '../../functions/ports/ticket-tracker.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { LocalHmacFingerprinter } from '../support/local-hmac-fingerprinter.ts';
import { InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';

const ENVIRONMENTS = ['staging', 'production'];
const SERVICES = 7;
const SECRET = 'Sup3r-Secret-Value-Of-Svc';
const NOW = Date.UTC(2026, 10, 23, 2);
/** What one Parameter Store request costs on the simulated clock. */
const CALL_MS = 50;

function world() {
  const services = Array.from({ length: SERVICES }, (_, s) =>
    defineService({
      name: `svc-${s}`,
      keys: { retries: integer({ min: 0, max: 10 }), region: string(), token: string({ secure: true }) },
      values: Object.fromEntries(ENVIRONMENTS.map((env) => [env, { retries: 3, region: 'eu' }])),
    }),
  );
  const registry = new SchemaRegistry(
    { services: [defineService({ name: 'shared', keys: {}, values: {} }), ...services] },
    { parameterRoot: 'config', environments: ENVIRONMENTS },
  );
  const store = new InMemoryParameterStore();
  const accepted = (name: string, value: string, type: 'String' | 'SecureString' = 'String') => {
    const version = store.seed(name, value, type);
    void store.label(name, version, ['last-known-good']);
  };
  for (const env of ENVIRONMENTS) {
    for (let s = 0; s < SERVICES; s++) {
      const path = `/config/${env}/svc-${s}`;
      // svc-1 drifted in staging, svc-3 lacks `region` in production, every service holds a secret.
      accepted(`${path}/retries`, s === 1 && env === 'staging' ? '7' : '3');
      if (!(s === 3 && env === 'production')) accepted(`${path}/region`, 'eu');
      accepted(`${path}/token`, `${SECRET}-${s}`, 'SecureString');
    }
  }
  // Strays: an environment and a service config/ does not know.
  accepted('/config/sandbox/svc-0/retries', '3');
  accepted('/config/staging/ghost/flag', 'on');
  return { registry, store };
}

/** Simulated time: every request to the store takes CALL_MS, and the budget reads the same clock. */
class SimulatedTime {
  ms = 0;
  timed(source: DriftParameterSource): DriftParameterSource {
    const tick = async <T>(work: Promise<T>) => {
      this.ms += CALL_MS;
      return work;
    };
    return {
      getByPath: (path, options) => tick(source.getByPath(path, options)),
      describe: (path) => tick(source.describe(path)),
      getMany: (names) => tick(source.getMany(names)),
      labelledVersions: (path, label) => tick(source.labelledVersions(path, label)),
      overridesUnder: (path) => tick(source.overridesUnder(path)),
    };
  }
  /** A fresh invocation of `limitMs`, as Lambda gives each step. */
  invocation(limitMs: number, marginMs: number): StepBudget & { deadline: number } {
    const deadline = this.ms + limitMs;
    return { deadline, remainingMs: () => deadline - this.ms, marginMs, requestsPerSecond: 1000 / CALL_MS };
  }
}

let time: SimulatedTime;
let tracker: InMemoryTicketTracker;
let publisher: RecordingEventPublisher;
let deps: DriftDependencies;

beforeEach(() => {
  const { registry, store } = world();
  time = new SimulatedTime();
  tracker = new InMemoryTicketTracker();
  publisher = new RecordingEventPublisher();
  deps = {
    registry,
    source: time.timed(driftSourceOf(store)),
    clock: { now: () => new Date(NOW + time.ms) },
    fingerprinter: new LocalHmacFingerprinter(),
    tracker,
    publisher,
  };
});

describe('Function: runDriftStep', () => {
  it('checkpoints a run that does not fit in one invocation and resumes it to the same result as one pass', async () => {
    // Prepare: what one uninterrupted pass finds and files, on a twin world
    const twin = world();
    const oneTracker = new InMemoryTicketTracker();
    const onePass = await runDrift({
      ...deps,
      source: driftSourceOf(twin.store),
      tracker: oneTracker,
      publisher: undefined,
    });
    const invocations: { startedMs: number; endedMs: number; deadline: number; checkpointBytes: number }[] =
      [];

    // Act: invocations of 2.5 s with a 0.5 s margin; the whole run needs about 6 s of requests
    let budget = time.invocation(2_500, 500);
    let startedMs = time.ms;
    const done = await driftUntilDone(
      deps,
      () => {
        startedMs = time.ms;
        budget = time.invocation(2_500, 500);
        return budget;
      },
      {},
      (step) =>
        invocations.push({
          startedMs,
          endedMs: time.ms,
          deadline: budget.deadline,
          checkpointBytes: JSON.stringify(step.checkpoint).length,
        }),
    );

    // Assess
    expect(invocations.length).toBeGreaterThan(2);
    for (const invocation of invocations) expect(invocation.endedMs).toBeLessThanOrEqual(invocation.deadline);
    expect(done.checkpoint).toMatchObject({ done: true, steps: invocations.length, nextUnit: SERVICES + 2 });
    expect(done.checkpoint.findingsByKind).toEqual(onePass.findingsByKind);
    expect(done.checkpoint.findingsByKind).toMatchObject({ 'value-drift': 1, missing: 1, unmanaged: 2 });
    expect(done.checkpoint.parametersScanned).toBe(onePass.parametersScanned);
    expect(tracker.tickets.map((t) => t.request.dedupKey).sort()).toEqual(
      oneTracker.tickets.map((t) => t.request.dedupKey).sort(),
    );
    expect(done.checkpoint.filed).toBe(onePass.filed);
    // One event for the run, from the last step, with every ticket.
    const events = publisher.ofType('Config Drift Detected');
    expect(events).toHaveLength(1);
    expect(events[0]?.detail).toMatchObject({
      runId: done.checkpoint.runId,
      parametersScanned: onePass.parametersScanned,
      tickets: expect.arrayContaining(tracker.tickets.map((t) => t.ref)),
    });
    expect(Math.max(...invocations.map((i) => i.checkpointBytes))).toBeLessThan(4_000);
    expect(JSON.stringify({ done, events: publisher.events })).not.toContain(SECRET);
  });

  it('does at least one unit per invocation, so a unit longer than the budget still makes progress', async () => {
    // Act: an invocation with no time left beyond its margin
    const step = await runDriftStep(deps, undefined, time.invocation(100, 100));

    // Assess
    expect(step.checkpoint).toMatchObject({ nextUnit: 1, steps: 1, done: false });
    expect(publisher.events).toHaveLength(0);
  });

  it('files no ticket twice when a step dies after filing and is retried from its checkpoint', async () => {
    // Prepare: the invocation dies right after the tracker filed its third ticket of the run (not in the first step)
    const filedOnce = tracker.file.bind(tracker);
    let filings = 0;
    const asked: string[] = [];
    tracker.file = async (request: TicketRequest) => {
      asked.push(request.dedupKey);
      const result = await filedOnce(request);
      if (++filings === 3) throw new Error('Lambda: Task timed out (simulated death after filing)');
      return result;
    };
    const budget = () => time.invocation(2_000, 500);

    // Act: Step Functions retries a failed step with the input it had (none for the first step)
    let checkpoint: DriftCheckpoint | undefined;
    const retried: (DriftCheckpoint | undefined)[] = [];
    while (!checkpoint?.done) {
      const input = checkpoint;
      try {
        checkpoint = (await runDriftStep(deps, input, budget())).checkpoint;
      } catch {
        retried.push(input);
      }
    }
    const eventsBeforePublish = publisher.events.length;
    await publishDriftRun(deps, checkpoint);

    // Assess
    expect(retried).toHaveLength(1);
    expect(retried[0]?.nextUnit).toBeGreaterThan(0);
    const keys = tracker.tickets.map((t) => t.request.dedupKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual([
      'missing:/config/production/svc-3/region',
      'unmanaged:/config/sandbox/svc-0/retries',
      'unmanaged:/config/staging/ghost/flag',
      'value-drift:/config/staging/svc-1/retries',
    ]);
    // The retried step found the ticket open and did not even ask the tracker again.
    expect(asked.sort()).toEqual(keys);
    expect(checkpoint.currentTickets).toBe(4);
    // The ticket filed just before the death is counted as already open, not as filed again.
    expect(checkpoint.filed).toBe(3);
    // The work steps, the retried one included, published nothing; the publish state once.
    expect(eventsBeforePublish).toBe(0);
    expect(publisher.ofType('Config Drift Detected')).toHaveLength(1);
  });

  it('publishes a finished run from its checkpoint alone: the same detail each time, nothing for an unfinished one', async () => {
    // Prepare
    const unfinished = await runDriftStep(deps, undefined, time.invocation(100, 100));
    const { checkpoint } = await driftUntilDone(deps, () => time.invocation(2_000, 500));
    time.ms += 60_000;

    // Act
    const again = await publishDriftRun(deps, parseCheckpoint(JSON.parse(JSON.stringify(checkpoint))));

    // Assess
    await expect(publishDriftRun(deps, unfinished.checkpoint)).rejects.toThrow(DriftCheckpointError);
    const events = publisher.ofType('Config Drift Detected');
    expect(events).toHaveLength(2);
    expect(events[1]?.detail).toEqual(events[0]?.detail);
    expect(again.detail).toEqual(events[0]?.detail);
    expect(events[0]?.detail).toMatchObject({
      runId: checkpoint.runId,
      durationMs: Date.parse(checkpoint.finishedAt ?? '') - Date.parse(checkpoint.startedAt),
    });
  });

  it('a second run files nothing new and resolves what the first found once it is fixed, unit by unit', async () => {
    // Prepare
    const budget = () => time.invocation(2_000, 500);
    await driftUntilDone(deps, budget);
    const { registry, store } = world();
    store.seed('/config/staging/svc-1/retries', '3');
    void store.label('/config/staging/svc-1/retries', 2, ['last-known-good']);
    await store.delete('/config/staging/ghost/flag');

    // Act
    const second = await driftUntilDone(
      { ...deps, registry, source: time.timed(driftSourceOf(store)) },
      budget,
    );

    // Assess
    expect(second.checkpoint.filed).toBe(0);
    expect(second.checkpoint.resolvedTickets).toBe(2);
    expect(
      tracker.tickets
        .filter((t) => !t.open)
        .map((t) => t.request.dedupKey)
        .sort(),
    ).toEqual(['unmanaged:/config/staging/ghost/flag', 'value-drift:/config/staging/svc-1/retries']);
  });

  it('keeps the checkpoint small on a bad night: counts and at most a hundred ticket references', async () => {
    // Prepare: every value of every service drifted
    const { registry, store } = world();
    for (const env of ENVIRONMENTS) {
      for (let s = 0; s < SERVICES; s++) store.seed(`/config/${env}/svc-${s}/region`, 'us');
    }
    for (let n = 0; n < 150; n++) store.seed(`/config/staging/ghost/key-${n}`, 'x');

    // Act
    const done = await driftUntilDone(
      { ...deps, registry, source: time.timed(driftSourceOf(store)) },
      () => time.invocation(60_000, 500),
      { maxNewTickets: 1_000 },
    );

    // Assess
    expect(done.checkpoint.currentTickets).toBeGreaterThan(CARRIED_TICKET_REFS);
    expect(done.checkpoint.tickets.length + done.checkpoint.resolved.length).toBe(CARRIED_TICKET_REFS);
    expect(JSON.stringify(done.checkpoint).length).toBeLessThan(8_000);
    expect(publisher.ofType('Config Drift Detected')[0]?.detail).toMatchObject({
      omittedTickets: done.checkpoint.currentTickets - CARRIED_TICKET_REFS,
    });
  });

  it('refuses a malformed checkpoint or one from another config/, and changes nothing', async () => {
    // Prepare
    const { checkpoint } = await runDriftStep(deps, undefined, time.invocation(100, 100));
    const ticketsBefore = tracker.tickets.length;

    // Act / Assess
    expect(() => parseCheckpoint({ ...checkpoint, nextUnit: -1 })).toThrow(DriftCheckpointError);
    expect(() => parseCheckpoint({ runId: 'x' })).toThrow(/not a drift checkpoint/);
    expect(parseCheckpoint(JSON.parse(JSON.stringify(checkpoint)))).toEqual(checkpoint);
    await expect(
      runDriftStep(
        deps,
        { ...checkpoint, units: driftUnits(deps.registry).length + 1 },
        time.invocation(1e6, 0),
      ),
    ).rejects.toThrow(/start a new run/);
    expect(tracker.tickets).toHaveLength(ticketsBefore);
  });

  it('fails the first step when the root cannot be listed at all', async () => {
    // Prepare
    const failing: DriftParameterSource = {
      ...deps.source,
      describe: async () => {
        throw Object.assign(new Error('denied'), { name: 'AccessDeniedException' });
      },
    };

    // Act / Assess
    await expect(
      runDriftStep({ ...deps, source: failing }, undefined, time.invocation(1e6, 0)),
    ).rejects.toThrow(/could not be listed: AccessDeniedException: denied/);
    expect(tracker.tickets).toHaveLength(0);
  });
});
