/**
 * Rejecting a change: a ticket (deduplicated per parameter and version), `Config Change Rejected`,
 * and in `enforce` environments a restore request for the delivery queue; and reporting a value
 * that cannot be read or decrypted, which is never restored blindly.
 */

import type { ParameterVersion } from '../../ports/parameter-store.ts';
import type { TicketRef } from '../../ports/ticket-tracker.ts';
import type { RestoreRequest } from '../delivery/requests.ts';
import { stewardEvent } from '../events.ts';
import type { ValidationIssue } from '../keys.ts';
import { type ChangeContext, type ChangeOutcome, type Judgement, settled } from './judgement.ts';
import { describeRestore, planRestore, type RestorePlan } from './restore-rejected.ts';
import { validationDedupKey } from './ticket-keys.ts';

/**
 * Reject an invalid version (or a required key's deletion): ticket, `Config Change Rejected`, and in
 * `enforce` environments a restore request; in `report` ones an open ticket means already reported.
 *
 * @example
 * return reject(context, verdict.issues, { current, history });
 */
export async function reject(
  context: ChangeContext,
  issues: readonly ValidationIssue[],
  state: { current?: ParameterVersion; history: readonly ParameterVersion[] },
): Promise<Judgement> {
  const { change, deps, environment, enforcement } = context;
  const { current } = state;
  const plan = enforcement === 'enforce' ? planRestore(context, state.history) : undefined;
  // Once for the ticket and the event.
  const valueFingerprint = current ? await deps.fingerprinter.fingerprint(current.value) : undefined;
  const { ref, created } = await fileRejectionTicket(context, issues, { current, plan, valueFingerprint });
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
  await publishRejected(context, issues, { current, valueFingerprint });
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

/** The rejection's ticket, one per parameter and version: what failed and what happens to the value. */
function fileRejectionTicket(
  context: ChangeContext,
  issues: readonly ValidationIssue[],
  rejected: {
    readonly current?: ParameterVersion;
    readonly plan?: RestorePlan;
    readonly valueFingerprint?: string;
  },
): Promise<{ ref: TicketRef; created: boolean }> {
  const { change, deps, environment, enforcement } = context;
  const { current, plan, valueFingerprint } = rejected;
  return deps.tickets.file({
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
}

/** The service segment of a name whose service is unknown: the restore's message group. */
function serviceSegment(name: string, context: ChangeContext): string {
  const afterEnvironment = name.split(`/${context.environment}/`)[1] ?? '';
  return afterEnvironment.split('/')[0] || '-';
}

/** File a ticket for a value that cannot be read, and publish its rejection (no restore). */
export async function reportUnreadable(context: ChangeContext, error: Error): Promise<ChangeOutcome> {
  const { change, deps, environment } = context;
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
  await publishRejected(context, issues, {});
  return { outcome: 'unreadable', parameterName: change.name, errorName: error.name, ticket: ref };
}

/** `Config Change Rejected`: names, versions, issues and a fingerprint, never a value. */
async function publishRejected(
  context: ChangeContext,
  issues: readonly ValidationIssue[],
  rejected: { readonly current?: ParameterVersion; readonly valueFingerprint?: string },
): Promise<void> {
  const { change, deps, environment, enforcement } = context;
  const { current, valueFingerprint } = rejected;
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
}

function issueLines(issues: readonly ValidationIssue[]): string[] {
  return issues.map((issue) => `- \`${issue.path}\`: ${issue.message}`);
}
