/**
 * Restoring a rejected parameter (enforce environments): where its value comes from
 * ({@link planRestore}: the last-known-good version, else the desired value, else deletion) and the
 * queued restore itself ({@link restoreRejected}), which runs in the delivery queue's message group of
 * the parameter's (service, environment) and announces `Config Change Restored`.
 */

import type { ParameterVersion } from '../../ports/parameter-store.ts';
import type { RestoreRequest } from '../delivery/requests.ts';
import { stewardEvent } from '../events.ts';
import type { ParameterType } from '../keys.ts';
import { LAST_KNOWN_GOOD, RESTORE_ANNOUNCED } from '../names.ts';
import { type ChangeContext, contextOf, type RestoreDependencies, type RestoreSource } from './judgement.ts';
import { isOwnWrite } from './principal.ts';

export interface RestorePlan {
  readonly from: RestoreSource;
  readonly fromVersion?: number;
  readonly value?: string;
  readonly type?: ParameterType;
}

/** Where a rejected value is restored from: the labelled version, else the desired value, else deletion. */
export function planRestore(
  context: ChangeContext<RestoreDependencies>,
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
  context: ChangeContext<RestoreDependencies>,
  written: ParameterVersion,
): Promise<number> {
  if (!written.labels.includes(LAST_KNOWN_GOOD)) {
    await context.deps.store.label(context.change.name, written.version, [LAST_KNOWN_GOOD]);
  }
  return written.version;
}

/** Put the planned value back and label it, or delete; returns the version written. */
async function restore(
  context: ChangeContext<RestoreDependencies>,
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

/** How a ticket says where the value is restored from. */
export function describeRestore(plan: RestorePlan): string {
  if (plan.from === 'last-known-good') return `its last-known-good version ${plan.fromVersion}`;
  if (plan.from === 'desired-state') return 'the desired value in git';
  return 'nothing (no good version and no desired value): it is deleted';
}
