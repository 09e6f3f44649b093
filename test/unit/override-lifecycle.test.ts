/**
 * A break-glass override's life across the pipeline, over in-memory ports: applied (recorded, written,
 * announced), judged by validate-change, delivered all at once, kept by the reconcile, reported by
 * the drift run while active and after it expires, until it is folded back into git.
 */
import { describe, expect, it } from 'vitest';
import { deliverDocument } from '../../functions/core/delivery/deliver.ts';
import { runDrift } from '../../functions/core/drift/run.ts';
import { LAST_KNOWN_GOOD } from '../../functions/core/names.ts';
import { applyOverride } from '../../functions/core/override-apply.ts';
import { OVERRIDE_DEPLOYMENT_STRATEGY_ID, OVERRIDE_TAGS } from '../../functions/core/override.ts';
import { type OverrideRequest, planOverride } from '../../functions/core/override-plan.ts';
import { reconcileDesiredParameters } from '../../functions/core/reconcile.ts';
import { parseParameterChange } from '../../functions/core/validation/change-event.ts';
import { validateChanges } from '../../functions/core/validation/validate-batch.ts';
import type { ParameterStore } from '../../functions/ports/parameter-store.ts';
import { ParameterRejectedError } from '../../functions/ports/parameter-store.errors.ts';
import { InMemoryOverrideStore } from '../support/in-memory-override-store.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { LocalHmacFingerprinter } from '../support/local-hmac-fingerprinter.ts';
import { driftSourceOf } from '../support/parameter-store-drift-source.ts';
import { InMemoryTicketTracker } from '../support/recording-ports.ts';
import { changeEvent, validateChangePorts } from '../support/validate-change-harness.ts';

const MAX_RETRIES = '/config/production/orders/max-retries';
const SIGNING_KEY = '/config/production/orders/webhook-signing-key';
const SECRET = 'whsec_override-secret-0123456789abcdef';
const CALLER = 'arn:aws:sts::123456789012:assumed-role/OnCall/alice';
const HOUR = 3_600_000;
const policy = { maxDurationHours: 24, requireApprovalIn: ['production'] };

/** The example organisation deployed (production max-retries at 5, labelled good), with overrides. */
async function deployed() {
  // The operator's writes carry the operator's identity, not the validator's (whose writes are restores).
  const store = new InMemoryParameterStore(CALLER);
  const overrides = new InMemoryOverrideStore(store);
  const ports = await validateChangePorts({ store, overrides });
  const judge = async (name: string) => {
    const { outcomes, failures } = await validateChanges(
      [{ recordId: 'r', change: parseParameterChange(changeEvent(name)) }],
      ports.deps,
    );
    if (failures.get('r')) throw failures.get('r');
    return outcomes.get('r')!;
  };
  const override = async (request: Partial<OverrideRequest> = {}) => {
    const plan = planOverride(
      {
        parameter: MAX_RETRIES,
        value: '8',
        reason: 'INC-4711 payment provider brown-out',
        until: '4h',
        approvedBy: 'bob',
        ...request,
      },
      { registry: ports.registry, policy, now: ports.clock.now(), caller: CALLER },
    );
    if (!plan.ok) throw new Error(plan.problems.join('; '));
    return applyOverride(plan.override, {
      registry: ports.registry,
      store,
      overrides,
      publisher: ports.publisher,
    });
  };
  const drift = (tracker = new InMemoryTicketTracker()) =>
    runDrift(
      {
        registry: ports.registry,
        source: driftSourceOf(store, overrides),
        clock: ports.clock,
        fingerprinter: new LocalHmacFingerprinter(),
        tracker,
      },
      { environments: ['production'], validationGraceMinutes: 0 },
    );
  const reconcile = () =>
    reconcileDesiredParameters(ports.registry, store, {
      environments: ['production'],
      overrides: { store: overrides, now: () => ports.clock.now() },
    });
  return { ...ports, store, overrides, judge, override, drift, reconcile };
}

