/**
 * Judge a batch of queued changes: records of one parameter are judged once (the newest version is
 * what counts, whichever record names it), the deliver requests of the whole batch are coalesced to
 * one per (service, environment) and queued with the restore requests in one go, and only then are
 * the accepted versions labelled `last-known-good`. A record whose parameter could not be judged, or
 * whose requests could not be queued, is reported as failed so the queue retries it alone.
 */
import type { DeliveryQueue } from '../../ports/delivery-queue.ts';
import { coalesceDeliveries, type DeliverRequest, type DeliveryRequest } from '../delivery/requests.ts';
import { LAST_KNOWN_GOOD } from '../names.ts';
import type { ParameterChange } from './change-event.ts';
import type { ChangeOutcome, Judgement, ValidateChangeDependencies } from './judgement.ts';
import { judgeChange } from './validate-change.ts';

/** A change as it came off the queue: the record id is what a failure is reported by. */
export interface QueuedChange {
  readonly recordId: string;
  readonly change: ParameterChange;
}

export interface ValidateBatchDependencies extends ValidateChangeDependencies {
  readonly requests: DeliveryQueue;
}

export interface BatchResult {
  /** The outcome of each handled record, by record id (records of one parameter share it). */
  readonly outcomes: ReadonlyMap<string, ChangeOutcome>;
  /** Records not fully handled, by record id: the queue retries them. */
  readonly failures: ReadonlyMap<string, Error>;
}

/**
 * @example
 * const { outcomes, failures } = await validateChanges([{ recordId, change }], deps);
 * return { batchItemFailures: [...failures.keys()].map((itemIdentifier) => ({ itemIdentifier })) };
 */
export async function validateChanges(
  changes: readonly QueuedChange[],
  deps: ValidateBatchDependencies,
): Promise<BatchResult> {
  const byParameter = new Map<string, QueuedChange[]>();
  for (const queued of changes) {
    byParameter.set(queued.change.name, [...(byParameter.get(queued.change.name) ?? []), queued]);
  }
  const failures = new Map<string, Error>();
  const fail = (records: readonly QueuedChange[], error: Error) => {
    for (const record of records) failures.set(record.recordId, error);
  };

  // Judge each parameter once: a duplicate record would only find its own version labelled later.
  const judged: { records: QueuedChange[]; judgement: Judgement }[] = [];
  for (const records of byParameter.values()) {
    try {
      judged.push({ records, judgement: await judgeChange(records.at(-1)!.change, deps) });
    } catch (error) {
      fail(records, error as Error);
    }
  }

  const requests = judged.flatMap(({ judgement }) => judgement.requests);
  if (requests.length > 0) {
    try {
      await deps.requests.send(ordered(requests));
    } catch (error) {
      // Nothing is labelled: the retried records are judged again and ask again.
      for (const { records, judgement } of judged) {
        if (judgement.requests.length > 0) fail(records, error as Error);
      }
    }
  }

  const outcomes = new Map<string, ChangeOutcome>();
  for (const { records, judgement } of judged) {
    if (failures.has(records[0]!.recordId)) continue;
    try {
      if (judgement.label) {
        await deps.store.label(judgement.label.name, judgement.label.version, [LAST_KNOWN_GOOD]);
      }
      for (const record of records) outcomes.set(record.recordId, judgement.outcome);
    } catch (error) {
      fail(records, error as Error);
    }
  }
  return { outcomes, failures };
}

/** Restores first, then one deliver request per (service, environment): a group restores, then composes. */
function ordered(requests: readonly DeliveryRequest[]): DeliveryRequest[] {
  const restores = requests.filter((r) => r.kind === 'restore');
  const deliveries = coalesceDeliveries(requests.filter((r): r is DeliverRequest => r.kind === 'deliver'));
  return [...restores, ...deliveries];
}
