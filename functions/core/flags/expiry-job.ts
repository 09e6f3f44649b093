/**
 * The nightly flag-expiry job: read every service's hosted flag definitions, judge them against the
 * policy and, with a usage reader, against the consumers' evaluation counts of the last N days
 * (`usage.ts`: `never-evaluated` and `always-same` are findings too), keep ONE ticket per flag open
 * while it needs attention (dedup key `flag-expired:<application>:<flag>`, the application being
 * named after the service), close the tickets of flags that were cleaned up, publish a
 * `Feature Flag Expired` event per flag with a finding, and report flag counts and ages as metrics.
 */

import type { Clock } from '../../ports/clock.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { MetricsSink } from '../../ports/metrics.ts';
import type { FlagProfileRef, FlagSource, HostedFlagSet } from '../../ports/flag-source.ts';
import type { FlagUsageReader } from '../../ports/flag-usage.ts';
import type { TicketRef, TicketSeverity, TicketTracker } from '../../ports/ticket-tracker.ts';
import { StewardError } from '../errors.ts';
import { type StewardEvent, stewardEvent } from '../events.ts';
import type { DecodedFlag } from './appconfig-format.ts';
import { type CodeReferenceDigest, codeReferenceLines } from './code-reference-digest.ts';
import {
  assessFlag,
  type FlagAssessment,
  type FlagFindingReason,
  percentile,
  REASON_ORDER,
  utcDay,
} from './policy.ts';
import {
  DEFAULT_USAGE_WINDOW_DAYS,
  type FlagUsage,
  readFlagUsage,
  usageFinding,
  usageSummary,
  usageWindow,
} from './usage.ts';

export interface FlagExpiryDependencies {
  readonly source: FlagSource;
  readonly tracker: TicketTracker;
  readonly publisher: EventPublisher;
  readonly clock: Clock;
  readonly metrics: MetricsSink;
  /** The consumers' evaluation counts. @default none: flags are judged by their metadata alone */
  readonly usage?: FlagUsageReader;
}

export interface FlagExpiryOptions {
  /** The flag profile of every service, from `STEWARD_APPCONFIG`. */
  readonly targets: readonly FlagProfileRef[];
  /** Flags expiring within this many days are reported as `expiring-soon`. */
  readonly warnWithinDays: number;
  /** The code references synth found (`STEWARD_FLAG_CODE_REFERENCES`); tickets list them. @default none */
  readonly codeReferences?: CodeReferenceDigest;
  /** Days of evaluation counts a usage class rests on (`flags.usage.windowDays`). @default 30 */
  readonly usageWindowDays?: number;
}

export interface FlagReportEntry {
  readonly service: string;
  readonly applicationId: string;
  readonly flag: string;
  readonly owner?: string;
  readonly type?: string;
  readonly expires?: string;
  readonly assessment: FlagAssessment;
  /** What the evaluation counts say; absent without a usage reader, or when they could not be read. */
  readonly usage?: FlagUsage;
  readonly ticket?: { readonly ref: TicketRef; readonly created: boolean };
}

export interface FlagExpiryReport {
  /** The UTC day the flags were judged against. */
  readonly today: string;
  readonly services: readonly { service: string; version?: number; flags: number }[];
  /** Flags with at least one finding. */
  readonly findings: readonly FlagReportEntry[];
  readonly ticketsCreated: number;
  readonly resolvedTickets: readonly TicketRef[];
}

/** Some services could not be read; the others were processed. Thrown so the scheduler retries. */
export class FlagExpiryJobError extends StewardError {
  constructor(
    readonly failures: readonly { service: string; error: Error }[],
    options?: { cause?: unknown },
  ) {
    super(
      `flag-expiry: ${failures.length} service(s) failed: ${failures.map((f) => `${f.service} (${f.error.name}: ${f.error.message})`).join('; ')}`,
      options,
    );
    this.name = 'FlagExpiryJobError';
  }
}

