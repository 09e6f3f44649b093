/**
 * The delivery queue's consumer: a batch of requests, grouped as their FIFO message groups are. A
 * restore group restores its parameters in order, then asks to deliver the documents they are part
 * of (a delivery that ran meanwhile may have found the document invalid because of the rejected
 * value); a delivery group answers all its document requests with one delivery and all its flags
 * requests with one more, one after the other in the order the queue handed them over, and each of
 * the two waits as a whole while its environment is busy (its records go back to the queue): the
 * second finds the environment busy with the first's deployment and waits, it never meets AppConfig's
 * ConflictException. A group, or a profile of a group, that fails does not stop the others.
 */
import type { DeliveryQueue } from '../../ports/delivery-queue.ts';
import type { StewardEvent } from '../events.ts';
import type { ValidationIssue } from '../keys.ts';
import type { RestoreDependencies } from '../validation/judgement.ts';
import { type RestoreOutcome, restoreRejected } from '../validation/restore-rejected-on-demand.ts';
import { affectedServices } from './affected-services.ts';
import {
  type DeliveryDemand,
  type DeliveryDependencies,
  type DeliveryReport,
  deliverDocument,
} from './deliver.ts';
import type { FlagsDeliveryReport } from './deliver-flags.ts';
import {
  coalesceDeliveries,
  type DeliverRequest,
  type DeliveryRequest,
  MAX_TRIGGERING_IDS,
  messageGroupOf,
  type ProfileDeliveryRequest,
  type RestoreRequest,
} from './requests.ts';

/** A request as it came off the queue. */
export interface QueuedRequest {
  readonly recordId: string;
  readonly request: DeliveryRequest;
  /** When SQS accepted it (`SentTimestamp`). */
  readonly queuedAt: Date;
  /** How often SQS has handed it out, this time included (`ApproximateReceiveCount`). */
  readonly receiveCount: number;
}

export type ProcessDeliveryDependencies = RestoreDependencies &
  DeliveryDependencies & {
    /** Where a restore's follow-up deliveries go (the delivery queue); none: no follow-up. */
    readonly requests?: DeliveryQueue;
  };

export interface DeliveryBatchResult {
  /** Records to take off the queue. */
  readonly done: readonly string[];
  /**
   * Records of groups whose environment is busy, or that were not started because the invocation ran
   * short of time: back to the queue, tried again later.
   */
  readonly waiting: readonly string[];
  /** Records whose group failed, by record id: back to the queue as well. */
  readonly failures: ReadonlyMap<string, Error>;
  readonly reports: readonly (DeliveryReport | FlagsDeliveryReport)[];
  readonly restores: readonly RestoreOutcome[];
}

/**
 * @example
 * const result = await processDeliveryRequests(records, deps);
 * await queue.retryLater([...result.waiting, ...result.failures.keys()]);
 */
