/**
 * The delivery queue's consumer: a batch of requests, grouped by (service, environment) as their FIFO
 * message groups are. Within a group the restores run first, in order, then one delivery answers every
 * deliver request of the group. A group whose environment is busy waits as a whole (its records go
 * back to the queue); a group that fails does not stop the others.
 */
import type { StewardEvent } from '../events.ts';
import type { ValidationIssue } from '../keys.ts';
import {
  type RestoreOutcome,
  restoreRejected,
  type ValidateChangeDependencies,
} from '../validation/validate-change.ts';
import { type DeliveryDependencies, type DeliveryReport, deliverDocument } from './deliver.ts';
import { type DeliveryRequest, MAX_TRIGGERING_IDS, messageGroupOf } from './requests.ts';

/** A request as it came off the queue. */
export interface QueuedRequest {
  readonly recordId: string;
  readonly request: DeliveryRequest;
  /** When SQS accepted it (`SentTimestamp`). */
  readonly queuedAt: Date;
  /** How often SQS has handed it out, this time included (`ApproximateReceiveCount`). */
  readonly receiveCount: number;
}

export type ProcessDeliveryDependencies = ValidateChangeDependencies & DeliveryDependencies;

export interface DeliveryBatchResult {
  /** Records to take off the queue. */
  readonly done: readonly string[];
  /** Records of groups whose environment is busy: back to the queue, tried again later. */
  readonly waiting: readonly string[];
  /** Records whose group failed, by record id: back to the queue as well. */
  readonly failures: ReadonlyMap<string, Error>;
  readonly reports: readonly DeliveryReport[];
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
): Promise<DeliveryBatchResult> {
  const groups = new Map<string, QueuedRequest[]>();
  for (const record of records) {
    const group = messageGroupOf(record.request);
    groups.set(group, [...(groups.get(group) ?? []), record]);
  }
  const done: string[] = [];
  const waiting: string[] = [];
  const failures = new Map<string, Error>();
  const reports: DeliveryReport[] = [];
  const restores: RestoreOutcome[] = [];

  for (const group of groups.values()) {
    const handled: string[] = [];
    try {
      for (const record of group) {
        if (record.request.kind !== 'restore') continue;
        restores.push(await restoreRejected(record.request, deps));
        handled.push(record.recordId);
      }
      const deliveries = group.filter((r) => r.request.kind === 'deliver');
      if (deliveries.length > 0) {
        const report = await deliverGroup(deliveries, deps);
        reports.push(report);
        if (report.status === 'wait') {
          // FIFO order: every record from the first deliver request on goes back (a restore among
          // them finds its work done when it comes round again).
          const first = group.indexOf(deliveries[0]!);
          waiting.push(...group.slice(first).map((r) => r.recordId));
          done.push(...group.slice(0, first).map((r) => r.recordId));
          continue;
        }
      }
      done.push(...group.map((r) => r.recordId));
    } catch (error) {
      done.push(...handled);
      for (const record of group) {
        if (!handled.includes(record.recordId)) failures.set(record.recordId, error as Error);
      }
    }
  }
  return { done, waiting, failures, reports, restores };
}

async function deliverGroup(
  records: readonly QueuedRequest[],
  deps: ProcessDeliveryDependencies,
): Promise<DeliveryReport> {
  const requests = records.map((r) => r.request).filter((r) => r.kind === 'deliver');
  const { service, environment } = requests[0]!;
  const triggeringEventIds = [...new Set(requests.flatMap((r) => r.triggeringEventIds))].slice(
    0,
    MAX_TRIGGERING_IDS,
  );
  const { report, events } = await deliverDocument(
    {
      service,
      environment,
      triggeringEventIds,
      newestQueuedAt: new Date(Math.max(...records.map((r) => r.queuedAt.getTime()))),
      retried: records.some((r) => r.receiveCount > 1),
    },
    deps,
  );
  if (report.status === 'invalid-document') {
    await fileInvalidDocument(report.service, report.environment, report.issues, triggeringEventIds, deps);
  }
  if (events.length > 0) await deps.publisher.publish(events as StewardEvent[]);
  return report;
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
