/**
 * The validate-change use case (core/validation/validate-batch.ts over validate-change.ts) with
 * in-memory ports: the example organisation deployed, AppConfig and the delivery queue as doubles
 * whose consumer is the real one. The handler's own wiring is tested in test/handlers.
 */
import { describe, expect, it, vi } from 'vitest';
import { deliveriesAfterReconcile } from '../../functions/core/reconcile.ts';
import { parseParameterChange } from '../../functions/core/validation/change-event.ts';
import { validateChanges } from '../../functions/core/validation/validate-batch.ts';
import { LAST_KNOWN_GOOD, RESTORE_ANNOUNCED } from '../../functions/core/names.ts';
import { ParameterAccessDeniedError } from '../../functions/ports/parameter-store.errors.ts';
import type { ChangeOutcome } from '../../functions/core/validation/judgement.ts';
import {
  changeEvent,
  fixture,
  type HarnessOptions,
  validateChangePorts,
} from '../support/validate-change-harness.ts';

const MAX_RETRIES = '/config/production/orders/max-retries';

/** The example organisation deployed (max-retries of production left to each test), over in-memory ports. */
async function setup(options: HarnessOptions = {}) {
  const ports = await validateChangePorts({ unseeded: [MAX_RETRIES], ...options });
  /** A batch of change events, each its own record (`msg-1`, `msg-2`, … unless ids are given). */
  const judgeBatch = (events: readonly unknown[], ids?: readonly string[]) =>
    validateChanges(
      events.map((event, index) => ({
        recordId: ids?.[index] ?? `msg-${index + 1}`,
        change: parseParameterChange(event),
      })),
      ports.deps,
    );
  /** One change in a batch of its own: its outcome, or the error that failed its record. */
  const judge = async (event: unknown): Promise<ChangeOutcome> => {
    const { outcomes, failures } = await judgeBatch([event], ['record']);
    const failure = failures.get('record');
    if (failure) throw failure;
    return outcomes.get('record')!;
  };
  return { ...ports, judge, judgeBatch };
}

/** A parameter with a labelled good version, as a previous accepted change leaves it. */
async function seedGood(store: Awaited<ReturnType<typeof setup>>['store'], name: string, value: string) {
  const version = store.seed(name, value);
  await store.label(name, version, [LAST_KNOWN_GOOD]);
  store.calls.length = 0;
  return version;
}

function labelsOf(history: { version: number; labels: readonly string[] }[]) {
  return Object.fromEntries(history.map((v) => [v.version, v.labels]));
}