const SEVERITY: Readonly<Record<FlagFindingReason, TicketSeverity>> = {
  expired: 'medium',
  'over-lifetime': 'medium',
  'no-owner': 'medium',
  'invalid-metadata': 'medium',
  'never-evaluated': 'medium',
  'always-same': 'low',
  'expiring-soon': 'low',
};

/** The dedup key of a flag's cleanup ticket. */
export function flagTicketKey(application: string, flag: string): string {
  return `flag-expired:${application}:${flag}`;
}

/**
 * Run the job once.
 *
 * @example
 * const report = await runFlagExpiryJob(
 *   { source, tracker, publisher, clock: systemClock, metrics },
 *   { targets: [{ service: 'orders', applicationId: 'a1b2c3d', flagsProfileId: 'e4f5g6h' }], warnWithinDays: 14 },
 * );
 */
export async function runFlagExpiryJob(
  deps: FlagExpiryDependencies,
  options: FlagExpiryOptions,
): Promise<FlagExpiryReport> {
  const today = utcDay(deps.clock.now());
  const services: { service: string; version?: number; flags: number }[] = [];
  const findings: FlagReportEntry[] = [];
  const resolvedTickets: TicketRef[] = [];
  const failures: { service: string; error: Error }[] = [];
  const allAges: number[] = [];
  let ticketsCreated = 0;

  const hostedSets: { ref: FlagProfileRef; hosted: HostedFlagSet | undefined }[] = [];
  for (const ref of options.targets) {
    try {
      hostedSets.push({ ref, hosted: await deps.source.latest(ref) });
    } catch (error) {
      failures.push({ service: ref.service, error: error as Error });
    }
  }
  const usage = await readUsage(deps, options, hostedSets, today, failures);

  for (const { ref, hosted } of hostedSets) {
    try {
      const flags = hosted?.flags ?? [];
      services.push({
        service: ref.service,
        ...(hosted ? { version: hosted.version } : {}),
        flags: flags.length,
      });
      const usageOfService = usage.read ? (usage.byService.get(ref.service) ?? new Map()) : undefined;
      const assessed = flags.map((flag) => {
        const flagUsage = usageOfService?.get(flag.key);
        return {
          flag,
          assessment: withUsageFinding(
            assessFlag(flag, { today, warnWithinDays: options.warnWithinDays }),
            flag,
            flagUsage,
          ),
          ...(flagUsage ? { usage: flagUsage } : {}),
        };
      });
      const events: StewardEvent[] = [];
      for (const { flag, assessment, usage: flagUsage } of assessed) {
        if (assessment.findings.length === 0) continue;
        const ticket = await deps.tracker.file(
          ticketFor(ref, flag, assessment, today, options.codeReferences, flagUsage),
        );
        if (ticket.created) ticketsCreated++;
        findings.push({ ...entryOf(ref, flag, assessment, flagUsage), ticket });
        events.push(eventFor(ref, flag, assessment, ticket.ref, flagUsage));
      }
      if (events.length > 0) await deps.publisher.publish(events);
      resolvedTickets.push(
        ...(await resolveCleanedUp(deps.tracker, ref, assessed, today, { usageKnown: !usage.failed })),
      );

      const ages = assessed.flatMap(({ assessment }) =>
        assessment.ageDays === undefined ? [] : [assessment.ageDays],
      );
      allAges.push(...ages);
      recordServiceMetrics(deps.metrics, ref.service, flags.length, assessed, ages);
    } catch (error) {
      failures.push({ service: ref.service, error: error as Error });
    }
  }
  recordAges(deps.metrics, allAges);
  if (failures.length > 0) throw new FlagExpiryJobError(failures, { cause: failures[0]?.error });
  return { today, services, findings, ticketsCreated, resolvedTickets };
}

/**
 * Every service's usage in one batched read. A failed read is one more failure of the run (so the
 * scheduler retries), and the flags are judged by their metadata meanwhile.
 */
