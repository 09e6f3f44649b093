/**
 * validate-change's input, judged: a batch of SQS records from the change queue (each a `Parameter
 * Store Change` event), or one such event handed over directly (`steward invoke validate-change`).
 * Failed records are reported one by one, so the queue retries only them and, after its bound,
 * moves them to its dead-letter queue.
 */
import type { StructuredLog } from '../../ports/logger.ts';
import { type BatchItemFailures, isQueueEvent, parseQueueRecords } from '../pipeline/queue-records.ts';
import { eventIdOf, parseParameterChange } from './change-event.ts';
import { type QueuedChange, type ValidateBatchDependencies, validateChanges } from './validate-batch.ts';
import type { ChangeOutcome } from './judgement.ts';

export type JudgeChangesDependencies = ValidateBatchDependencies & { readonly log: StructuredLog };

/**
 * @example
 * const response = await judgeChangeEvent(sqsEvent, deps); // { batchItemFailures: [...] }
 * const outcome = await judgeChangeEvent(eventBridgeEvent, deps); // { outcome: 'accepted', ... }
 */
export async function judgeChangeEvent(
  event: unknown,
  deps: JudgeChangesDependencies,
): Promise<BatchItemFailures | ChangeOutcome> {
  if (isQueueEvent(event)) return judgeQueuedChanges(event, deps);
  // One change handed over directly: its outcome, or its error.
  const change = parseParameterChange(event);
  const { outcomes, failures } = await validateChanges([{ recordId: change.eventId, change }], deps);
  const failure = failures.get(change.eventId);
  if (failure) throw failure;
  const outcome = outcomes.get(change.eventId)!;
  deps.log.info('change judged', { eventId: change.eventId, ...outcome });
  return outcome;
}

async function judgeQueuedChanges(
  event: { Records: unknown[] },
  deps: JudgeChangesDependencies,
): Promise<BatchItemFailures> {
  const { log } = deps;
  const queued: QueuedChange[] = [];
  const malformed: string[] = [];
  for (const record of parseQueueRecords(event)) {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
      queued.push({ recordId: record.messageId, change: parseParameterChange(body) });
    } catch (error) {
      // It fails on every receive and reaches the dead-letter queue with its message id and event.
      log.error('malformed change record', {
        messageId: record.messageId,
        eventId: eventIdOf(body),
        errorName: (error as Error).name,
        errorMessage: (error as Error).message,
      });
      malformed.push(record.messageId);
    }
  }
  const { outcomes, failures } = await validateChanges(queued, deps);
  for (const { recordId, change } of queued) {
    const outcome = outcomes.get(recordId);
    if (outcome) {
      // An outcome carries no value, so all of it may be logged.
      log.info('change judged', { messageId: recordId, eventId: change.eventId, ...outcome });
      continue;
    }
    const error = failures.get(recordId);
    log.error('change not handled', {
      messageId: recordId,
      eventId: change.eventId,
      parameterName: change.name,
      errorName: error?.name,
      errorMessage: error?.message,
    });
  }
  return {
    batchItemFailures: [...malformed, ...failures.keys()].map((itemIdentifier) => ({ itemIdentifier })),
  };
}