describe('Function: validateChanges', () => {
  it('accepts a valid edit: Accepted event with values, delivery, then the label', async () => {
    // Prepare: the update fixture names production orders max-retries
    const { store, judge, publisher, delivery } = await setup();
    await seedGood(store, MAX_RETRIES, '5');
    store.seed(MAX_RETRIES, '7');

    // Act
    const outcome = await judge(fixture('ssm-parameter-change-update.json'));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'accepted', version: 2 });
    expect(labelsOf(await store.history(MAX_RETRIES))).toEqual({ 1: [], 2: [LAST_KNOWN_GOOD] });
    expect(publisher.ofType('Config Change Accepted')[0]?.detail).toMatchObject({
      parameterName: MAX_RETRIES,
      environment: 'production',
      service: 'orders',
      key: 'max-retries',
      version: 2,
      previousVersion: 1,
      operation: 'Update',
      actor: 'arn:aws:iam::123456789012:user/alice',
      parameterType: 'String',
      value: '7',
      previousValue: '5',
      triggeringEventId: '6a7e4feb-b491-4cf7-a9f1-bf3703497718',
    });
    expect(delivery.hosted).toHaveLength(1);
    expect(JSON.parse(delivery.hosted[0]!.content)).toMatchObject({ 'max-retries': 7, 'log-level': 'info' });
    expect(delivery.deployments[0]).toMatchObject({
      applicationId: 'app-orders',
      environmentId: 'env-orders-production',
      configurationProfileId: 'doc-orders',
      configurationVersion: '1',
      deploymentStrategyId: 'strategy-production',
    });
    expect(publisher.ofType('Config Deployment Started')[0]?.detail).toMatchObject({
      service: 'orders',
      environment: 'production',
      configurationVersion: '1',
      deploymentNumber: 42,
      queued: false,
    });
  });

  it('reads an accepted change with at most 4 Parameter Store calls before delivery', async () => {
    // Prepare
    const { store, judge } = await setup();
    await seedGood(store, MAX_RETRIES, '5');
    store.seed(MAX_RETRIES, '7');

    // Act
    await judge(changeEvent(MAX_RETRIES));

    // Assess: history, then getByPath twice for the document (delivery), then the label
    const beforeDelivery = store.calls.filter((call) => call !== 'getByPath');
    expect(beforeDelivery).toEqual(['history', 'label']);
    expect(beforeDelivery.length).toBeLessThanOrEqual(4);
  });

  it('rejects an invalid edit in enforce mode and restores the last-known-good version', async () => {
    // Prepare
    const { store, judge, publisher, tickets, delivery } = await setup();
    await seedGood(store, MAX_RETRIES, '5');
    store.seed(MAX_RETRIES, 'five');

    // Act
    const outcome = await judge(changeEvent(MAX_RETRIES, 'Update', 'evt-bad'));

    // Assess
    expect(outcome).toMatchObject({
      outcome: 'rejected',
      version: 2,
      enforcement: 'enforce',
      restore: { from: 'last-known-good', fromVersion: 1 },
    });
    expect(store.valueOf(MAX_RETRIES)).toBe('5');
    expect(labelsOf(await store.history(MAX_RETRIES))).toEqual({
      1: [],
      2: [],
      3: [LAST_KNOWN_GOOD, RESTORE_ANNOUNCED],
    });
    expect(publisher.ofType('Config Change Rejected')[0]?.detail).toMatchObject({
      version: 2,
      enforcement: 'enforce',
      issues: [{ path: 'max-retries', message: 'expected a canonical decimal integer' }],
      triggeringEventId: 'evt-bad',
    });
    expect(publisher.ofType('Config Change Restored')[0]?.detail).toEqual({
      parameterName: MAX_RETRIES,
      environment: 'production',
      rejectedVersion: 2,
      restoredFrom: 'last-known-good',
      restoredFromVersion: 1,
      newVersion: 3,
      triggeringEventId: 'evt-bad',
    });
    expect(tickets.tickets.map((t) => t.request.dedupKey)).toEqual([`validation:${MAX_RETRIES}:v2`]);
    expect(tickets.tickets[0]?.request.data).toEqual({
      parameter: MAX_RETRIES,
      environment: 'production',
      enforcement: 'enforce',
      version: '2',
      detectedAt: '2026-11-20T16:45:00.000Z',
    });
    expect(JSON.stringify(publisher.events)).not.toContain('five');
    // The restore asks to deliver the document again: it carries the restored value, never the rejected one
    expect(delivery.hosted.map((h) => JSON.parse(h.content)['max-retries'])).toEqual([5]);
  });

  it('in report mode publishes Rejected and files a ticket, but writes nothing; a duplicate is a no-op', async () => {
    // Prepare
    const { store, judge, publisher, tickets } = await setup({ enforcement: { production: 'report' } });
    await seedGood(store, MAX_RETRIES, '5');
    store.seed(MAX_RETRIES, '11');

    // Act
    const first = await judge(changeEvent(MAX_RETRIES));
    const duplicate = await judge(changeEvent(MAX_RETRIES));

    // Assess
    expect(first).toMatchObject({ outcome: 'rejected', enforcement: 'report' });
    expect(first).not.toHaveProperty('restore');
    expect(duplicate).toMatchObject({ outcome: 'no-op', reason: 'already-reported' });
    expect(store.calls.filter((c) => ['put', 'delete', 'label'].includes(c))).toEqual([]);
    expect(store.valueOf(MAX_RETRIES)).toBe('11');
    expect(publisher.ofType('Config Change Rejected')).toHaveLength(1);
    expect(publisher.ofType('Config Change Restored')).toHaveLength(0);
    expect(tickets.tickets).toHaveLength(1);
    expect(tickets.tickets[0]?.request.severity).toBe('high');
  });

  it('restores the desired value from config/ when no version carries the label', async () => {
    // Prepare: out of range, never validated before
    const { store, judge, publisher } = await setup();
    store.seed(MAX_RETRIES, '11');

    // Act
    const outcome = await judge(changeEvent(MAX_RETRIES));

    // Assess
    expect(outcome).toMatchObject({ restore: { from: 'desired-state' } });
    expect(store.valueOf(MAX_RETRIES)).toBe('5');
    expect(publisher.ofType('Config Change Restored')[0]?.detail).toMatchObject({
      restoredFrom: 'desired-state',
    });
  });

  it('deletes an unknown key created by hand (no good version, no desired value)', async () => {
    // Prepare: a misspelled key
    const misspelled = '/config/production/orders/max-retires';
    const { store, judge, publisher } = await setup();
    store.seed(misspelled, '5');

    // Act
    const outcome = await judge(changeEvent(misspelled, 'Create'));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'rejected', restore: { from: 'deleted' } });
    expect(store.valueOf(misspelled)).toBeUndefined();
    expect(publisher.ofType('Config Change Rejected')[0]?.detail).toMatchObject({
      key: 'max-retires',
      issues: [{ path: 'max-retires', message: 'service "orders" declares no key "max-retires"' }],
    });
    expect(publisher.ofType('Config Change Restored')[0]?.detail).toMatchObject({ restoredFrom: 'deleted' });
  });

  it('treats a duplicate event for an accepted version as a no-op', async () => {
    // Prepare
    const { store, judge, publisher, delivery } = await setup();
    await seedGood(store, MAX_RETRIES, '5');
    store.seed(MAX_RETRIES, '7');
    const event = changeEvent(MAX_RETRIES, 'Update', 'evt-1');
    await judge(event);
    store.calls.length = 0;

    // Act
    const outcome = await judge(event);

    // Assess
    expect(outcome).toEqual({
      outcome: 'no-op',
      parameterName: MAX_RETRIES,
      version: 2,
      reason: 'already-judged',
    });
    expect(store.calls).toEqual(['history']);
    expect(publisher.ofType('Config Change Accepted')).toHaveLength(1);
    expect(delivery.deployments).toHaveLength(1);
  });

  it('treats a stale event (an older invalid edit, after a newer one was accepted) as a no-op', async () => {
    // Prepare: v2 invalid then v3 valid; the event for v3 is handled first
    const { store, judge } = await setup();
    await seedGood(store, MAX_RETRIES, '5');
    store.seed(MAX_RETRIES, 'five');
    store.seed(MAX_RETRIES, '6');
    await judge(changeEvent(MAX_RETRIES, 'Update', 'evt-v3'));

    // Act: the late event of v2
    const outcome = await judge(changeEvent(MAX_RETRIES, 'Update', 'evt-v2'));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'no-op', reason: 'already-judged', version: 3 });
    expect(store.valueOf(MAX_RETRIES)).toBe('6');
  });

  it('ends two quick edits (valid, then invalid) on the last-known-good value, never the invalid one', async () => {
    // Prepare: v2 valid and v3 invalid a second apart; both events arrive after both edits
    const { store, judge } = await setup();
    await seedGood(store, MAX_RETRIES, '5');
    store.seed(MAX_RETRIES, '6');
    store.seed(MAX_RETRIES, '99');

    // Act
    const first = await judge(changeEvent(MAX_RETRIES, 'Update', 'evt-v2'));
    const second = await judge(changeEvent(MAX_RETRIES, 'Update', 'evt-v3'));

    // Assess: the newest version is judged; the restore is not judged again
    expect(first).toMatchObject({ outcome: 'rejected', version: 3, restore: { from: 'last-known-good' } });
    expect(second).toMatchObject({ outcome: 'no-op' });
    expect(store.valueOf(MAX_RETRIES)).toBe('5');
  });

  it('ends two quick edits (invalid, then valid) on the newest valid value', async () => {
    // Prepare
    const { store, judge } = await setup();
    await seedGood(store, MAX_RETRIES, '5');
    store.seed(MAX_RETRIES, 'lots');
    store.seed(MAX_RETRIES, '8');

    // Act
    await judge(changeEvent(MAX_RETRIES, 'Update', 'evt-v2'));
    await judge(changeEvent(MAX_RETRIES, 'Update', 'evt-v3'));

    // Assess
    expect(store.valueOf(MAX_RETRIES)).toBe('8');
    expect(store.calls.filter((c) => c === 'put')).toEqual([]);
  });

  it('recognises its own restore write by the actor and neither judges nor reports it', async () => {
    // Prepare: a restore whose label call failed, so only the actor identifies it
    const { store, judge, publisher, tickets } = await setup({
      validatorPrincipal: 'config-steward-validate-change',
    });
    store.seed(
      MAX_RETRIES,
      '5',
      'String',
      'arn:aws:sts::123456789012:assumed-role/config-steward-validate-change/fn',
    );

    // Act
    const outcome = await judge(changeEvent(MAX_RETRIES));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'no-op', reason: 'own-write' });
    expect(publisher.events).toEqual([]);
    expect(tickets.tickets).toEqual([]);
    // The restore is finished: the retry labels the version its failed label call left bare.
    expect(labelsOf(await store.history(MAX_RETRIES))).toEqual({ 1: [LAST_KNOWN_GOOD] });
  });

  it('does not loop: the event of its own restore is a no-op', async () => {
    // Prepare
    const { store, judge, publisher } = await setup();
    await seedGood(store, MAX_RETRIES, '5');
    store.seed(MAX_RETRIES, '-1');
    await judge(changeEvent(MAX_RETRIES, 'Update', 'evt-human'));
    const eventsAfterRestore = publisher.events.length;

    // Act: the restore write and its label produce change events of their own
    const afterPut = await judge(changeEvent(MAX_RETRIES, 'Update', 'evt-restore'));
    const afterLabel = await judge(changeEvent(MAX_RETRIES, 'LabelParameterVersion', 'evt-label'));

    // Assess
    expect(afterPut).toMatchObject({ outcome: 'no-op' });
    expect(afterLabel).toMatchObject({ outcome: 'no-op' });
    expect(publisher.events).toHaveLength(eventsAfterRestore);
  });

  it('restores the desired value of a required key that was deleted (delete fixture)', async () => {
    // Prepare: the delete fixture names staging payments db/credentials-ref, which config/ requires
    const { store, judge, publisher } = await setup();
    const name = '/config/staging/payments/db/credentials-ref';
    await store.delete(name);

    // Act
    const outcome = await judge(fixture('ssm-parameter-change-delete.json'));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'rejected', restore: { from: 'desired-state' } });
    expect(store.valueOf(name)).toBe('config/staging/payments/db');
    expect(publisher.ofType('Config Change Rejected')[0]?.detail).toMatchObject({
      operation: 'Delete',
      issues: [{ path: 'db/credentials-ref', message: 'deleted, but the desired state requires this key' }],
      triggeringEventId: '0e1d2c3b-4a59-4687-9a1b-2c3d4e5f6a7b',
    });
    expect(publisher.ofType('Config Change Restored')[0]?.detail).toMatchObject({
      restoredFrom: 'desired-state',
    });
  });

  it('lets the delete of an optional key stand and redelivers the document with its default', async () => {
    // Prepare
    const { judge, delivery } = await setup();

    // Act: page-size was never set, so the delete of a hand-made one leaves nothing behind
    const outcome = await judge(changeEvent('/config/production/orders/page-size', 'Delete'));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'deleted' });
    expect(JSON.parse(delivery.hosted[0]!.content)).toMatchObject({ 'page-size': 50 });
  });

  it('does not deliver a document that fails as a whole, and files a ticket naming the key', async () => {
    // Prepare: production's shared log-level holds an invalid value (left by a report-only period)
    const { store, judge, tickets, delivery, publisher } = await setup();
    store.seed('/config/production/shared/log-level', 'verbose');
    await seedGood(store, MAX_RETRIES, '5');
    store.seed(MAX_RETRIES, '7');

    // Act
    const outcome = await judge(changeEvent(MAX_RETRIES));

    // Assess
    expect(outcome).toMatchObject({
      outcome: 'accepted',
      delivery: [{ service: 'orders', environment: 'production' }],
    });
    expect(delivery.hosted).toEqual([]);
    expect(tickets.tickets.map((t) => t.request.dedupKey)).toEqual(['document-invalid:production/orders']);
    expect(tickets.tickets[0]?.request.body).toContain('`log-level`');
    expect(publisher.ofType('Config Deployment Started')).toEqual([]);
  });

  it('delivers every service of the environment after a shared key changes', async () => {
    // Prepare
    const { store, judge, delivery } = await setup();
    store.seed('/config/staging/shared/log-level', 'warn');

    // Act
    await judge(changeEvent('/config/staging/shared/log-level'));

    // Assess
    expect(delivery.deployments.map((d) => d.applicationId).sort()).toEqual(['app-orders', 'app-payments']);
    expect(delivery.hosted.every((h) => JSON.parse(h.content)['log-level'] === 'warn')).toBe(true);
  });

  it('labels the change once its delivery is queued; a busy environment keeps the request waiting', async () => {
    // Prepare: production orders runs another deployment
    const { store, judge, queue, delivery } = await setup({ busyEnvironments: ['env-orders-production'] });
    store.seed(MAX_RETRIES, '7');

    // Act
    const outcome = await judge(changeEvent(MAX_RETRIES));

    // Assess: judged and labelled; the request waits in the queue, nothing read for it
    expect(outcome).toMatchObject({ outcome: 'accepted', delivery: [{ service: 'orders' }] });
    expect((await store.history(MAX_RETRIES)).at(-1)?.labels).toEqual([LAST_KNOWN_GOOD]);
    expect(queue.pending.map((r) => r.request)).toEqual([
      expect.objectContaining({ kind: 'deliver', service: 'orders', environment: 'production' }),
    ]);
    expect(delivery.deployments).toEqual([]);
    expect(store.calls).not.toContain('getByPath');
  });

  it('ships the newest document, once, when the busy environment frees up', async () => {
    // Prepare: two edits while production orders is busy
    const pageSize = '/config/production/orders/page-size';
    const { store, judge, queue, delivery, publisher, clock } = await setup({
      busyEnvironments: ['env-orders-production'],
      unseeded: [pageSize],
    });
    store.seed(MAX_RETRIES, '7');
    await judge(changeEvent(MAX_RETRIES, 'Update', 'evt-a'));
    store.seed(pageSize, '60');
    await judge(changeEvent(pageSize, 'Update', 'evt-b'));

    // Act: the environment frees up; the queue hands the requests over again
    delivery.busyEnvironments.clear();
    clock.advance(60_000);
    await queue.drain();

    // Assess: one hosted version and one deployment, holding both values, announced as queued
    expect(delivery.deployments).toHaveLength(1);
    expect(JSON.parse(delivery.hosted[0]!.content)).toMatchObject({ 'max-retries': 7, 'page-size': 60 });
    expect(publisher.ofType('Config Deployment Started').map((e) => e.detail)).toEqual([
      expect.objectContaining({ queued: true, triggeringEventIds: ['evt-a', 'evt-b'] }),
    ]);
    expect(queue.pending).toEqual([]);
  });

  it('restores at once even while a delivery of the same document waits for a busy environment', async () => {
    // Prepare: a valid edit waits for production orders to free up
    const pageSize = '/config/production/orders/page-size';
    const { store, judge, queue, publisher } = await setup({
      busyEnvironments: ['env-orders-production'],
      unseeded: [pageSize],
    });
    await seedGood(store, MAX_RETRIES, '5');
    store.seed(pageSize, '60');
    await judge(changeEvent(pageSize, 'Update', 'evt-valid'));

    // Act: an invalid edit of another key of the same document
    store.seed(MAX_RETRIES, 'five');
    await judge(changeEvent(MAX_RETRIES, 'Update', 'evt-bad'));

    // Assess: restored now; only deliveries wait (the restore's follow-up joins them)
    expect(store.valueOf(MAX_RETRIES)).toBe('5');
    expect(publisher.ofType('Config Change Restored')).toHaveLength(1);
    expect(queue.pending.map((r) => r.request.kind)).toEqual(['deliver', 'deliver']);
  });

  it('coalesces a batch spanning services and environments into one delivery per (service, environment)', async () => {
    // Prepare: orders twice and payments in production, the shared log level in staging
    const pageSize = '/config/production/orders/page-size';
    const logLevel = '/config/staging/shared/log-level';
    const fraudThreshold = '/config/production/payments/fraud-threshold';
    const { store, judgeBatch, queue, delivery } = await setup({ unseeded: [pageSize, logLevel] });
    store.seed(MAX_RETRIES, '7');
    store.seed(pageSize, '60');
    store.seed(logLevel, 'warn');
    store.seed(fraudThreshold, '60');

    // Act
    const { failures } = await judgeBatch([
      changeEvent(MAX_RETRIES, 'Update', 'evt-1'),
      changeEvent(pageSize, 'Update', 'evt-2'),
      changeEvent(logLevel, 'Update', 'evt-3'),
      changeEvent(fraudThreshold, 'Update', 'evt-4'),
    ]);

    // Assess
    expect([...failures.keys()]).toEqual([]);
    expect(queue.sent.map((r) => `${r.environment}/${r.service}`).sort()).toEqual([
      'production/orders',
      'production/payments',
      'staging/orders',
      'staging/payments',
    ]);
    expect(queue.sent.find((r) => r.service === 'orders' && r.environment === 'production')).toMatchObject({
      triggeringEventIds: ['evt-1', 'evt-2'],
    });
    expect(delivery.deployments).toHaveLength(4);
  });

  it('never restores one parameter twice, even from two concurrent invocations', async () => {
    // Prepare: one invalid edit, its event in two batches handled at the same time
    const { store, judgeBatch, queue, publisher } = await setup({ autoDrain: false });
    await seedGood(store, MAX_RETRIES, '5');
    store.seed(MAX_RETRIES, 'five');

    // Act: both judge version 2 invalid and ask for its restore; the FIFO group runs them one by one
    await Promise.all([
      judgeBatch([changeEvent(MAX_RETRIES, 'Update', 'evt-1')]),
      judgeBatch([changeEvent(MAX_RETRIES, 'Update', 'evt-1')]),
    ]);
    const result = await queue.drain();

    // Assess
    expect(queue.sent.filter((r) => r.kind === 'restore')).toHaveLength(2);
    expect(result.restores.map((r) => r.status)).toEqual(['restored', 'superseded']);
    expect(store.calls.filter((c) => c === 'put')).toHaveLength(1);
    expect(publisher.ofType('Config Change Restored')).toHaveLength(1);
    expect(store.valueOf(MAX_RETRIES)).toBe('5');
  });

  it("judges and labels the reconcile's own writes but leaves their delivery to the reconcile", async () => {
    // Prepare
    const reconciler = 'arn:aws:sts::123456789012:assumed-role/config-steward-reconcile/fn';
    const { store, judge, queue, publisher } = await setup({
      reconcilerPrincipal: 'config-steward-reconcile',
    });
    store.seed(MAX_RETRIES, '5', 'String', reconciler);

    // Act
    const outcome = await judge(changeEvent(MAX_RETRIES));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'accepted', delivery: [] });
    expect(publisher.ofType('Config Change Accepted')).toHaveLength(1);
    expect((await store.history(MAX_RETRIES)).at(-1)?.labels).toEqual([LAST_KNOWN_GOOD]);
    expect(queue.sent).toEqual([]);
  });

  it('ends a reconcile storm with one deployment per (service, environment), after the last write', async () => {
    // Prepare: the reconcile rewrote every desired plain parameter of both environments
    const reconciler = 'arn:aws:sts::123456789012:assumed-role/config-steward-reconcile/fn';
    const { store, judgeBatch, queue, delivery, registry } = await setup({
      reconcilerPrincipal: 'config-steward-reconcile',
      autoDrain: false,
    });
    const written = registry
      .desiredParameters()
      .filter((p) => p.parameterType === 'String')
      .map((p) => {
        store.seed(p.name, p.value, 'String', reconciler);
        return p.name;
      });
    const events = written.map((name, i) => changeEvent(name, 'Update', `evt-${i}`));

    // Act: the change queue hands the writes over in batches of 10; then the reconcile asks once
    for (let i = 0; i < events.length; i += 10) {
      await judgeBatch(events.slice(i, i + 10));
    }
    const requestedByChanges = queue.sent.length;
    await queue.send(deliveriesAfterReconcile(registry, written, 'reconcile:req-1'));
    await queue.drain();

    // Assess: every write judged and labelled, no delivery per write, one deployment per document
    expect(written.length).toBeGreaterThan(10);
    for (const name of written) expect((await store.history(name)).at(-1)?.labels).toEqual([LAST_KNOWN_GOOD]);
    expect(requestedByChanges).toBe(0);
    expect(delivery.deployments.map((d) => d.environmentId).sort()).toEqual([
      'env-orders-production',
      'env-orders-staging',
      'env-payments-production',
      'env-payments-staging',
    ]);
  });

  it('ignores a parameter outside the root without reading it', async () => {
    // Prepare
    const { store, judge, publisher } = await setup();

    // Act
    const outcome = await judge(changeEvent('/other-team/production/thing'));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'ignored', reason: 'outside-root' });
    expect(store.calls).toEqual([]);
    expect(publisher.events).toEqual([]);
  });

  it('reports a value that cannot be decrypted instead of restoring it blindly', async () => {
    // Prepare
    const { store, judge, publisher, tickets } = await setup();
    vi.spyOn(store, 'history').mockRejectedValueOnce(
      new ParameterAccessDeniedError('x', 'GetParameterHistory'),
    );

    // Act
    const outcome = await judge(changeEvent(MAX_RETRIES));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'unreadable', errorName: 'ParameterAccessDeniedError' });
    expect(store.calls.filter((c) => ['put', 'delete', 'label'].includes(c))).toEqual([]);
    expect(publisher.ofType('Config Change Rejected')[0]?.detail).toMatchObject({
      issues: [{ path: 'max-retries', message: 'the value cannot be read or decrypted' }],
    });
    expect(tickets.tickets[0]?.request.dedupKey).toBe(`unreadable:${MAX_RETRIES}`);
  });

  it('lets an unexpected store failure (throttled after retries) propagate so Lambda retries the change', async () => {
    // Prepare
    const { store, judge } = await setup();
    vi.spyOn(store, 'history').mockRejectedValueOnce(
      Object.assign(new Error('throttled'), { name: 'ParameterStoreThrottledError' }),
    );

    // Act
    const act = judge(changeEvent(MAX_RETRIES));

    // Assess
    await expect(act).rejects.toThrow('throttled');
  });

  it('rejects a secret-shaped key stored as a plain String', async () => {
    // Prepare
    const name = '/config/production/orders/webhook-signing-key';
    const { store, judge, publisher } = await setup();
    store.seed(name, 'k'.repeat(40), 'String');

    // Act
    const outcome = await judge(changeEvent(name));

    // Assess
    expect(outcome).toMatchObject({ outcome: 'rejected', restore: { from: 'deleted' } });
    expect(store.valueOf(name)).toBeUndefined();
    expect(publisher.ofType('Config Change Rejected')[0]?.detail).toMatchObject({
      issues: [{ path: 'webhook-signing-key', message: 'must be stored as SecureString, not String' }],
    });
  });
});
