/**
 * The `judgeChange` use case: judge the newest version of a changed parameter against the schema
 * registry; accept it (event, a delivery request, then the `last-known-good` label) or reject it
 * (ticket, event, and in `enforce` environments a restore request). Expected outcomes are results;
 * unexpected failures throw so the queue's retries and its dead-letter queue keep the change.
 * `validate-batch.ts` runs it over a batch of queued changes: it queues the requests, then labels.
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

import type { Clock } from '../../ports/clock.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { ParameterStore, ParameterVersion } from '../../ports/parameter-store.ts';
import { ParameterAccessDeniedError, ParameterDecryptionError } from '../../ports/parameter-store.errors.ts';
import type { TicketRef, TicketTracker } from '../../ports/ticket-tracker.ts';
import type { ValueFingerprinter } from '../../ports/value-fingerprinter.ts';
import { affectedServices } from '../delivery/affected-services.ts';
import type { DeliverRequest, DeliveryRequest, RestoreRequest } from '../delivery/requests.ts';
import { mayShowValues } from '../disclosure.ts';
import { stewardEvent } from '../events.ts';
import { LAST_KNOWN_GOOD, RESTORE_ANNOUNCED } from '../names.ts';
import type { ParameterType, ValidationIssue } from '../keys.ts';
import type { ResolvedParameter, SchemaRegistry } from '../registry.ts';
import type { ParameterChange } from './change-event.ts';
import { isOwnWrite } from './principal.ts';
import { validationDedupKey } from './ticket-keys.ts';

export type Enforcement = 'enforce' | 'report';

export interface ValidateChangeDependencies {
  readonly registry: SchemaRegistry;
  readonly store: ParameterStore;
  readonly publisher: EventPublisher;
  readonly tickets: TicketTracker;
  readonly clock: Clock;
  /** Keyed fingerprints of values, for events and tickets: a plain hash of a low-entropy value is guessable. */
  readonly fingerprinter: ValueFingerprinter;
  /** `enforce` or `report` per environment name. */
  readonly enforcement: (environment: string) => Enforcement;
  /** The validator's own role (name or ARN): versions it wrote are its own restores. */
  readonly validatorPrincipal?: string;
  /**
   * The reconcile's role (name or ARN): its writes are judged and labelled like any other, but request
   * no delivery; the reconcile requests one per (service, environment) when it has written them all.
   */
  readonly reconcilerPrincipal?: string;
}

/** What a restore needs: judging's ports without the fingerprinter (a restore publishes no value). */
export type RestoreDependencies = Omit<ValidateChangeDependencies, 'fingerprinter'>;

/** A (service, environment) whose document a change asked to deliver. */
export interface DeliveryTarget {
  readonly service: string;
  readonly environment: string;
}

export type RestoreSource = 'last-known-good' | 'desired-state' | 'deleted';

/** What was done; never carries a value. */
export type ChangeOutcome =
  | {
      readonly outcome: 'ignored';
      readonly parameterName: string;
      readonly reason: 'outside-root' | 'unknown-environment' | 'unknown-key-deleted';
    }
  | {
      readonly outcome: 'no-op';
      readonly parameterName: string;
      readonly version?: number;
      readonly reason: 'already-judged' | 'own-write' | 'already-reported';
    }
  | {
      readonly outcome: 'accepted';
      readonly parameterName: string;
      readonly version: number;
      /** The documents whose delivery was requested (none for SecureStrings and the reconcile's writes). */
      readonly delivery: readonly DeliveryTarget[];
    }
  | {
      readonly outcome: 'deleted';
      readonly parameterName: string;
      readonly delivery: readonly DeliveryTarget[];
    }
  | {
      readonly outcome: 'rejected';
      readonly parameterName: string;
      readonly version?: number;
      readonly enforcement: Enforcement;
      readonly issues: readonly ValidationIssue[];
      readonly ticket: TicketRef;
      /** The restore requested (it runs in the delivery queue, see {@link restoreRejected}). */
      readonly restore?: {
        readonly from: RestoreSource;
        readonly fromVersion?: number;
      };
    }
  | {
      readonly outcome: 'unreadable';
      readonly parameterName: string;
      readonly errorName: string;
      readonly ticket: TicketRef;
    };

