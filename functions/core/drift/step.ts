/**
 * A drift run in steps, for stores too large for one Lambda invocation (Parameter Store allows
 * 100,000 parameters; at 20 requests/s and about 0.25 requests a parameter, one pass needs about 21
 * minutes). Each step reads, detects and tickets whole units (`read-unit.ts`) until the invocation's
 * remaining time leaves only a margin, then returns a checkpoint; the orchestrator (a Step Functions
 * loop, or `driftUntilDone` in process) calls the next step with it. When the last unit is checked
 * the checkpoint says `done`, and {@link publishDriftRun} then publishes the run's one
 * `Config Drift Detected` event and its metrics, built from that final checkpoint alone.
 *
 * Publishing is a step of its own so that a retried work step cannot publish twice: a work step that
 * dies is retried and publishes nothing, and the publish step does nothing but publish. Only a
 * publish step that dies after EventBridge took the event and before it returned can send it again;
 * the retry then sends the same detail (every field comes from the final checkpoint), so subscribers
 * that keep one event per `runId` see the run once.
 *
 * The checkpoint carries counts and a few ticket references, never findings or values, so it stays
 * a few kilobytes whatever the store holds (Step Functions passes at most 256 KB between states).
 * A step that dies is retried from the checkpoint it was given: its units are read again, and a
 * ticket it filed before dying is found open (listed at the start of every step, and deduplicated
 * by key in every tracker), so nothing is filed twice.
 */
import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import type { TicketRef } from '../../ports/ticket-tracker.ts';
import { MalformedEventError } from '../errors.ts';
import type { StewardEvent } from '../events.ts';
import '../zod-messages.ts';
import { concealValues } from './conceal.ts';
import { detectDrift } from './detect.ts';
import { type DetectedFinding, type DriftFinding, FINDING_KINDS, type FindingKind } from './findings.ts';
import type { FlagDriftSources } from './flag-drift.ts';
import type { DriftSnapshot } from './read.ts';
import { type DriftUnit, driftUnits, expectedCalls, readUnit } from './read-unit.ts';
import {
  countByKind,
  DEFAULT_MAX_NEW_TICKETS,
  type DriftDependencies,
  type DriftOptions,
  dedupe,
  driftDetectedEvent,
  type OpenTickets,
  openTickets,
  reconcileTickets,
  recordMetrics,
} from './run.ts';

/** Ticket references a checkpoint carries for the final event; the rest travel as counts. */
export const CARRIED_TICKET_REFS = 100;

const ticketRef = z.object({
  tracker: z.enum(['opscenter', 'github', 'jira']),
  id: z.string(),
  url: z.optional(z.string()),
});
const count = z.number().check(z.int(), z.nonnegative());

/** Where a run stands between two steps. */
export const driftCheckpointSchema = z.object({
  runId: z.string().check(z.minLength(1)),
  /** ISO time the first step started, for the run's duration. */
  startedAt: z.iso.datetime(),
  environments: z.optional(z.array(z.string())),
  /** Units in the run when it started: a step refuses a checkpoint from a different `config/`. */
  units: count,
  nextUnit: count,
  steps: count,
  parametersScanned: count,
  findingsByKind: z.record(z.enum(FINDING_KINDS), count),
  filed: count,
  deferred: count,
  currentTickets: count,
  resolvedTickets: count,
  tickets: z.array(ticketRef),
  resolved: z.array(ticketRef),
  apiCalls: count,
  done: z.boolean(),
  /** ISO time the last unit was checked: the event's duration, the same however often it is published. */
  finishedAt: z.optional(z.iso.datetime()),
});

export type DriftCheckpoint = z.infer<typeof driftCheckpointSchema>;

/** How long the current invocation may still work. */
export interface StepBudget {
  /** Milliseconds left before the invocation is cut off (Lambda: `context.getRemainingTimeInMillis()`). */
  readonly remainingMs: () => number;
  /** Kept in reserve after the last unit: publishing, metrics, returning the checkpoint. */
  readonly marginMs: number;
  /** The read budget the source is limited to, to estimate how long the next unit takes. */
  readonly requestsPerSecond: number;
}

