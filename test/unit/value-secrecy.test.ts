/**
 * No value that must not travel can be recovered from what validate-change and the drift run publish:
 * a SecureString, a credential-like value under a plain `string()` key, and a value of a key declared
 * `sensitive`. Events and tickets carry neither the value nor its plain SHA-256 (which a guess could
 * be checked against), only a keyed fingerprint: equal values show equal fingerprints, and without
 * the key even a 4-digit PIN cannot be found by enumerating its 10,000 candidates.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkDesiredState } from '../../functions/core/check.ts';
import { runDrift } from '../../functions/core/drift/run.ts';
import { integer, string } from '../../functions/core/keys.ts';
import { defineService } from '../../functions/core/model.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { deliverDocument } from '../../functions/core/delivery/deliver.ts';
import { InProcessDeliveryQueue } from '../../functions/core/delivery/in-process-queue.ts';
import type { ParameterChange } from '../../functions/core/validation/change-event.ts';
import { validateChanges } from '../../functions/core/validation/validate-batch.ts';
import { LAST_KNOWN_GOOD } from '../../functions/core/names.ts';
import type { ValidateChangeDependencies } from '../../functions/core/validation/judgement.ts';
import { loadSettings } from '../../lib/settings.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { LocalHmacFingerprinter, TEST_FINGERPRINT_KEY } from '../support/local-hmac-fingerprinter.ts';
import { driftSourceOf } from '../support/parameter-store-drift-source.ts';
import { FixedClock, InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';
import { RecordingConfigDelivery } from '../support/validate-change-harness.ts';

const billing = defineService({
  name: 'billing',
  keys: {
    pin: string({ secure: true, pattern: /^\d{4}$/ }),
    'legacy-login': string(),
    'upstream-host': string({ sensitive: true }),
    'upstream-port': integer({ min: 1, max: 65535 }, { sensitive: true }),
    'max-retries': integer({ min: 0, max: 10 }),
  },
  values: {
    staging: { 'upstream-host': 'db-7.stg.internal', 'upstream-port': 6543, 'max-retries': 3 },
    production: { 'upstream-host': 'db-7.prd.internal', 'upstream-port': 6543, 'max-retries': 3 },
  },
});
const organisation = { services: [defineService({ name: 'shared', keys: {}, values: {} }), billing] };
const registry = new SchemaRegistry(organisation, {
  parameterRoot: 'config',
  environments: ['staging', 'production'],
});
const name = (environment: string, key: string) => `/config/${environment}/billing/${key}`;

/** Every value of these tests that must never surface, with its plain SHA-256. */
const SECRET_VALUES = [
  '4821', // the current PIN
  '7395', // the PIN before
  'x9q', // a rejected PIN
  'Tr0ub4dor&3',
  'user:Sup3rS3cret!',
  'P@ssw0rd!',
  'db-8.prd.internal',
  'db-7.prd.internal',
  'db-9.stg.internal',
  'db-7.stg.internal',
];
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

function expectNothingRecoverable(published: unknown): void {
  const text = JSON.stringify(published);
  for (const value of SECRET_VALUES) {
    expect(text, value).not.toContain(value);
    expect(text, `SHA-256 of ${value}`).not.toContain(sha256(value));
  }
}

function ports(fingerprinter = new LocalHmacFingerprinter()) {
  const store = new InMemoryParameterStore();
  const publisher = new RecordingEventPublisher();
  const tickets = new InMemoryTicketTracker();
  const deps = {
    registry,
    store,
    publisher,
    tickets,
    fingerprinter,
    clock: new FixedClock(new Date('2026-11-20T16:45:00Z')),
    enforcement: () => 'enforce' as const,
  };
  return { store, publisher, tickets, deps, fingerprinter };
}

/** A labelled previous version, then the version under judgement. */
async function edit(
  store: InMemoryParameterStore,
  parameter: string,
  previous: string,
  next: string,
  type: 'String' | 'SecureString' = 'String',
) {
  const version = store.seed(parameter, previous, type);
  await store.label(parameter, version, [LAST_KNOWN_GOOD]);
  store.seed(parameter, next, type);
}