/** An outcome, and what must follow before the change counts as handled. */
export interface Judgement {
  readonly outcome: ChangeOutcome;
  /** Deliver and restore requests to queue. */
  readonly requests: readonly DeliveryRequest[];
  /** Moved to this version once the requests are queued: the "done" marker. */
  readonly label?: { readonly name: string; readonly version: number };
}

interface Context<D extends RestoreDependencies = ValidateChangeDependencies> {
  readonly change: ParameterChange;
  readonly deps: D;
  readonly environment: string;
  readonly enforcement: Enforcement;
  readonly resolved?: ResolvedParameter;
  readonly service?: string;
  readonly key?: string;
}

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

type ContextResult<D extends RestoreDependencies> =
  { ok: true; context: Context<D> } | { ok: false; outcome: ChangeOutcome };

function contextOf<D extends RestoreDependencies>(change: ParameterChange, deps: D): ContextResult<D> {
  const resolution = deps.registry.resolve(change.name);
  if (
    !resolution.ok &&
    (resolution.reason === 'outside-root' || resolution.reason === 'unknown-environment')
  ) {
    return {
      ok: false,
      outcome: { outcome: 'ignored', parameterName: change.name, reason: resolution.reason },
    };
  }
  const environment = resolution.environment as string;
  return {
    ok: true,
    context: {
      change,
      deps,
      environment,
      enforcement: deps.enforcement(environment),
      resolved: resolution.ok ? resolution : undefined,
      service: resolution.service,
      key: resolution.key,
    },
  };
}

/** An outcome with nothing to follow. */
function settled(outcome: ChangeOutcome): Judgement {
  return { outcome, requests: [] };
}