export interface StepResult {
  readonly checkpoint: DriftCheckpoint;
  /** Findings of the units this step checked (the in-process loop shows them; a Lambda step drops them). */
  readonly findings: readonly DriftFinding[];
  /** Tickets of this step's current findings, every one (the checkpoint carries only the first). */
  readonly tickets: readonly TicketRef[];
  /** Tickets this step resolved, every one. */
  readonly resolvedTickets: readonly TicketRef[];
}

/** A unit may take this much longer than its expected calls ÷ budget before it overruns the margin. */
const ESTIMATE_SLACK = 1.5;

/** A malformed or foreign checkpoint: the step changes nothing. */
export class DriftCheckpointError extends MalformedEventError {
  constructor(message: string) {
    super(message);
    this.name = 'DriftCheckpointError';
  }
}

/**
 * Run one step: start a run when `checkpoint` is undefined, else continue it.
 *
 * @example
 * let step = await runDriftStep(deps, undefined, { remainingMs: () => context.getRemainingTimeInMillis(), marginMs: 60_000, requestsPerSecond: 20 });
 * while (!step.checkpoint.done) step = await runDriftStep(deps, step.checkpoint, budget);
 */
export async function runDriftStep(
  deps: DriftDependencies,
  checkpoint: DriftCheckpoint | undefined,
  budget: StepBudget,
  options: DriftOptions = {},
): Promise<StepResult> {
  const units = stepUnits(deps);
  const state = checkpoint ? resumed(checkpoint, units.length) : started(deps, options, units.length);
  if (state.done) return { checkpoint: state, findings: [], tickets: [], resolvedTickets: [] };
  const environments = state.environments ?? deps.registry.environments;
  const book = deps.tracker ? await openTickets(deps.tracker) : undefined;
  const callsBefore = deps.apiCalls?.() ?? 0;
  const checked: UnitOutcome = { findings: [], tickets: [], resolvedTickets: [] };

  let checkedThisStep = 0;
  while (state.nextUnit < units.length) {
    const unit = units[state.nextUnit] as StepUnit;
    const calls =
      unit.kind === 'flags'
        ? FLAG_UNIT_CALLS_PER_ENVIRONMENT * environments.length
        : expectedCalls(deps.registry, unit, environments);
    const estimateMs = (calls / budget.requestsPerSecond) * 1000 * ESTIMATE_SLACK;
    // At least one unit a step, or a unit larger than a whole invocation would loop for ever.
    if (checkedThisStep > 0 && budget.remainingMs() - budget.marginMs < estimateMs) break;
    await checkUnit(deps, unit, state, book, options, checked);
    state.nextUnit++;
    checkedThisStep++;
  }
  state.steps++;
  state.apiCalls += (deps.apiCalls?.() ?? 0) - callsBefore;
  if (state.nextUnit >= units.length) {
    state.done = true;
    state.finishedAt = deps.clock.now().toISOString();
  }
  return { checkpoint: { ...state }, ...checked };
}

/**
 * Every step of a run in this process, one after another, then its publication: what `steward drift`
 * runs, and what the nightly state machine runs step by step. `budget` is asked afresh for each
 * step, as each Lambda invocation starts with its own time.
 */
export async function driftUntilDone(
  deps: DriftDependencies,
  budget: () => StepBudget,
  options: DriftOptions = {},
  onStep?: (result: StepResult) => void,
): Promise<StepResult> {
  let result = await runDriftStep(deps, undefined, budget(), options);
  onStep?.(result);
  const run: UnitOutcome = { findings: [], tickets: [], resolvedTickets: [] };
  const gather = (step: StepResult) => {
    run.findings.push(...step.findings);
    run.tickets.push(...step.tickets);
    run.resolvedTickets.push(...step.resolvedTickets);
  };
  gather(result);
  while (!result.checkpoint.done) {
    result = await runDriftStep(deps, result.checkpoint, budget(), options);
    onStep?.(result);
    gather(result);
  }
  await publishDriftRun(deps, result.checkpoint);
  return { checkpoint: result.checkpoint, ...run };
}

