/**
 * The `judgeChange` use case: judge the newest version of a changed parameter against the schema
 * registry; accept it (event, a delivery request, then the `last-known-good` label) or reject it
 * (ticket, event, and in `enforce` environments a restore request). Expected outcomes are results;
 * unexpected failures throw so the queue's retries and its dead-letter queue keep the change.
 * `validate-batch.ts` runs it over a batch of queued changes: it queues the requests, then labels.
 * Rejections are in reject-change.ts, restores in restore-rejected.ts, the types in judgement.ts.
 *
 * Idempotency: EventBridge delivers at least once and carries no version, so the newest version is
 * always what is judged, and the `last-known-good` label is the "done" marker. It is moved only once
 * an accepted change is fully handled (event published, delivery requested), so a retried record
 * resumes (it may publish `Config Change Accepted` again: subscribers key on `triggeringEventId` and
 * `version`); a version that already carries it is a duplicate or stale event, a no-op. Restores run
 * in the delivery queue's message group of the parameter's (service, environment), one at a time,
 * and only while the rejected version is still the newest ({@link restoreRejected}), so two records
 * of one parameter never both restore it. A restore labels the version it writes, and the
 * validator's own writes are recognised by their actor, so a restore is neither re-judged into a loop
 * nor reported as a human change (an own write found unlabelled, a restore whose label call failed,
 * is labelled then). In `report` environments nothing is written: the ticket, deduplicated per
 * parameter and version, marks a rejection as already reported.
 */

import type { ParameterVersion } from '../../ports/parameter-store.ts';
import { ParameterAccessDeniedError, ParameterDecryptionError } from '../../ports/parameter-store.errors.ts';
import { affectedServices } from '../delivery/affected-services.ts';
import type { DeliverRequest } from '../delivery/requests.ts';
import { mayShowValues } from '../disclosure.ts';
import { stewardEvent } from '../events.ts';
import { LAST_KNOWN_GOOD } from '../names.ts';
import type { ResolvedParameter } from '../registry.ts';
import type { ParameterChange } from './change-event.ts';
import {
  type ChangeContext,
  contextOf,
  type Judgement,
  settled,
  type ValidateChangeDependencies,
} from './judgement.ts';
import { isOwnWrite } from './principal.ts';
import { reject, reportUnreadable } from './reject-change-on-demand.ts';

/**
 * Judge a parameter change; the caller queues the requests, then sets the label (validate-batch.ts).
 *
 * @example
 * const { outcome, requests, label } = await judgeChange(parseParameterChange(event), deps);
 */
export async function judgeChange(
  change: ParameterChange,
  deps: ValidateChangeDependencies,
): Promise<Judgement> {
  const context = contextOf(change, deps);
  if (!context.ok) return settled(context.outcome);
  return judgeResolved(context.context);
}

async function judgeResolved(context: ChangeContext): Promise<Judgement> {
  const { change, deps } = context;
  let history: ParameterVersion[];
  try {
    history = await deps.store.history(change.name);
  } catch (error) {
    // A value that exists but that IAM or its KMS key keeps from us is reported, never restored blindly.
    if (error instanceof ParameterAccessDeniedError || error instanceof ParameterDecryptionError) {
      return settled(await reportUnreadable(context, error));
    }
    throw error;
  }
  const current = history.at(-1);
  if (!current) return judgeAbsence(context);
  if (current.labels.includes(LAST_KNOWN_GOOD)) {
    return settled({
      outcome: 'no-op',
      parameterName: change.name,
      version: current.version,
      reason: 'already-judged',
    });
  }
  if (isOwnWrite(current.lastModifiedUser, deps.validatorPrincipal)) {
    // A restore whose label call failed (or has not run yet): finish it, so the retry leaves the
    // parameter labelled instead of a restored version the drift job reports as never accepted.
    await deps.store.label(change.name, current.version, [LAST_KNOWN_GOOD]);
    return settled({
      outcome: 'no-op',
      parameterName: change.name,
      version: current.version,
      reason: 'own-write',
    });
  }
  const verdict = deps.registry.validate(change.name, current.value, current.type);
  return verdict.valid
    ? accept(context, current, history.at(-2))
    : reject(context, verdict.issues, { current, history });
}

async function accept(
  context: ChangeContext,
  current: ParameterVersion,
  previous: ParameterVersion | undefined,
): Promise<Judgement> {
  const { change, deps, environment } = context;
  const resolved = context.resolved as ResolvedParameter;
  const mayShow = (...values: ParameterVersion[]) =>
    mayShowValues({ key: resolved.key, sensitive: resolved.spec.sensitive, values });
  const valueFingerprint = await deps.fingerprinter.fingerprint(current.value);
  const accepted = stewardEvent('Config Change Accepted', {
    parameterName: change.name,
    environment,
    service: resolved.service,
    key: resolved.key,
    version: current.version,
    previousVersion: previous?.version,
    operation: change.operation === 'Delete' ? (previous ? 'Update' : 'Create') : change.operation,
    actor: current.lastModifiedUser,
    parameterType: current.type,
    valueFingerprint,
    // The keys are absent, not undefined, when a value does not travel.
    ...(mayShow(current) ? { value: current.value } : {}),
    ...(previous && mayShow(current, previous) ? { previousValue: previous.value } : {}),
    changedAt: current.lastModifiedDate?.toISOString() ?? change.time,
    triggeringEventId: change.eventId,
  });
  await deps.publisher.publish([accepted]);
  // The reconcile requests its deliveries itself, once, after its last write.
  const requests = isOwnWrite(current.lastModifiedUser, deps.reconcilerPrincipal)
    ? []
    : deliveryRequests(context, resolved);
  return {
    outcome: {
      outcome: 'accepted',
      parameterName: change.name,
      version: current.version,
      delivery: requests.map(({ service, environment: env }) => ({ service, environment: env })),
    },
    requests,
    // Last: the label marks the change as fully handled (see the file comment).
    label: { name: change.name, version: current.version },
  };
}

/** One deliver request per document a change touches: a shared key is in every service's document. */
function deliveryRequests(context: ChangeContext, resolved: ResolvedParameter): DeliverRequest[] {
  const { deps, environment, change } = context;
  // Documents hold plain String keys only.
  if (resolved.spec.parameterType !== 'String') return [];
  return affectedServices(deps.registry, resolved.service).map((service) => ({
    kind: 'deliver',
    service,
    environment,
    triggeringEventIds: [change.eventId],
  }));
}

/** The parameter is gone: fine unless the desired state requires it. */
async function judgeAbsence(context: ChangeContext): Promise<Judgement> {
  const { change, deps, resolved } = context;
  if (!resolved) {
    return settled({ outcome: 'ignored', parameterName: change.name, reason: 'unknown-key-deleted' });
  }
  const required =
    deps.registry.desiredValue(resolved.environment, resolved.service, resolved.key) !== undefined;
  if (required) {
    const issues = [{ path: resolved.key, message: 'deleted, but the desired state requires this key' }];
    return reject(context, issues, { history: [] });
  }
  // An optional key falls back to its schema default: the documents change.
  const requests = deliveryRequests(context, resolved);
  return {
    outcome: {
      outcome: 'deleted',
      parameterName: change.name,
      delivery: requests.map(({ service, environment }) => ({ service, environment })),
    },
    requests,
  };
}