/** One change judged as a batch of one, its requests (the restore) run at once as deliver-changes would. */
async function validateChange(change: ParameterChange, deps: ValidateChangeDependencies) {
  const requests = new InProcessDeliveryQueue({
    ...deps,
    delivery: new RecordingConfigDelivery(),
    targets: {},
  });
  const { outcomes } = await validateChanges([{ recordId: change.eventId, change }], { ...deps, requests });
  return outcomes.get(change.eventId)!;
}

const change = (parameter: string, eventId: string): ParameterChange => ({
  eventId,
  time: '2026-11-20T16:44:48Z',
  name: parameter,
  operation: 'Update' as const,
});

describe('Value secrecy: validate-change', () => {
  it('publishes only fingerprints for a SecureString, credential-like and sensitive values, accepted or rejected', async () => {
    // Prepare
    const { store, publisher, tickets, deps } = ports();
    await edit(store, name('production', 'pin'), '7395', '4821', 'SecureString');
    await edit(store, name('production', 'legacy-login'), 'P@ssw0rd!', 'Tr0ub4dor&3');
    await edit(store, name('staging', 'legacy-login'), 'P@ssw0rd!', 'user:Sup3rS3cret!');
    await edit(store, name('production', 'upstream-host'), 'db-7.prd.internal', 'db-8.prd.internal');

    // Act: four accepted changes, then a rejected PIN restored from its last-known-good version
    const accepted = [];
    for (const [i, parameter] of [
      name('production', 'pin'),
      name('production', 'legacy-login'),
      name('staging', 'legacy-login'),
      name('production', 'upstream-host'),
    ].entries()) {
      accepted.push(await validateChange(change(parameter, `evt-${i}`), deps));
    }
    store.seed(name('production', 'pin'), 'x9q', 'SecureString');
    const rejected = await validateChange(change(name('production', 'pin'), 'evt-reject'), deps);

    // Assess: every path ran, and each event carries a fingerprint and no value
    expect(accepted.map((o) => o.outcome)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(rejected).toMatchObject({ outcome: 'rejected', restore: { from: 'last-known-good' } });
    expect(publisher.ofType('Config Change Restored')).toHaveLength(1);
    for (const event of publisher.ofType('Config Change Accepted')) {
      expect(event.detail).toMatchObject({
        valueFingerprint: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}$/),
      });
      expect(event.detail).not.toHaveProperty('value');
      expect(event.detail).not.toHaveProperty('previousValue');
    }
    expect(publisher.ofType('Config Change Rejected')[0]?.detail).toMatchObject({
      valueFingerprint: expect.stringMatching(/^hmac-sha256:/),
    });
    expect(tickets.tickets[0]?.request.body).toMatch(
      /Fingerprint of the rejected value: `hmac-sha256:[0-9a-f]{64}`/,
    );
    expectNothingRecoverable({ events: publisher.events, tickets: tickets.tickets, accepted, rejected });
  });

  it('still shows a plain value of an ordinary key, with its fingerprint', async () => {
    // Prepare
    const { store, publisher, deps } = ports();
    await edit(store, name('production', 'max-retries'), '3', '5');

    // Act
    await validateChange(change(name('production', 'max-retries'), 'evt-1'), deps);

    // Assess
    expect(publisher.ofType('Config Change Accepted')[0]?.detail).toMatchObject({
      value: '5',
      previousValue: '3',
      valueFingerprint: expect.stringMatching(/^hmac-sha256:/),
    });
  });

  it('fingerprints a rejected value once for its ticket and its event', async () => {
    // Prepare
    const { store, deps, fingerprinter } = ports();
    await edit(store, name('production', 'pin'), '7395', 'x9q', 'SecureString');

    // Act
    await validateChange(change(name('production', 'pin'), 'evt-1'), deps);

    // Assess
    expect(fingerprinter.calls).toBe(1);
  });

  it('gives equal values equal fingerprints across events, and another key other fingerprints', async () => {
    // Prepare: the same password under two environments, judged by two deployments with their own keys
    const ours = ports();
    const theirs = ports(new LocalHmacFingerprinter('another deployment'));
    for (const { store } of [ours, theirs]) {
      await edit(store, name('staging', 'legacy-login'), 'P@ssw0rd!', 'Tr0ub4dor&3');
      await edit(store, name('production', 'legacy-login'), 'P@ssw0rd!', 'Tr0ub4dor&3');
    }

    // Act
    for (const { deps } of [ours, theirs]) {
      await validateChange(change(name('staging', 'legacy-login'), 'evt-1'), deps);
      await validateChange(change(name('production', 'legacy-login'), 'evt-2'), deps);
    }

    // Assess
    const fingerprints = (p: ReturnType<typeof ports>) =>
      p.publisher
        .ofType('Config Change Accepted')
        .map((e) => (e.detail as { valueFingerprint: string }).valueFingerprint);
    const [a, b] = fingerprints(ours);
    const [c] = fingerprints(theirs);
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('leaves a 4-digit PIN unrecoverable by enumeration without the key, and recoverable with it', async () => {
    // Prepare
    const { store, publisher, deps } = ports();
    await edit(store, name('production', 'pin'), '7395', '4821', 'SecureString');
    await validateChange(change(name('production', 'pin'), 'evt-1'), deps);
    const published = (publisher.ofType('Config Change Accepted')[0]?.detail as { valueFingerprint: string })
      .valueFingerprint;
    const candidates = Array.from({ length: 10_000 }, (_, i) => String(i).padStart(4, '0'));
    const keyed = (key: string, candidate: string) =>
      `hmac-sha256:${createHmac('sha256', key).update(createHash('sha256').update(candidate).digest()).digest('hex')}`;

    // Act: what a reader of events can try, and what only a holder of the key can
    const byPlainHash = candidates.find((c) => published.endsWith(sha256(c)));
    const byGuessedKeys = ['', 'config-steward', 'steward', 'secret'].flatMap((key) =>
      candidates.filter((c) => keyed(key, c) === published),
    );
    const byTheKey = candidates.find((c) => keyed(TEST_FINGERPRINT_KEY, c) === published);

    // Assess: the key is the whole protection, which is why only two functions may use it
    expect(byPlainHash).toBeUndefined();
    expect(byGuessedKeys).toEqual([]);
    expect(byTheKey).toBe('4821');
  });
});

describe('Value secrecy: drift', () => {
  it('publishes only fingerprints of secret, credential-like and sensitive values in findings, tickets and the event', async () => {
    // Prepare: an invalid PIN, two credentials under a plain key that also differ between environments,
    // a drifted sensitive host, and a missing sensitive host
    const store = new InMemoryParameterStore();
    const labelled = async (parameter: string, value: string, type: 'String' | 'SecureString' = 'String') => {
      await store.label(parameter, store.seed(parameter, value, type), [LAST_KNOWN_GOOD]);
    };
    await labelled(name('staging', 'pin'), 'x9q', 'SecureString');
    await labelled(name('staging', 'legacy-login'), 'Tr0ub4dor&3');
    await labelled(name('production', 'legacy-login'), 'user:Sup3rS3cret!');
    await labelled(name('staging', 'upstream-host'), 'db-9.stg.internal');
    await labelled(name('staging', 'upstream-port'), '6543');
    await labelled(name('production', 'upstream-port'), '6543');
    for (const environment of ['staging', 'production'])
      await labelled(name(environment, 'max-retries'), '3');
    const tracker = new InMemoryTicketTracker();
    const publisher = new RecordingEventPublisher();

    // Act
    const report = await runDrift({
      registry,
      source: driftSourceOf(store),
      clock: new FixedClock(new Date('2026-11-23T02:00:00Z')),
      fingerprinter: new LocalHmacFingerprinter(),
      tracker,
      publisher,
    });

    // Assess: each finding that names a value names its fingerprint
    const byKind = (kind: string, key: string) =>
      report.findings.find((f) => f.kind === kind && f.parameter.endsWith(`/${key}`));
    expect(byKind('invalid', 'pin')).toMatchObject({
      values: 'fingerprint',
      actual: expect.stringMatching(/^hmac-sha256:/),
    });
    expect(report.findings.filter((f) => f.kind === 'plaintext-secret')).toHaveLength(2);
    expect(byKind('value-drift', 'upstream-host')).toMatchObject({
      values: 'fingerprint',
      expected: expect.stringMatching(/^hmac-sha256:/),
      actual: expect.stringMatching(/^hmac-sha256:/),
    });
    expect(byKind('missing', 'upstream-host')).toMatchObject({
      environment: 'production',
      values: 'fingerprint',
    });
    for (const finding of report.findings.filter((f) => f.expected !== undefined || f.actual !== undefined)) {
      expect(finding.values, `${finding.kind} ${finding.parameter}`).toBe('fingerprint');
    }
    expect(tracker.tickets.length).toBe(report.findings.length);
    expectNothingRecoverable({ report, tickets: tracker.tickets, events: publisher.events });
  });
});

describe('Value secrecy: delivery', () => {
  it('publishes no plain hash of a document that holds sensitive values, in its event or its report', async () => {
    // Prepare: the billing document of staging holds a sensitive port; a reader of events knows the
    // rest of it (defaults, and every other value from Config Change Accepted)
    const store = new InMemoryParameterStore();
    const stored = {
      'legacy-login': 'svc-billing',
      'upstream-host': 'db-7.stg.internal',
      'upstream-port': '6543',
      'max-retries': '3',
    };
    for (const [key, value] of Object.entries(stored)) store.seed(name('staging', key), value);
    const clock = new FixedClock(new Date('2026-11-20T16:45:00Z'));
    const delivery = new RecordingConfigDelivery({ clock });
    const targets = {
      billing: {
        applicationId: 'app-billing',
        documentProfileId: 'doc-billing',
        flagsProfileId: 'flags-billing',
        environments: { staging: { environmentId: 'env-staging', deploymentStrategyId: 'strategy' } },
      },
    };

    // Act
    const { report, events } = await deliverDocument(
      {
        service: 'billing',
        environment: 'staging',
        triggeringEventIds: ['evt-1'],
        newestQueuedAt: new Date('2026-11-20T16:44:55Z'),
        retried: false,
      },
      { registry, store, delivery, targets, clock },
    );

    // Assess: a deployment started, and enumerating the port against what it published finds nothing
    expect(report).toMatchObject({ status: 'started' });
    expect(events.map((e) => e.detailType)).toEqual(['Config Deployment Started']);
    const published = JSON.stringify({ report, events });
    const documentOf = (port: number) => {
      const values = new Map(Object.entries({ ...stored, 'upstream-port': String(port) }));
      const composed = registry.compose('billing', 'staging', (owner, key) =>
        owner === 'billing' ? values.get(key) : undefined,
      );
      return composed.ok ? JSON.stringify(composed.document) : '';
    };
    expect(delivery.hosted[0]?.content).toBe(documentOf(6543));
    const recovered = Array.from({ length: 1000 }, (_, i) => 6000 + i).filter((port) =>
      published.includes(sha256(documentOf(port))),
    );
    expect(recovered).toEqual([]);
  });
});

describe('Value secrecy: steward check', () => {
  it('names the key of a sensitive value that fails its schema, never the value', () => {
    // Prepare
    const broken = defineService({
      ...billing,
      values: { staging: { 'upstream-port': 70_000 }, production: {} },
    } as never);

    // Act
    const findings = checkDesiredState(
      { services: [defineService({ name: 'shared', keys: {}, values: {} }), broken] },
      loadSettings('config/settings.json'),
    );

    // Assess
    const invalid = findings.find((f) => f.rule === 'invalid-value');
    expect(invalid).toMatchObject({ subject: name('staging', 'upstream-port') });
    expect(invalid?.value).toBeUndefined();
    expect(JSON.stringify(findings)).not.toContain('70000');
  });
});