/**
 * Publish a finished run's one `Config Drift Detected` event and record its metrics. Everything
 * comes from the final checkpoint, so publishing it again sends the same detail (see the file's head).
 *
 * @example
 * if (step.checkpoint.done) await publishDriftRun(deps, step.checkpoint);
 */
export async function publishDriftRun(
  deps: Pick<DriftDependencies, 'registry' | 'publisher' | 'metrics' | 'apiCalls'>,
  checkpoint: DriftCheckpoint,
): Promise<StewardEvent<'Config Drift Detected'>> {
  if (!checkpoint.done) {
    throw new DriftCheckpointError(
      `run ${checkpoint.runId} is not done (${checkpoint.nextUnit} of ${checkpoint.units} units checked): nothing to publish`,
    );
  }
  const finishedAt = Date.parse(checkpoint.finishedAt ?? checkpoint.startedAt);
  const durationMs = Math.max(0, finishedAt - Date.parse(checkpoint.startedAt));
  const event = driftDetectedEvent({
    runId: checkpoint.runId,
    environments: checkpoint.environments ?? deps.registry.environments,
    parametersScanned: checkpoint.parametersScanned,
    findingsByKind: checkpoint.findingsByKind,
    current: checkpoint.tickets,
    currentTotal: checkpoint.currentTickets,
    resolved: checkpoint.resolved,
    resolvedTotal: checkpoint.resolvedTickets,
    durationMs,
  });
  await deps.publisher?.publish([event]);
  recordMetrics(deps.metrics, {
    findingsByKind: checkpoint.findingsByKind,
    parametersScanned: checkpoint.parametersScanned,
    apiCalls: deps.apiCalls ? checkpoint.apiCalls : undefined,
    durationMs,
    filed: checkpoint.filed,
    resolvedTickets: { length: checkpoint.resolvedTickets },
  });
  return event;
}