export async function processDeliveryRequests(
  records: readonly QueuedRequest[],
  deps: ProcessDeliveryDependencies,
  options: {
    /**
     * True once too little of the invocation is left to start another group: the groups not started
     * go back to the queue instead of timing the whole batch out (whose records would then wait for
     * the queue's visibility timeout).
     */
    readonly outOfTime?: () => boolean;
  } = {},
): Promise<DeliveryBatchResult> {
  const groups = new Map<string, QueuedRequest[]>();
  for (const record of records) {
    const group = messageGroupOf(record.request);
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const done: string[] = [];
  const waiting: string[] = [];
  const failures = new Map<string, Error>();
  const reports: (DeliveryReport | FlagsDeliveryReport)[] = [];
  const restores: RestoreOutcome[] = [];

  // A restore group is one unit; a delivery group is one unit per profile (document, flags).
  const units = [...groups.values()].flatMap((group) =>
    group[0]!.request.kind === 'restore' ? [group] : byProfile(group),
  );
  for (const unit of units) {
    if (options.outOfTime?.()) {
      waiting.push(...unit.map((r) => r.recordId));
      continue;
    }
    try {
      const kind = unit[0]!.request.kind;
      if (kind === 'restore') {
        restores.push(...(await restoreGroup(unit, deps)));
      } else {
        const report = await (kind === 'deliver-flags' ? deliverFlagsGroup : deliverGroup)(unit, deps);
        reports.push(report);
        if (report.status === 'wait') {
          waiting.push(...unit.map((r) => r.recordId));
          continue;
        }
      }
      done.push(...unit.map((r) => r.recordId));
    } catch (error) {
      // Restores and deliveries are idempotent: the whole unit comes back.
      for (const record of unit) failures.set(record.recordId, error as Error);
    }
  }
  return { done, waiting, failures, reports, restores };
}

/**
 * A delivery group's records split by profile, the profile the queue handed over first going first:
 * a flags request that waited behind a document rollout is not put behind the next document change.
 */
function byProfile(group: readonly QueuedRequest[]): QueuedRequest[][] {
  const parts = new Map<string, QueuedRequest[]>();
  for (const record of group)
    parts.set(record.request.kind, [...(parts.get(record.request.kind) ?? []), record]);
  return [...parts.values()];
}

/**
 * Restore each parameter in order, then ask to deliver the documents they are part of. A repeated
 * restore is superseded but still asks, so a follow-up lost to a failure is asked for on the retry.
 */
async function restoreGroup(
  records: readonly QueuedRequest[],
  deps: ProcessDeliveryDependencies,
): Promise<RestoreOutcome[]> {
  const outcomes: RestoreOutcome[] = [];
  const followUps: DeliverRequest[] = [];
  for (const { request } of records) {
    const restore = request as RestoreRequest;
    outcomes.push(await restoreRejected(restore, deps));
    const resolution = deps.registry.resolve(restore.parameterName);
    if (!resolution.ok || resolution.spec.parameterType !== 'String') continue;
    for (const service of affectedServices(deps.registry, resolution.service)) {
      followUps.push({
        kind: 'deliver',
        service,
        environment: resolution.environment,
        triggeringEventIds: [restore.triggeringEventId],
      });
    }
  }
  if (followUps.length > 0) await deps.requests?.send(coalesceDeliveries(followUps));
  return outcomes;
}

async function deliverGroup(
  records: readonly QueuedRequest[],
  deps: ProcessDeliveryDependencies,
): Promise<DeliveryReport> {
  const demand = demandOf(records);
  const { report, events } = await deliverDocument(demand, deps);
  if (report.status === 'invalid-document') {
    await fileInvalidDocument(
      report.service,
      report.environment,
      report.issues,
      demand.triggeringEventIds,
      deps,
    );
  }
  if (events.length > 0) await deps.publisher.publish(events as StewardEvent[]);
  return report;
}

async function deliverFlagsGroup(
  records: readonly QueuedRequest[],
  deps: ProcessDeliveryDependencies,
): Promise<FlagsDeliveryReport> {
  const { deliverFlags } = await flagsDelivery();
  const { report, events } = await deliverFlags(demandOf(records), deps);
  if (events.length > 0) await deps.publisher.publish(events);
  return report;
}

let flagsModule: Promise<typeof import('./deliver-flags.ts')> | undefined;
/**
 * The flags delivery, loaded on first use: only a stack deployment asks for flags, so the flags
 * document builder stays out of the cold start of every invocation that delivers documents or
 * restores (a lazy chunk). Loaded once per container, not once per group; a failed load is tried
 * again by the next group.
 */
function flagsDelivery(): Promise<typeof import('./deliver-flags.ts')> {
  flagsModule ??= import('./deliver-flags.ts').catch((error: unknown) => {
    flagsModule = undefined;
    throw error;
  });
  return flagsModule;
}

/** One delivery's demand for all the queued requests of one profile of a (service, environment). */
function demandOf(records: readonly QueuedRequest[]): DeliveryDemand {
  const requests = records.map((r) => r.request as ProfileDeliveryRequest);
  const { service, environment } = requests[0]!;
  return {
    service,
    environment,
    triggeringEventIds: [...new Set(requests.flatMap((r) => r.triggeringEventIds))].slice(
      0,
      MAX_TRIGGERING_IDS,
    ),
    newestQueuedAt: new Date(Math.max(...records.map((r) => r.queuedAt.getTime()))),
    retried: records.some((r) => r.receiveCount > 1),
  };
}

/** An invalid composed document gets a ticket, not a deployment; the next valid change delivers. */
async function fileInvalidDocument(
  service: string,
  environment: string,
  issues: readonly ValidationIssue[],
  triggeringEventIds: readonly string[],
  deps: ProcessDeliveryDependencies,
): Promise<void> {
  await deps.tickets.file({
    dedupKey: `document-invalid:${environment}/${service}`,
    title: `The ${service} configuration document for ${environment} is invalid and was not delivered`,
    body: [
      `Accepted changes asked to deliver **${service}** in **${environment}**, but its composed document`,
      'fails validation, so it was not deployed through AppConfig. Fix these keys:',
      '',
      ...issues.map((issue) => `- \`${issue.path}\`: ${issue.message}`),
      '',
      `Triggering events: ${triggeringEventIds.map((id) => `\`${id}\``).join(', ') || '(none)'}`,
    ].join('\n'),
    severity: 'high',
    category: 'validation',
    data: { environment, service, triggeringEventId: triggeringEventIds[0] ?? '' },
  });
}
