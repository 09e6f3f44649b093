/**
 * The `validateChange` use case: judge the newest version of a changed parameter against the schema
 * registry; accept it (event, delivery, `last-known-good` label) or reject it (ticket, event, and in
 * `enforce` environments a restore). Expected outcomes are results; unexpected failures throw so
 * Lambda's retries and the failure queue keep the change.
 *
 * Idempotency: EventBridge delivers at least once and carries no version, so the newest version is
 * always what is judged, and the `last-known-good` label is the "done" marker. It is moved only once
 * an accepted change is fully handled (events, delivery), so a retried invocation resumes (it may
 * publish `Config Change Accepted` again: subscribers key on `triggeringEventId` and `version`); a version
 * that already carries it is a duplicate or stale event, a no-op. A restore labels the version it
 * writes, and the validator's own writes are recognised by their actor, so a restore is neither
 * re-judged into a loop nor reported as a human change (an own write found unlabelled, a restore
 * whose label call failed, is labelled then). In `report` environments nothing is written:
 * the ticket, deduplicated per parameter and version, marks a rejection as already reported.
 */

import type { Clock } from '../../ports/clock.ts';
import type { ConfigDelivery } from '../../ports/config-delivery.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { ParameterStore, ParameterVersion } from '../../ports/parameter-store.ts';
import type { TicketRef, TicketTracker } from '../../ports/ticket-tracker.ts';
import type { ValueFingerprinter } from '../../ports/value-fingerprinter.ts';
import { looksLikeCredential } from '../credentials.ts';
import { affectedServices, type DeliveryReport, deliverDocuments } from '../delivery/deliver.ts';
import { DeploymentInProgressError } from '../delivery/errors.ts';
import type { AppConfigTargets } from '../delivery/targets.ts';
import { stewardEvent } from '../events.ts';
import type { ParameterType, ValidationIssue } from '../keys.ts';
import type { ResolvedParameter, SchemaRegistry } from '../registry.ts';
import type { ParameterChange } from './change-event.ts';
import { isOwnWrite } from './principal.ts';
import { validationDedupKey } from './ticket-keys.ts';

/** The label on the newest version that passed validation: what a bad edit is rolled back to. */
export const LAST_KNOWN_GOOD = 'last-known-good';

export type Enforcement = 'enforce' | 'report';

/** Errors a store raises when a value exists but cannot be read or decrypted (KMS, IAM). */
const UNREADABLE_ERRORS = new Set(['ParameterAccessDeniedError', 'ParameterDecryptionError']);

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
  /** AppConfig delivery; without it (or without a target for the service) nothing is delivered. */
  readonly delivery?: {
    readonly port: ConfigDelivery;
    readonly targets: AppConfigTargets;
    readonly busyRetryDelaysMs?: readonly number[];
    readonly sleep?: (ms: number) => Promise<void>;
    readonly remainingTimeMs?: () => number;
  };
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
      readonly delivery: readonly DeliveryReport[];
    }
  | {
      readonly outcome: 'deleted';
      readonly parameterName: string;
      readonly delivery: readonly DeliveryReport[];
    }
  | {
      readonly outcome: 'rejected';
      readonly parameterName: string;
      readonly version?: number;
      readonly enforcement: Enforcement;
      readonly issues: readonly ValidationIssue[];
      readonly ticket: TicketRef;
      readonly restored?: {
        readonly from: RestoreSource;
        readonly fromVersion?: number;
        readonly newVersion?: number;
      };
    }
  | {
      readonly outcome: 'unreadable';
      readonly parameterName: string;
      readonly errorName: string;
      readonly ticket: TicketRef;
    };

export interface ValidateChangeOptions {
  /**
   * The change comes back after its delivery was deferred (core/validation/deferral.ts), and
   * `Config Change Accepted` for this parameter version is already out: it is not repeated. Any other
   * version found current is announced as usual.
   */
  readonly announcedVersion?: number;
}

interface Context {
  readonly announcedVersion?: number;
  readonly change: ParameterChange;
  readonly deps: ValidateChangeDependencies;
  readonly environment: string;
  readonly enforcement: Enforcement;
  readonly resolved?: ResolvedParameter;
  readonly service?: string;
  readonly key?: string;
}

/**
 * Judge a parameter change.
 *
 * @example
 * const outcome = await validateChange(parseParameterChange(event), deps);
 * if (outcome.outcome === 'rejected') logger.warn('rejected', { issues: outcome.issues });
 */