/** Parse what the orchestrator passed back; a checkpoint that does not parse is refused whole. */
export function parseCheckpoint(raw: unknown): DriftCheckpoint {
  const parsed = driftCheckpointSchema.safeParse(raw);
  if (!parsed.success) {
    throw new DriftCheckpointError(
      `not a drift checkpoint: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

function started(deps: DriftDependencies, options: DriftOptions, units: number): DriftCheckpoint {
  return {
    runId: options.runId ?? randomUUID(),
    startedAt: deps.clock.now().toISOString(),
    ...(options.environments ? { environments: [...options.environments] } : {}),
    units,
    nextUnit: 0,
    steps: 0,
    parametersScanned: 0,
    findingsByKind: countByKind([]),
    filed: 0,
    deferred: 0,
    currentTickets: 0,
    resolvedTickets: 0,
    tickets: [],
    resolved: [],
    apiCalls: 0,
    done: false,
  };
}

function resumed(checkpoint: DriftCheckpoint, units: number): DriftCheckpoint {
  if (checkpoint.units !== units || checkpoint.nextUnit > units) {
    throw new DriftCheckpointError(
      `checkpoint of run ${checkpoint.runId} counts ${checkpoint.units} units, this config/ has ${units}: start a new run`,
    );
  }
  return structuredClone(checkpoint);
}

/**
 * A unit of a stepped run: the Parameter Store units, then, when the run is given AppConfig, one unit
 * per service comparing the flags each environment serves with `config/` (`flag-drift.ts`).
 */
type StepUnit = DriftUnit | { readonly kind: 'flags'; readonly service: string };

/** ListDeployments (one page, usually), GetDeployment, GetHostedConfigurationVersion. */
const FLAG_UNIT_CALLS_PER_ENVIRONMENT = 3;

/** The Parameter Store units, then a flags unit for each service with an AppConfig application. */
function stepUnits(deps: DriftDependencies): StepUnit[] {
  const targets = deps.flags?.targets ?? {};
  const flags = deps.registry
    .serviceNames()
    .filter((service) => targets[service] !== undefined)
    .map((service) => ({ kind: 'flags' as const, service }));
  return [...driftUnits(deps.registry), ...flags];
}

interface UnitOutcome {
  findings: DriftFinding[];
  tickets: TicketRef[];
  resolvedTickets: TicketRef[];
}

/** Read, detect, conceal and ticket one unit, adding its counts to `state` and its results to `into`. */
async function checkUnit(
  deps: DriftDependencies,
  unit: StepUnit,
  state: DriftCheckpoint,
  book: OpenTickets | undefined,
  options: DriftOptions,
  into: UnitOutcome,
): Promise<void> {
  const { snapshot, detected } = await detectUnit(deps, unit, state, options);
  // Kill switches past their `until`, read with their service's unit; a lazy chunk (the flags
  // document format it needs is no part of a drift step's cold start).
  const switches =
    unit.kind === 'service' && deps.killSwitches
      ? await (
          await import('./kill-switch-overdue.ts')
        ).overdueKillSwitchFindings(
          deps.killSwitches,
          unit.service,
          state.environments ?? deps.registry.environments,
          deps.clock.now(),
        )
      : undefined;
  const findings = await concealValues(
    dedupe([...detected, ...(switches?.findings ?? [])]),
    deps.fingerprinter,
  );
  state.parametersScanned += snapshot.parameters.length;
  for (const [kind, n] of Object.entries(countByKind(findings)) as [FindingKind, number][]) {
    state.findingsByKind[kind] += n;
  }
  if (deps.tracker && book) {
    const read = switches
      ? { ...snapshot, checkedPaths: [...snapshot.checkedPaths, ...switches.checkedPaths] }
      : snapshot;
    const outcome = await reconcileTickets(deps.tracker, book, findings, read, {
      parameterArn: deps.parameterArn,
      maxNewTickets: Math.max(0, (options.maxNewTickets ?? DEFAULT_MAX_NEW_TICKETS) - state.filed),
      root: deps.registry.parameterRoot,
    });
    state.filed += outcome.filed;
    state.deferred += outcome.deferred;
    state.currentTickets += outcome.current.length;
    state.resolvedTickets += outcome.resolved.length;
    carry(state, outcome.current, outcome.resolved);
    into.tickets.push(...outcome.current);
    into.resolvedTickets.push(...outcome.resolved);
  }
  into.findings.push(...findings);
}

async function detectUnit(
  deps: DriftDependencies,
  unit: StepUnit,
  state: DriftCheckpoint,
  options: DriftOptions,
): Promise<{ snapshot: DriftSnapshot; detected: DetectedFinding[] }> {
  const environments = state.environments ?? deps.registry.environments;
  if (unit.kind === 'flags') {
    // Loaded when a run first compares flags: the flags-document code stays out of the drift
    // step's cold start. stepUnits makes flag units only when the run has AppConfig.
    const { checkServiceFlags } = await import('./flag-drift.ts');
    const flags = deps.flags as FlagDriftSources;
    const { snapshot, findings } = await checkServiceFlags(flags, deps.registry, unit.service, environments);
    return { snapshot, detected: findings };
  }
  // A service unit is detected against its own service only: `missing` looks at nothing else.
  const registry = unit.kind === 'service' ? deps.registry.narrowedTo([unit.service]) : deps.registry;
  const snapshot = await readUnit(registry, deps.source, unit, {
    environments: state.environments,
    secrets: unit.kind === 'strays' ? deps.secrets : undefined,
  });
  const detected = detectDrift(registry, snapshot, {
    now: deps.clock.now(),
    validationGraceMinutes: options.validationGraceMinutes,
  });
  return { snapshot, detected };
}

/** Keep the first ticket references for the event, resolved ones first, up to {@link CARRIED_TICKET_REFS}. */
function carry(state: DriftCheckpoint, current: readonly TicketRef[], resolved: readonly TicketRef[]): void {
  for (const ref of resolved) {
    if (state.tickets.length + state.resolved.length >= CARRIED_TICKET_REFS) break;
    state.resolved.push(ref);
  }
  for (const ref of current) {
    if (state.tickets.length + state.resolved.length >= CARRIED_TICKET_REFS) break;
    state.tickets.push(ref);
  }
}