async function readUsage(
  deps: FlagExpiryDependencies,
  options: FlagExpiryOptions,
  hostedSets: readonly { ref: FlagProfileRef; hosted: HostedFlagSet | undefined }[],
  today: string,
  failures: { service: string; error: Error }[],
): Promise<{ read: boolean; failed: boolean; byService: Map<string, Map<string, FlagUsage>> }> {
  if (deps.usage === undefined) return { read: false, failed: false, byService: new Map() };
  try {
    const byService = await readFlagUsage(
      deps.usage,
      hostedSets.map(({ ref, hosted }) => ({ service: ref.service, flags: hosted?.flags ?? [] })),
      usageWindow(today, options.usageWindowDays ?? DEFAULT_USAGE_WINDOW_DAYS),
    );
    return { read: true, failed: false, byService };
  } catch (error) {
    failures.push({ service: 'flag usage metrics', error: error as Error });
    return { read: false, failed: true, byService: new Map() };
  }
}

/** The assessment with the usage finding added in its place of {@link REASON_ORDER}. */
function withUsageFinding(
  assessment: FlagAssessment,
  flag: DecodedFlag,
  usage: FlagUsage | undefined,
): FlagAssessment {
  const finding = usage === undefined ? undefined : usageFinding(flag, usage);
  if (finding === undefined) return assessment;
  const findings = [...assessment.findings, finding].sort(
    (a, b) => REASON_ORDER.indexOf(a.reason) - REASON_ORDER.indexOf(b.reason),
  );
  return { ...assessment, findings };
}

function entryOf(
  ref: FlagProfileRef,
  flag: DecodedFlag,
  assessment: FlagAssessment,
  usage: FlagUsage | undefined,
): FlagReportEntry {
  return {
    service: ref.service,
    applicationId: ref.applicationId,
    flag: flag.key,
    ...(flag.owner ? { owner: flag.owner } : {}),
    ...(flag.type ? { type: flag.type } : {}),
    ...(flag.expires ? { expires: flag.expires } : {}),
    assessment,
    ...(usage ? { usage } : {}),
  };
}

function ticketFor(
  ref: FlagProfileRef,
  flag: DecodedFlag,
  assessment: FlagAssessment,
  today: string,
  codeReferences: CodeReferenceDigest | undefined,
  usage: FlagUsage | undefined,
) {
  const references = codeReferenceLines(codeReferences, flag.key);
  const [lead] = assessment.findings;
  const reason = lead?.reason ?? 'expired';
  const lines = [
    `Feature flag \`${flag.key}\` of **${ref.service}** needs attention (checked ${today}, UTC):`,
    '',
    ...assessment.findings.map((f) => `- **${f.reason}**: ${f.message}`),
    '',
    `| owner | type | created | expires |`,
    `| --- | --- | --- | --- |`,
    `| ${flag.owner || '(none)'} | ${flag.type ?? '(none)'} | ${flag.created ?? '(none)'} | ${flag.expires ?? '(none)'} |`,
    '',
    ...(usage ? [usageSummary(usage), ''] : []),
    ...(references.length > 0 ? [...references, ''] : []),
    advice(reason, usage),
  ];
  return {
    dedupKey: flagTicketKey(ref.service, flag.key),
    title: `Feature flag ${ref.service}/${flag.key}: ${reason}`,
    body: lines.join('\n'),
    severity: SEVERITY[reason],
    category: 'flags',
    data: {
      service: ref.service,
      flag: flag.key,
      reason,
      owner: flag.owner || '(none)',
      type: flag.type ?? '(none)',
      ...(flag.expires ? { expires: flag.expires } : {}),
      ...(usage ? { usage: usage.classification } : {}),
    },
  };
}

function advice(reason: FlagFindingReason, usage: FlagUsage | undefined): string {
  const closing = 'This ticket is closed automatically once the flag is gone or healthy.';
  if (reason === 'expiring-soon') {
    return 'Plan the removal: delete the flag from `config/` and its checks from the code before it expires.';
  }
  if (reason === 'always-same') {
    return (
      `Remove the flag from \`config/\` and its checks from the code, keeping what \`${usage?.variantsSeen[0]}\` ` +
      `serves. ${closing}`
    );
  }
  if (reason === 'never-evaluated') {
    return `No consumer evaluated this flag: remove it from \`config/\` (and any code left behind). ${closing}`;
  }
  return `Remove the flag from \`config/\` and its checks from the code, or extend \`expires\` with a reason. ${closing}`;
}