async function judgeResolved(context: Context): Promise<Judgement> {
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
  context: Context,
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
function deliveryRequests(context: Context, resolved: ResolvedParameter): DeliverRequest[] {
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

interface RestorePlan {
  readonly from: RestoreSource;
  readonly fromVersion?: number;
  readonly value?: string;
  readonly type?: ParameterType;
}

/** Where a rejected value is restored from: the labelled version, else the desired value, else deletion. */
function planRestore(
  context: Context<RestoreDependencies>,
  history: readonly ParameterVersion[],
): RestorePlan {
  const { deps, resolved, change } = context;
  const good = history.findLast((v) => v.labels.includes(LAST_KNOWN_GOOD));
  // The schema may have changed since the label was set: only a value still valid is put back.
  if (
    good &&
    resolved &&
    deps.registry.validate(change.name, good.value, resolved.spec.parameterType).valid
  ) {
    return {
      from: 'last-known-good',
      fromVersion: good.version,
      value: good.value,
      type: resolved.spec.parameterType,
    };
  }
  const desired = resolved
    ? deps.registry.desiredValue(resolved.environment, resolved.service, resolved.key)
    : undefined;
  if (resolved && desired !== undefined) {
    return { from: 'desired-state', value: desired, type: resolved.spec.parameterType };
  }
  return { from: 'deleted' };
}

async function reject(
  context: Context,
  issues: readonly ValidationIssue[],
  state: { current?: ParameterVersion; history: readonly ParameterVersion[] },
): Promise<Judgement> {
  const { change, deps, environment, enforcement } = context;
  const { current } = state;
  const plan = enforcement === 'enforce' ? planRestore(context, state.history) : undefined;
  // Once for the ticket and the event.
  const valueFingerprint = current ? await deps.fingerprinter.fingerprint(current.value) : undefined;
  const { ref, created } = await deps.tickets.file({
    dedupKey: validationDedupKey(change.name, current?.version),
    title: `Invalid configuration change to ${change.name}${current ? ` (version ${current.version})` : ' (deleted)'}`,
    body: [
      `A ${change.operation} of \`${change.name}\`${current?.lastModifiedUser ? ` by \`${current.lastModifiedUser}\`` : ''}`,
      `in **${environment}** (${enforcement}) failed validation:`,
      '',
      ...issueLines(issues),
      '',
      plan
        ? `It is being restored from ${describeRestore(plan)}.`
        : 'This environment only reports: the value was left in place; fix it or restore it.',
      valueFingerprint ? `Fingerprint of the rejected value: \`${valueFingerprint}\`` : '',
      `Triggering event: \`${change.eventId}\``,
    ].join('\n'),
    severity: enforcement === 'report' ? 'high' : 'medium',
    category: 'validation',
    resourceArns: change.resourceArn ? [change.resourceArn] : undefined,
    data: {
      parameter: change.name,
      environment,
      enforcement,
      ...(current ? { version: String(current.version) } : {}),
      detectedAt: deps.clock.now().toISOString(),
    },
  });
  if (!plan && !created) {
    // Report mode writes nothing, so an open ticket for this very version means it was reported.
    return settled({
      outcome: 'no-op',
      parameterName: change.name,
      version: current?.version,
      reason: 'already-reported',
    });
  }
  // Rejected is published before the restore: if anything after fails, the retry finds the version
  // still unrestored and does it all again, rather than losing the event.
  await deps.publisher.publish([
    stewardEvent('Config Change Rejected', {
      parameterName: change.name,
      environment,
      service: context.service,
      key: context.key,
      version: current?.version,
      operation: change.operation,
      actor: current?.lastModifiedUser,
      enforcement,
      issues: issues.map(({ path, message }) => ({ path, message })),
      valueFingerprint,
      triggeringEventId: change.eventId,
    }),
  ]);
  const rejected = {
    outcome: 'rejected',
    parameterName: change.name,
    version: current?.version,
    enforcement,
    issues,
    ticket: ref,
  } as const;
  if (!plan) return settled(rejected);
  const restoreRequest: RestoreRequest = {
    kind: 'restore',
    service: context.service ?? serviceSegment(change.name, context),
    environment,
    parameterName: change.name,
    ...(current ? { rejectedVersion: current.version } : {}),
    triggeringEventId: change.eventId,
  };
  return {
    outcome: { ...rejected, restore: { from: plan.from, fromVersion: plan.fromVersion } },
    requests: [restoreRequest],
  };
}

/** The service segment of a name whose service is unknown: the restore's message group. */
function serviceSegment(name: string, context: Context): string {
  const afterEnvironment = name.split(`/${context.environment}/`)[1] ?? '';
  return afterEnvironment.split('/')[0] || '-';
}

/** What a queued restore did. */
export type RestoreOutcome =
  | {
      readonly status: 'restored';
      readonly parameterName: string;
      readonly from: RestoreSource;
      readonly fromVersion?: number;
      readonly newVersion?: number;
    }
  | {
      /** The rejected version is no longer the newest: a later write (or an earlier restore) settled it. */
      readonly status: 'superseded';
      readonly parameterName: string;
      readonly newestVersion?: number;
    };

/**
 * Restore a rejected parameter, if the rejected version is still its newest, and publish
 * `Config Change Restored`. Runs in the delivery queue's message group of the parameter's (service,
 * environment), so restores of one parameter never run at once, and the check makes a repeated
 * request (two records of one change, a retried message) a no-op.
 *
 * @example
 * const result = await restoreRejected(request, deps); // { status: 'restored', newVersion: 3, ... }
 */
export async function restoreRejected(
  request: RestoreRequest,
  deps: RestoreDependencies,
): Promise<RestoreOutcome> {
  const name = request.parameterName;
  const found = contextOf(
    { eventId: request.triggeringEventId, time: deps.clock.now().toISOString(), name, operation: 'Update' },
    deps,
  );
  const history = await deps.store.history(name);
  const current = history.at(-1);
  const stillRejected =
    request.rejectedVersion === undefined
      ? current === undefined
      : current?.version === request.rejectedVersion;
  // This very restore, written by an earlier attempt that died before announcing it (the version right
  // after the rejected one, by the restorer, without RESTORE_ANNOUNCED): finish it instead of calling it
  // superseded, so `Config Change Restored` is not lost; a duplicate request after a complete restore
  // finds the label and does nothing.
  const unfinished =
    request.rejectedVersion !== undefined &&
    current?.version === request.rejectedVersion + 1 &&
    !current.labels.includes(RESTORE_ANNOUNCED) &&
    isOwnWrite(current.lastModifiedUser, deps.validatorPrincipal);
  if (!found.ok || !(stillRejected || unfinished) || found.context.enforcement !== 'enforce') {
    return { status: 'superseded', parameterName: name, newestVersion: current?.version };
  }
  const context = found.context;
  const plan = unfinished ? planOfWritten(history) : planRestore(context, history);
  const newVersion = unfinished ? await finishRestore(context, current!) : await restore(context, plan);
  await deps.publisher.publish([
    stewardEvent('Config Change Restored', {
      parameterName: name,
      environment: context.environment,
      rejectedVersion: request.rejectedVersion,
      restoredFrom: plan.from,
      restoredFromVersion: plan.fromVersion,
      newVersion,
      triggeringEventId: request.triggeringEventId,
    }),
  ]);
  // The "announced" marker (validate-change may set last-known-good on its own when it sees the write).
  if (newVersion !== undefined) await deps.store.label(name, newVersion, [RESTORE_ANNOUNCED]);
  return {
    status: 'restored',
    parameterName: name,
    from: plan.from,
    fromVersion: plan.fromVersion,
    newVersion,
  };
}

/**
 * Where an earlier attempt's restore (the newest version) came from, told by its value: the newest
 * version before the rejected one that holds it (the label may already have moved), else the desired state.
 */
function planOfWritten(history: readonly ParameterVersion[]): RestorePlan {
  const written = history.at(-1)!;
  const source = history.slice(0, -2).findLast((v) => v.value === written.value);
  return source
    ? { from: 'last-known-good', fromVersion: source.version, value: written.value, type: written.type }
    : { from: 'desired-state', value: written.value, type: written.type };
}

/** Label a restore an earlier attempt wrote (a no-op when its label call had succeeded). */
async function finishRestore(
  context: Context<RestoreDependencies>,
  written: ParameterVersion,
): Promise<number> {
  if (!written.labels.includes(LAST_KNOWN_GOOD)) {
    await context.deps.store.label(context.change.name, written.version, [LAST_KNOWN_GOOD]);
  }
  return written.version;
}

/** Put the planned value back and label it, or delete; returns the version written. */
async function restore(
  context: Context<RestoreDependencies>,
  plan: RestorePlan,
): Promise<number | undefined> {
  const { store } = context.deps;
  const name = context.change.name;
  if (plan.value === undefined || plan.type === undefined) {
    await store.delete(name);
    return undefined;
  }
  const version = await store.put(name, plan.value, plan.type);
  await store.label(name, version, [LAST_KNOWN_GOOD]);
  return version;
}

/** The parameter is gone: fine unless the desired state requires it. */
async function judgeAbsence(context: Context): Promise<Judgement> {
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

async function reportUnreadable(context: Context, error: Error): Promise<ChangeOutcome> {
  const { change, deps, environment, enforcement } = context;
  const issues = [{ path: context.key ?? change.name, message: 'the value cannot be read or decrypted' }];
  const { ref } = await deps.tickets.file({
    dedupKey: `unreadable:${change.name}`,
    title: `Cannot read or decrypt ${change.name}`,
    body: [
      `A ${change.operation} of \`${change.name}\` in **${environment}** could not be judged: reading it failed`,
      `with \`${error.name}\`. Nothing was restored: check the KMS key policy and the validator's permissions.`,
      '',
      `Triggering event: \`${change.eventId}\``,
    ].join('\n'),
    severity: 'high',
    category: 'validation',
    resourceArns: change.resourceArn ? [change.resourceArn] : undefined,
    data: {
      parameter: change.name,
      environment,
      errorName: error.name,
      detectedAt: deps.clock.now().toISOString(),
    },
  });
  await deps.publisher.publish([
    stewardEvent('Config Change Rejected', {
      parameterName: change.name,
      environment,
      service: context.service,
      key: context.key,
      operation: change.operation,
      enforcement,
      issues,
      triggeringEventId: change.eventId,
    }),
  ]);
  return { outcome: 'unreadable', parameterName: change.name, errorName: error.name, ticket: ref };
}

function describeRestore(plan: RestorePlan): string {
  if (plan.from === 'last-known-good') return `its last-known-good version ${plan.fromVersion}`;
  if (plan.from === 'desired-state') return 'the desired value in git';
  return 'nothing (no good version and no desired value): it is deleted';
}

function issueLines(issues: readonly ValidationIssue[]): string[] {
  return issues.map((issue) => `- \`${issue.path}\`: ${issue.message}`);
}