describe('Break-glass override lifecycle', () => {
  it('is recorded before it is written, announced, judged by validate-change and delivered all at once', async () => {
    // Prepare
    const { store, overrides, override, judge, publisher, delivery } = await deployed();

    // Act
    const applied = await override();
    const callsToApply = [...overrides.calls];
    const outcome = await judge(MAX_RETRIES);

    // Assess
    // the parameter's current record is read first, so a failed write can put it back
    expect(callsToApply).toEqual(['overrideTagsOf', 'tag']);
    expect(overrides.tagsOf(MAX_RETRIES)).toMatchObject({
      [OVERRIDE_TAGS.marker]: 'true',
      [OVERRIDE_TAGS.actor]: CALLER,
      [OVERRIDE_TAGS.approvedBy]: 'bob',
      [OVERRIDE_TAGS.until]: '2026-11-20T20:45:00.000Z',
    });
    expect(store.valueOf(MAX_RETRIES)).toBe('8');
    expect(outcome).toMatchObject({ outcome: 'accepted', version: applied.version });
    expect(publisher.ofType('Config Override Applied')[0]?.detail).toEqual({
      parameterName: MAX_RETRIES,
      environment: 'production',
      service: 'orders',
      key: 'max-retries',
      version: applied.version,
      parameterType: 'String',
      actor: CALLER,
      reason: 'INC-4711 payment provider brown-out',
      until: '2026-11-20T20:45:00.000Z',
      appliedAt: '2026-11-20T16:45:00.000Z',
      approvedBy: 'bob',
      deploymentStrategy: 'AppConfig.AllAtOnce',
      value: '8',
    });
    expect(delivery.deployments).toHaveLength(1);
    expect(delivery.deployments[0]).toMatchObject({
      environmentId: 'env-orders-production',
      deploymentStrategyId: OVERRIDE_DEPLOYMENT_STRATEGY_ID,
    });
  });

  it('goes back to the progressive strategy for later deliveries of the document', async () => {
    // Prepare: the override shipped, then someone changes another key of the document
    const { store, override, judge, delivery, clock } = await deployed();
    await override();
    clock.advance(5_000); // validate-change and delivery run seconds after the write
    await judge(MAX_RETRIES);
    clock.advance(10 * 60_000);
    store.seed('/config/production/orders/page-size', '60');

    // Act
    await judge('/config/production/orders/page-size');

    // Assess
    expect(delivery.deployments.map((d) => d.deploymentStrategyId)).toEqual([
      OVERRIDE_DEPLOYMENT_STRATEGY_ID,
      'strategy-production',
    ]);
  });

  it('is still judged by validate-change: an invalid write to an overridden parameter is restored', async () => {
    // Prepare
    const { store, override, judge, publisher } = await deployed();
    await override();
    await judge(MAX_RETRIES);
    store.seed(MAX_RETRIES, '99');

    // Act
    const outcome = await judge(MAX_RETRIES);

    // Assess
    expect(outcome).toMatchObject({ outcome: 'rejected' });
    expect(store.valueOf(MAX_RETRIES)).toBe('8');
    expect(publisher.ofType('Config Change Restored')).toHaveLength(1);
  });

  it('is kept by the reconcile while active, and overwritten with the value in git once expired', async () => {
    // Prepare
    const { store, override, reconcile, clock } = await deployed();
    await override();

    // Act
    const active = await reconcile();
    clock.advance(4 * HOUR);
    const expired = await reconcile();

    // Assess
    expect(active).toMatchObject({ written: [], heldByOverride: [MAX_RETRIES] });
    expect(expired).toMatchObject({ written: [MAX_RETRIES], heldByOverride: [] });
    expect(store.valueOf(MAX_RETRIES)).toBe('5');
  });

  it('is reported by the drift run as override, then override-expired (one ticket over two runs), then not at all', async () => {
    // Prepare
    const { store, override, judge, drift, clock } = await deployed();
    await override();
    await judge(MAX_RETRIES);
    const tracker = new InMemoryTicketTracker();

    // Act
    const active = await drift(tracker);
    clock.advance(4 * HOUR + 1);
    const expired = await drift(tracker);
    const again = await drift(tracker);
    // Folded back: config/ now says 8 (here: the reconcile put git's 5 back; either way the values agree)
    const version = store.seed(MAX_RETRIES, '5');
    await store.label(MAX_RETRIES, version, [LAST_KNOWN_GOOD]);
    const settled = await drift(tracker);

    // Assess
    const on = (report: Awaited<ReturnType<typeof drift>>) =>
      report.findings.filter((f) => f.parameter === MAX_RETRIES);
    expect(on(active)).toEqual([
      expect.objectContaining({
        kind: 'override',
        expected: '5',
        actual: '8',
        values: 'plain',
        detail: expect.stringMatching(
          /by arn:aws:sts::123456789012:assumed-role\/OnCall\/alice, approved by bob/,
        ),
      }),
    ]);
    expect(on(expired).map((f) => f.kind)).toEqual(['override-expired']);
    expect(on(again).map((f) => f.kind)).toEqual(['override-expired']);
    expect(on(settled)).toEqual([]);
    const tickets = tracker.tickets.filter((t) => t.request.dedupKey.endsWith(MAX_RETRIES));
    expect(tickets.map((t) => [t.request.dedupKey, t.open])).toEqual([
      [`override:${MAX_RETRIES}`, false],
      [`override-expired:${MAX_RETRIES}`, false],
    ]);
  });

  it('announces a SecureString override without its value, and never writes the value into a record', async () => {
    // Prepare
    const { override, overrides, publisher, drift, judge } = await deployed();

    // Act
    const applied = await override({ parameter: SIGNING_KEY, value: SECRET });
    await judge(SIGNING_KEY);
    const report = await drift();

    // Assess
    expect(applied.created).toBe(true);
    const event = publisher.ofType('Config Override Applied')[0]?.detail;
    expect(event).toMatchObject({ parameterName: SIGNING_KEY, parameterType: 'SecureString' });
    expect(event).not.toHaveProperty('value');
    const captured = JSON.stringify({
      events: publisher.events,
      tags: overrides.tagsOf(SIGNING_KEY),
      findings: report.findings,
    });
    expect(captured).not.toContain(SECRET);
    expect(report.findings.find((f) => f.parameter === SIGNING_KEY)).toMatchObject({
      kind: 'override',
      values: 'fingerprint',
    });
  });

  it('puts the record on before the value, so no reader sees the value without it', async () => {
    // Prepare
    const { store, overrides, registry, publisher, clock } = await deployed();
    const sequence: string[] = [];
    const plan = planOverride(
      { parameter: MAX_RETRIES, value: '8', reason: 'INC-4711 brown-out', until: '1h', approvedBy: 'bob' },
      { registry, policy, now: clock.now(), caller: CALLER },
    );

    // Act
    if (plan.ok) {
      await applyOverride(plan.override, {
        registry,
        store: { put: (...args) => (sequence.push('put'), store.put(...args)) },
        overrides: {
          overrideTagsOf: (...args) => (sequence.push('read tags'), overrides.overrideTagsOf(...args)),
          tag: (...args) => (sequence.push('tag'), overrides.tag(...args)),
          untag: (...args) => (sequence.push('untag'), overrides.untag(...args)),
          createTagged: (...args) => (sequence.push('createTagged'), overrides.createTagged(...args)),
        },
        publisher: { publish: async (events) => (sequence.push('publish'), publisher.publish(events)) },
      });
    }

    // Assess
    expect(plan.ok).toBe(true);
    expect(sequence).toEqual(['read tags', 'tag', 'put', 'publish']);
  });

  it('takes its record off again when the write fails, and announces nothing', async () => {
    // Prepare
    const { store, overrides, registry, publisher, clock } = await deployed();
    const refusing: Pick<ParameterStore, 'put'> = {
      put: async (name) => {
        throw new ParameterRejectedError(name, 'PutParameter', 'ParameterMaxVersionLimitExceeded');
      },
    };
    const plan = planOverride(
      { parameter: MAX_RETRIES, value: '8', reason: 'INC-4711 brown-out', until: '1h', approvedBy: 'bob' },
      { registry, policy, now: clock.now(), caller: CALLER },
    );

    // Act
    const applying = plan.ok
      ? applyOverride(plan.override, { registry, store: refusing, overrides, publisher })
      : Promise.reject(new Error('plan refused'));

    // Assess
    await expect(applying).rejects.toBeInstanceOf(ParameterRejectedError);
    expect(overrides.tagsOf(MAX_RETRIES)).toEqual({});
    expect(await overrides.overridesUnder('/config/production')).toEqual([]);
    expect(store.valueOf(MAX_RETRIES)).toBe('5');
    expect(publisher.ofType('Config Override Applied')).toEqual([]);
  });
});

