/**
 * What judging a changed parameter works with and produces: its dependencies, the context of one
 * change (environment, enforcement, resolved key), and the outcomes, which never carry a value.
 * The use case is in validate-change.ts, rejections in reject-change.ts, restores in restore-rejected.ts.
 */

import type { Clock } from '../../ports/clock.ts';
import type { EventPublisher } from '../../ports/event-publisher.ts';
import type { ParameterStore } from '../../ports/parameter-store.ts';
import type { TicketRef, TicketTracker } from '../../ports/ticket-tracker.ts';
import type { ValueFingerprinter } from '../../ports/value-fingerprinter.ts';
import type { DeliveryRequest } from '../delivery/requests.ts';
import type { ValidationIssue } from '../keys.ts';
import type { ResolvedParameter, SchemaRegistry } from '../registry.ts';
import type { ParameterChange } from './change-event.ts';

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

export interface ChangeContext<D extends RestoreDependencies = ValidateChangeDependencies> {
  readonly change: ParameterChange;
  readonly deps: D;
  readonly environment: string;
  readonly enforcement: Enforcement;
  readonly resolved?: ResolvedParameter;
  readonly service?: string;
  readonly key?: string;
}

/** The change's context, or the outcome when its name is outside the root or its environment unknown. */
export type ContextResult<D extends RestoreDependencies> =
  { ok: true; context: ChangeContext<D> } | { ok: false; outcome: ChangeOutcome };

export function contextOf<D extends RestoreDependencies>(change: ParameterChange, deps: D): ContextResult<D> {
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
export function settled(outcome: ChangeOutcome): Judgement {
  return { outcome, requests: [] };
}
