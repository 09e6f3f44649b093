/**
 * One drift run: read what is deployed, detect findings, reconcile tickets (file what is new, leave
 * what is open, resolve what disappeared, and close the tickets of rejected changes whose parameter
 * has since moved on to a valid version), publish one `Config Drift Detected` event, report metrics.
 * The nightly Lambda and `steward drift` run it in steps (`step.ts`), which use the ticket, event and
 * metric functions below; {@link runDrift}, the same run read in one go, is the reference the steps
 * are tested against.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { MetricsSink } from '../../ports/metrics.ts';
import type { TicketRef, TicketTracker } from '../../ports/ticket-tracker.ts';
import type { ValueFingerprinter } from '../../ports/value-fingerprinter.ts';
import { stewardEvent } from '../events.ts';
import type { SchemaRegistry } from '../registry.ts';
import { parseValidationDedupKey } from '../validation/ticket-keys.ts';
import { concealValues } from './conceal.ts';
import { detectDrift } from './detect.ts';
import {
  type DriftFinding,
  dedupKeyOf,
  FINDING_KINDS,
  type FindingKind,
  parseDedupKey,
  ticketFor,
} from './findings.ts';
import type { KillSwitchDriftSource } from './kill-switch-overdue.ts';
import type { DriftParameterSource, SecretInventory } from '../../ports/drift.ts';
import type { FlagDriftSources } from './flag-drift.ts';
import { type DriftSnapshot, readDeployedState } from './read.ts';

/** Ticket references one event carries at most (about 200 bytes each, well under 256 KB). */
export const MAX_EVENT_TICKETS = 500;

export interface DriftDependencies {
  readonly registry: SchemaRegistry;
  readonly source: DriftParameterSource;
  readonly clock: Clock;
  /** Keyed fingerprints for the values findings may not show (secrets, credential-like, sensitive). */
  readonly fingerprinter: ValueFingerprinter;
  readonly secrets?: SecretInventory;
  /** Without a tracker no ticket is filed or resolved (a dry run). */
  readonly tracker?: TicketTracker;
  /** Without a publisher no event is published. */
  readonly publisher?: EventPublisher;
  readonly metrics?: MetricsSink;
  /** Requests sent to AWS so far, for the ApiCalls metric (the adapter counts them). */
  readonly apiCalls?: () => number;
  /** The ARN of a parameter, for the ticket's resource link. */
  readonly parameterArn?: (name: string) => string | undefined;
  /** Kill switches to check for a passed `until` (the nightly run's; steps only). @default none */
  readonly killSwitches?: KillSwitchDriftSource;
  /** Milliseconds since an arbitrary origin, for the duration. @default clock */
  readonly elapsed?: () => number;
  /**
   * Where the flags each environment serves are read, for a stepped run to compare them with
   * `config/` (`flag-drift.ts`). @default flags are not compared
   */
  readonly flags?: FlagDriftSources;
}

export interface DriftOptions {
  /** Check only these environments; tickets of the others are left alone. @default all */
  readonly environments?: readonly string[];
  readonly validationGraceMinutes?: number;
  /** At most this many new tickets a run, so a broken night cannot flood the tracker. @default 200 */
  readonly maxNewTickets?: number;
  readonly runId?: string;
}

export interface DriftReport {
  readonly runId: string;
  readonly environments: readonly string[];
  readonly parametersScanned: number;
  readonly findings: readonly DriftFinding[];
  readonly findingsByKind: Readonly<Record<FindingKind, number>>;
  /** Tickets of current findings: newly filed or already open. */
  readonly tickets: readonly TicketRef[];
  readonly filed: number;
  readonly resolvedTickets: readonly TicketRef[];
  /** Findings not ticketed this run because of `maxNewTickets`. */
  readonly deferred: number;
  readonly durationMs: number;
  readonly apiCalls?: number;
}

/**
 * @example
 * const report = await runDrift({ registry, source, clock: systemClock, tracker, publisher, metrics });
 */