describe('Break-glass override over an active one', () => {
  it('keeps the first override when the write of a second one fails', async () => {
    // Prepare: an override is active at 8; a second one (9) is refused by Parameter Store
    const { store, overrides, registry, publisher, clock, override, reconcile } = await deployed();
    await override();
    const before = overrides.tagsOf(MAX_RETRIES);
    const refusing: Pick<ParameterStore, 'put'> = {
      put: async (name) => {
        throw new ParameterRejectedError(name, 'PutParameter', 'ParameterMaxVersionLimitExceeded');
      },
    };
    const second = planOverride(
      { parameter: MAX_RETRIES, value: '9', reason: 'INC-4712 still failing', until: '2h' },
      { registry, policy: { ...policy, requireApprovalIn: [] }, now: clock.now(), caller: CALLER },
    );

    // Act
    const applying = second.ok
      ? applyOverride(second.override, { registry, store: refusing, overrides, publisher })
      : Promise.reject(new Error('plan refused'));

    // Assess: the first record is back as it was, so the reconcile still leaves its 8 alone
    await expect(applying).rejects.toBeInstanceOf(ParameterRejectedError);
    expect(overrides.tagsOf(MAX_RETRIES)).toEqual(before);
    expect((await reconcile()).heldByOverride).toEqual([MAX_RETRIES]);
    expect(store.valueOf(MAX_RETRIES)).toBe('8');
  });

  it('says so when the write fails and the record cannot be put back either', async () => {
    // Prepare: the write is refused, and so is the tag call that would restore the first record
    const { store, overrides, registry, publisher, clock, override } = await deployed();
    await override();
    let tagCalls = 0;
    const second = planOverride(
      { parameter: MAX_RETRIES, value: '9', reason: 'INC-4712 still failing', until: '2h' },
      { registry, policy: { ...policy, requireApprovalIn: [] }, now: clock.now(), caller: CALLER },
    );

    // Act
    const applying = second.ok
      ? applyOverride(second.override, {
          registry,
          store: {
            put: async (name) => {
              throw new ParameterRejectedError(name, 'PutParameter', 'ParameterMaxVersionLimitExceeded');
            },
          },
          overrides: {
            overrideTagsOf: (name) => overrides.overrideTagsOf(name),
            tag: async (name, tags) => {
              tagCalls += 1;
              if (tagCalls > 1) throw new Error('ThrottlingException');
              return overrides.tag(name, tags);
            },
            untag: (name, keys) => overrides.untag(name, keys),
            createTagged: (...args) => overrides.createTagged(...args),
          },
          publisher,
        })
      : Promise.reject(new Error('plan refused'));

    // Assess
    const error: unknown = await applying.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/putting its override tags back failed too.*by hand/);
    expect((error as Error).cause).toBeInstanceOf(ParameterRejectedError);
    expect((error as Error).message).not.toContain('9');
    expect(store.valueOf(MAX_RETRIES)).toBe('8');
  });

  it('does not carry the approver of the first override over to a second one given without --approved-by', async () => {
    // Prepare: the first override was approved by bob; approval is no longer required
    const { overrides, override, registry, clock, store, publisher } = await deployed();
    await override({ approvedBy: 'bob' });
    const second = planOverride(
      { parameter: MAX_RETRIES, value: '9', reason: 'INC-4712 still failing', until: '2h' },
      { registry, policy: { ...policy, requireApprovalIn: [] }, now: clock.now(), caller: CALLER },
    );

    // Act
    if (second.ok) await applyOverride(second.override, { registry, store, overrides, publisher });
    const [record] = await overrides.overridesUnder('/config/production');

    // Assess
    expect(second.ok).toBe(true);
    expect(store.valueOf(MAX_RETRIES)).toBe('9');
    expect(record?.reason).toBe('INC-4712 still failing');
    expect(record?.approvedBy).toBeUndefined();
    expect(overrides.tagsOf(MAX_RETRIES)).not.toHaveProperty(OVERRIDE_TAGS.approvedBy);
  });
});

describe('Function: deliverDocument with overrides', () => {
  it('uses the environment strategy when no override store is given', async () => {
    // Prepare
    const { consumerDeps, override, delivery } = await deployed();
    await override();

    // Act
    await deliverDocument(
      {
        service: 'orders',
        environment: 'production',
        triggeringEventIds: ['evt-1'],
        newestQueuedAt: new Date('2026-11-20T16:44:00Z'),
        retried: false,
      },
      { ...consumerDeps, overrides: undefined },
    );

    // Assess
    expect(delivery.deployments.map((d) => d.deploymentStrategyId)).toEqual(['strategy-production']);
  });
});