export async function validateChange(
  change: ParameterChange,
  deps: ValidateChangeDependencies,
  options: ValidateChangeOptions = {},
): Promise<ChangeOutcome> {
  const resolution = deps.registry.resolve(change.name);
  if (
    !resolution.ok &&
    (resolution.reason === 'outside-root' || resolution.reason === 'unknown-environment')
  ) {
    return { outcome: 'ignored', parameterName: change.name, reason: resolution.reason };
  }
  const environment = resolution.environment as string;
  const context: Context = {
    change,
    deps,
    environment,
    enforcement: deps.enforcement(environment),
    resolved: resolution.ok ? resolution : undefined,
    service: resolution.service,
    key: resolution.key,
    announcedVersion: options.announcedVersion,
  };

  let history: ParameterVersion[];
  try {
    history = await deps.store.history(change.name);
  } catch (error) {
    if (UNREADABLE_ERRORS.has((error as Error).name)) return reportUnreadable(context, error as Error);
    throw error;
  }
  const current = history.at(-1);
  if (!current) return judgeAbsence(context);
  if (current.labels.includes(LAST_KNOWN_GOOD)) {
    return {
      outcome: 'no-op',
      parameterName: change.name,
      version: current.version,
      reason: 'already-judged',
    };
  }
  if (isOwnWrite(current.lastModifiedUser, deps.validatorPrincipal)) {
    // A restore whose label call failed (or has not run yet): finish it, so the retry leaves the
    // parameter labelled instead of a restored version the drift job reports as never accepted.
    await deps.store.label(change.name, current.version, [LAST_KNOWN_GOOD]);
    return { outcome: 'no-op', parameterName: change.name, version: current.version, reason: 'own-write' };
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
): Promise<ChangeOutcome> {
  const { change, deps, environment } = context;
  const resolved = context.resolved as ResolvedParameter;
  // A value travels only for a plain String of a key not declared sensitive that does not look like a
  // credential (as in drift findings).
  const showable = (version: ParameterVersion | undefined): version is ParameterVersion =>
    version?.type === 'String' &&
    !resolved.spec.sensitive &&
    !looksLikeCredential(resolved.key, version.value).matched;
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
    ...(showable(current) ? { value: current.value } : {}),
    ...(showable(current) && showable(previous) ? { previousValue: previous.value } : {}),
    changedAt: current.lastModifiedDate?.toISOString() ?? change.time,
    triggeringEventId: change.eventId,
  });
  if (context.announcedVersion !== current.version) await deps.publisher.publish([accepted]);
  let delivery: DeliveryReport[];
  try {
    delivery = await deliver(context, resolved);
  } catch (error) {
    // A deferral must know that this version has been announced, so its return does not repeat it.
    throw error instanceof DeploymentInProgressError ? error.announcing(current.version) : error;
  }
  // Last: the label marks the change as fully handled (see the file comment).
  await deps.store.label(change.name, current.version, [LAST_KNOWN_GOOD]);
  return { outcome: 'accepted', parameterName: change.name, version: current.version, delivery };
}

/** Deliver the documents a change touches; an invalid composed document gets a ticket, not a deployment. */
async function deliver(context: Context, resolved: ResolvedParameter): Promise<DeliveryReport[]> {
  const { deps, environment, change } = context;
  if (!deps.delivery || resolved.spec.parameterType !== 'String') return [];
  const services = affectedServices(deps.registry, resolved.service);
  const { reports, events, busy } = await deliverDocuments(services, environment, change.eventId, {
    registry: deps.registry,
    store: deps.store,
    delivery: deps.delivery.port,
    targets: deps.delivery.targets,
    busyRetryDelaysMs: deps.delivery.busyRetryDelaysMs,
    sleep: deps.delivery.sleep,
    remainingTimeMs: deps.delivery.remainingTimeMs,
  });
  for (const report of reports) {
    if (report.status !== 'invalid-document') continue;
    await deps.tickets.file({
      dedupKey: `document-invalid:${environment}/${report.service}`,
      title: `The ${report.service} configuration document for ${environment} is invalid and was not delivered`,
      body: [
        `A change to \`${change.name}\` was accepted, but the composed document of **${report.service}** in`,
        `**${environment}** fails validation, so it was not deployed through AppConfig. Fix these keys:`,
        '',
        ...issueLines(report.issues),
        '',
        `Triggering event: \`${change.eventId}\``,
      ].join('\n'),
      severity: 'high',
      category: 'validation',
      data: { environment, service: report.service, triggeringEventId: change.eventId },
    });
  }
  if (events.length > 0) await deps.publisher.publish(events);
  // The deployments that did start are announced above; the busy one is retried or deferred.
  if (busy) throw busy;
  return reports;
}

interface RestorePlan {
  readonly from: RestoreSource;
  readonly fromVersion?: number;
  readonly value?: string;
  readonly type?: ParameterType;
}

/** Where a rejected value is restored from: the labelled version, else the desired value, else deletion. */
function planRestore(context: Context, history: readonly ParameterVersion[]): RestorePlan {
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
): Promise<ChangeOutcome> {
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
    return {
      outcome: 'no-op',
      parameterName: change.name,
      version: current?.version,
      reason: 'already-reported',
    };
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
  if (!plan) return rejected;
  const newVersion = await restore(context, plan);
  await deps.publisher.publish([
    stewardEvent('Config Change Restored', {
      parameterName: change.name,
      environment,
      rejectedVersion: current?.version,
      restoredFrom: plan.from,
      restoredFromVersion: plan.fromVersion,
      newVersion,
      triggeringEventId: change.eventId,
    }),
  ]);
  return { ...rejected, restored: { from: plan.from, fromVersion: plan.fromVersion, newVersion } };
}

/** Put the planned value back and label it, or delete; returns the version written. */
async function restore(context: Context, plan: RestorePlan): Promise<number | undefined> {
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
async function judgeAbsence(context: Context): Promise<ChangeOutcome> {
  const { change, deps, resolved } = context;
  if (!resolved) return { outcome: 'ignored', parameterName: change.name, reason: 'unknown-key-deleted' };
  const required =
    deps.registry.desiredValue(resolved.environment, resolved.service, resolved.key) !== undefined;
  if (required) {
    const issues = [{ path: resolved.key, message: 'deleted, but the desired state requires this key' }];
    return reject(context, issues, { history: [] });
  }
  // An optional key falls back to its schema default: the documents change.
  return { outcome: 'deleted', parameterName: change.name, delivery: await deliver(context, resolved) };
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