export async function runDrift(deps: DriftDependencies, options: DriftOptions = {}): Promise<DriftReport> {
  const elapsed = deps.elapsed ?? (() => deps.clock.now().getTime());
  const started = elapsed();
  const runId = options.runId ?? randomUUID();
  const snapshot = await readDeployedState(deps.registry, deps.source, {
    environments: options.environments,
    secrets: deps.secrets,
  });
  const findings = await concealValues(
    dedupe(
      detectDrift(deps.registry, snapshot, {
        now: deps.clock.now(),
        validationGraceMinutes: options.validationGraceMinutes,
      }),
    ),
    deps.fingerprinter,
  );
  const tickets = deps.tracker
    ? await reconcileTickets(deps.tracker, await openTickets(deps.tracker), findings, snapshot, {
        parameterArn: deps.parameterArn,
        maxNewTickets: options.maxNewTickets ?? DEFAULT_MAX_NEW_TICKETS,
        root: deps.registry.parameterRoot,
      })
    : { current: [], filed: 0, resolved: [], deferred: 0 };

  const findingsByKind = countByKind(findings);
  const durationMs = Math.max(0, elapsed() - started);
  const report: DriftReport = {
    runId,
    environments: snapshot.environments,
    parametersScanned: snapshot.parameters.length,
    findings,
    findingsByKind,
    tickets: tickets.current,
    filed: tickets.filed,
    resolvedTickets: tickets.resolved,
    deferred: tickets.deferred,
    durationMs,
    apiCalls: deps.apiCalls?.(),
  };

  await deps.publisher?.publish([
    driftDetectedEvent({
      runId,
      environments: snapshot.environments,
      parametersScanned: report.parametersScanned,
      findingsByKind,
      current: tickets.current,
      currentTotal: tickets.current.length,
      resolved: tickets.resolved,
      resolvedTotal: tickets.resolved.length,
      durationMs,
    }),
  ]);
  recordMetrics(deps.metrics, report);
  return report;
}

/** New tickets a run files at most unless the options say otherwise. */
export const DEFAULT_MAX_NEW_TICKETS = 200;

/** Findings per kind, every kind present. */
export function countByKind(findings: readonly Pick<DriftFinding, 'kind'>[]): Record<FindingKind, number> {
  const counts = Object.fromEntries(FINDING_KINDS.map((kind) => [kind, 0])) as Record<FindingKind, number>;
  for (const finding of findings) counts[finding.kind] += 1;
  return counts;
}

/**
 * The run's one `Config Drift Detected` event. A bad night can have thousands of open tickets: the
 * event carries the first ones and a count of the others (`*Total` counts every ticket, the lists may
 * hold only the first ones).
 */
export function driftDetectedEvent(run: {
  runId: string;
  environments: readonly string[];
  parametersScanned: number;
  findingsByKind: Record<FindingKind, number>;
  current: readonly TicketRef[];
  currentTotal: number;
  resolved: readonly TicketRef[];
  resolvedTotal: number;
  durationMs: number;
}) {
  const resolvedRefs = run.resolved.slice(0, MAX_EVENT_TICKETS).map(toEventRef);
  const currentRefs = run.current.slice(0, MAX_EVENT_TICKETS - resolvedRefs.length).map(toEventRef);
  const omitted = run.currentTotal + run.resolvedTotal - currentRefs.length - resolvedRefs.length;
  return stewardEvent('Config Drift Detected', {
    runId: run.runId,
    environments: [...run.environments],
    parametersScanned: run.parametersScanned,
    findingsByKind: run.findingsByKind,
    tickets: currentRefs,
    resolvedTickets: resolvedRefs,
    ...(omitted > 0 ? { omittedTickets: omitted } : {}),
    durationMs: run.durationMs,
  });
}

export interface TicketOutcome {
  current: TicketRef[];
  filed: number;
  resolved: TicketRef[];
  deferred: number;
}

/**
 * The open tickets a run reconciles against: drift findings by dedup key, and validate-change's
 * rejections. {@link reconcileTickets} keeps it up to date, so one listing serves many snapshots.
 */
export interface OpenTickets {
  readonly drift: Map<string, TicketRef>;
  readonly rejections: { ref: TicketRef; parameter: string; version?: number }[];
}

export async function openTickets(tracker: TicketTracker): Promise<OpenTickets> {
  const book: OpenTickets = { drift: new Map(), rejections: [] };
  for (const ticket of await tracker.listOpen()) {
    if (parseDedupKey(ticket.dedupKey)) book.drift.set(ticket.dedupKey, ticket.ref);
    const rejected = parseValidationDedupKey(ticket.dedupKey);
    if (rejected) book.rejections.push({ ref: ticket.ref, ...rejected });
  }
  return book;
}

/**
 * File what is new (skipping keys already open), resolve what this snapshot no longer sees where it
 * looked, and close superseded rejections; `book` is updated with what was filed and resolved.
 */