function eventFor(
  ref: FlagProfileRef,
  flag: DecodedFlag,
  assessment: FlagAssessment,
  ticket: TicketRef,
  usage: FlagUsage | undefined,
) {
  return stewardEvent('Feature Flag Expired', {
    service: ref.service,
    application: ref.applicationId,
    flag: flag.key,
    ...(flag.owner ? { owner: flag.owner } : {}),
    type: flag.type ?? 'unknown',
    ...(flag.expires ? { expires: flag.expires } : {}),
    reason: assessment.findings[0]?.reason ?? 'expired',
    ...(usage ? { usage: { ...usage, variantsSeen: [...usage.variantsSeen] } } : {}),
    ticket: { ...ticket },
  });
}

/**
 * Close the open tickets of this service's flags that are gone or healthy now. When the usage
 * metrics could not be read, a flag still present is not judged healthy: its ticket may rest on them.
 */
async function resolveCleanedUp(
  tracker: TicketTracker,
  ref: FlagProfileRef,
  assessed: readonly { flag: DecodedFlag; assessment: FlagAssessment; usage?: FlagUsage }[],
  today: string,
  { usageKnown }: { usageKnown: boolean },
): Promise<TicketRef[]> {
  const prefix = flagTicketKey(ref.service, '');
  const needing = new Set(assessed.filter((a) => a.assessment.findings.length > 0).map((a) => a.flag.key));
  const present = new Set(assessed.map((a) => a.flag.key));
  const unjudged = new Map(
    assessed.flatMap((a) =>
      a.usage?.classification === 'no-data' ? [[a.flag.key, a.usage.windowDays]] : [],
    ),
  );
  const resolved: TicketRef[] = [];
  for (const open of await tracker.listOpen(prefix)) {
    const flag = open.dedupKey.slice(prefix.length);
    if (needing.has(flag) || (!usageKnown && present.has(flag))) continue;
    const why = !present.has(flag)
      ? 'the flag was removed'
      : unjudged.has(flag)
        ? // Silence is not health: say the ticket closes on the metadata alone.
          'the flag meets the policy by its metadata; its usage cannot be judged now ' +
          `(no-data: too little telemetry of ${ref.service} in the last ${unjudged.get(flag)} days)`
        : 'the flag meets the policy again';
    await tracker.resolve(open.ref, `Closed by the flag-expiry job on ${today}: ${why}.`);
    resolved.push(open.ref);
  }
  return resolved;
}

function recordServiceMetrics(
  sink: MetricsSink,
  service: string,
  count: number,
  assessed: readonly { assessment: FlagAssessment }[],
  ages: readonly number[],
): void {
  const dimensions = { Service: service };
  sink.record({ name: 'FlagCount', unit: 'Count', value: count, dimensions });
  const withFindings = assessed.filter((a) =>
    a.assessment.findings.some((f) => f.reason !== 'expiring-soon'),
  ).length;
  sink.record({ name: 'FlagFindings', unit: 'Count', value: withFindings, dimensions });
  recordAges(sink, ages, service);
}

/** Flag ages per service (dimension `Service`), or over every service without one. */
function recordAges(sink: MetricsSink, ages: readonly number[], service?: string): void {
  const p50 = percentile(ages, 50);
  const p95 = percentile(ages, 95);
  const scope = service === undefined ? {} : { dimensions: { Service: service } };
  if (p50 !== undefined) sink.record({ name: 'FlagAgeP50Days', unit: 'None', value: p50, ...scope });
  if (p95 !== undefined) sink.record({ name: 'FlagAgeP95Days', unit: 'None', value: p95, ...scope });
}