export async function reconcileTickets(
  tracker: TicketTracker,
  book: OpenTickets,
  findings: readonly DriftFinding[],
  snapshot: DriftSnapshot,
  options: { parameterArn?: (name: string) => string | undefined; maxNewTickets: number; root: string },
): Promise<TicketOutcome> {
  const open = book.drift;
  const rejections = book.rejections;
  const outcome: TicketOutcome = { current: [], filed: 0, resolved: [], deferred: 0 };
  const seen = new Set<string>();
  for (const finding of findings) {
    const key = dedupKeyOf(finding);
    seen.add(key);
    const existing = open.get(key);
    if (existing) {
      outcome.current.push(existing);
      continue;
    }
    if (outcome.filed >= options.maxNewTickets) {
      outcome.deferred++;
      continue;
    }
    const { ref, created } = await tracker.file(ticketFor(finding, options.parameterArn));
    open.set(key, ref);
    outcome.current.push(ref);
    if (created) outcome.filed++;
  }
  for (const [key, ref] of [...open]) {
    if (seen.has(key)) continue;
    const parsed = parseDedupKey(key);
    if (!parsed || !resolvable(parsed.kind, parsed.parameter, snapshot, options.root)) continue;
    await tracker.resolve(
      ref,
      `Resolved by Config Steward: the nightly drift run no longer finds ${parsed.kind} on ${parsed.parameter}.`,
    );
    open.delete(key);
    outcome.resolved.push(ref);
  }
  for (const rejection of [...rejections]) {
    const live = supersedingVersion(rejection, findings, snapshot, options.root);
    if (live === undefined) continue;
    await tracker.resolve(
      rejection.ref,
      `Resolved by Config Steward: version ${live} of ${rejection.parameter} is live and valid (nightly drift run).`,
    );
    rejections.splice(rejections.indexOf(rejection), 1);
    outcome.resolved.push(rejection.ref);
  }
  return outcome;
}

/**
 * The version that supersedes a rejected change (validate-change's ticket), if the parameter was
 * read this run, now holds a later version (or exists again, after a rejected deletion) that
 * validate-change accepted (it carries `last-known-good`), and this run finds nothing wrong with it.
 * Otherwise undefined: the ticket stays open.
 */
function supersedingVersion(
  rejection: { parameter: string; version?: number },
  findings: readonly DriftFinding[],
  snapshot: DriftSnapshot,
  root: string,
): number | undefined {
  if (!resolvable('invalid', rejection.parameter, snapshot, root)) return undefined;
  const current = snapshot.parameters.find((p) => p.name === rejection.parameter);
  if (!current || (rejection.version !== undefined && current.version <= rejection.version)) return undefined;
  if (current.labelledVersion !== current.version) return undefined;
  const stillWrong = findings.some(
    (f) => f.parameter === rejection.parameter && SUPERSEDING_BLOCKERS.has(f.kind),
  );
  return stillWrong ? undefined : current.version;
}

/** Findings that mean the parameter is still not what validation wants (drift from git is not one). */
const SUPERSEDING_BLOCKERS = new Set<FindingKind>(['invalid', 'missing', 'unmanaged', 'plaintext-secret']);

/**
 * A ticket may be resolved only if this run looked where its finding was: under a path that was read
 * and under none that failed. A divergence spans environments, so every one of them must have been read.
 */
function resolvable(kind: FindingKind, subject: string, snapshot: DriftSnapshot, root: string): boolean {
  const read = (name: string) =>
    snapshot.checkedPaths.some((path) => name.startsWith(path)) &&
    !(snapshot.excludedPaths ?? []).some((path) => name.startsWith(path)) &&
    !snapshot.failures.some((failure) => failure.path !== subject && name.startsWith(failure.path));
  if (kind !== 'env-divergence') return read(subject);
  const prefix = `/${root}/`;
  if (!subject.startsWith(prefix)) return false;
  const rest = subject.slice(prefix.length).split('/').slice(1).join('/');
  return (
    snapshot.environments.length > 1 && snapshot.environments.every((env) => read(`${prefix}${env}/${rest}`))
  );
}

/** One finding per dedup key: the first wins (the detector orders the most specific first). */
export function dedupe<F extends Pick<DriftFinding, 'kind' | 'parameter'>>(findings: readonly F[]): F[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = dedupKeyOf(finding);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function toEventRef(ref: TicketRef): TicketRef {
  return ref.url === undefined
    ? { tracker: ref.tracker, id: ref.id }
    : { tracker: ref.tracker, id: ref.id, url: ref.url };
}

export function recordMetrics(
  sink: MetricsSink | undefined,
  report: Pick<DriftReport, 'findingsByKind' | 'parametersScanned' | 'apiCalls' | 'durationMs' | 'filed'> & {
    resolvedTickets: { length: number };
  },
): void {
  if (!sink) return;
  for (const [kind, count] of Object.entries(report.findingsByKind)) {
    sink.record({ name: 'Findings', value: count, unit: 'Count', dimensions: { Kind: kind } });
  }
  sink.record({ name: 'ParametersScanned', value: report.parametersScanned, unit: 'Count' });
  if (report.apiCalls !== undefined) sink.record({ name: 'ApiCalls', value: report.apiCalls, unit: 'Count' });
  sink.record({ name: 'DurationMs', value: report.durationMs, unit: 'Milliseconds' });
  sink.record({ name: 'TicketsFiled', value: report.filed, unit: 'Count' });
  sink.record({ name: 'TicketsResolved', value: report.resolvedTickets.length, unit: 'Count' });
}
