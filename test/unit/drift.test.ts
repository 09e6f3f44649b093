import { beforeEach, describe, expect, it } from 'vitest';
import { rotationProblem, scheduleIntervalMs } from '../../functions/core/drift/detect.ts';
import { type DriftFinding, dedupKeyOf, ticketFor } from '../../functions/core/drift/findings.ts';
import { DriftReadError } from '../../functions/core/drift/read.ts';
import { MAX_EVENT_TICKETS, runDrift } from '../../functions/core/drift/run.ts';
import type { MetricPoint } from '../../functions/ports/metrics.ts';
import { sha256 } from '../../functions/core/hash.ts';
import { duration, integer, oneOf, string, url } from '../../functions/core/keys.ts';
import { defineService } from '../../functions/core/model.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { validationDedupKey } from '../../functions/core/validation/ticket-keys.ts';
import type { DriftParameterSource } from '../../functions/ports/drift.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { InMemorySecretInventory } from '../support/in-memory-secret-inventory.ts';
import { LocalHmacFingerprinter } from '../support/local-hmac-fingerprinter.ts';
import { driftSourceOf } from '../support/parameter-store-drift-source.ts';
import { FixedClock, InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';

const SECRET_VALUE = 'S3cr3t-Value-Never-Shown-42';
const PLAINTEXT_TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ';

const orders = defineService({
  name: 'orders',
  keys: {
    'max-retries': integer({ min: 0, max: 10 }, { default: 3 }),
    timeout: duration({ min: '1s', max: '60s' }),
    port: integer({ min: 1, max: 65535 }),
    mode: oneOf(['a', 'b'], { default: 'a' }),
    'region-hint': string(),
    'provider-url': url(),
    'db-password': string({ secure: true }),
    banner: string(),
    'signing-url': url({ secure: true }),
  },
  values: {
    staging: { 'max-retries': 3, timeout: '5s', port: 8080, 'provider-url': 'https://sandbox.example.com' },
    production: { 'max-retries': 3, timeout: '5s', port: 8080, 'provider-url': 'https://api.example.com' },
  },
  expectedOverrides: { 'provider-url': 'staging talks to the sandbox' },
  secrets: {
    'api-key': {
      description: 'webhook key',
      shape: 'api-key',
      rotation: { strategy: 'random', schedule: 'rate(30 days)' },
    },
  },
});
const shared = defineService({ name: 'shared', keys: {}, values: {} });
const registry = new SchemaRegistry(
  { services: [shared, orders] },
  { parameterRoot: 'config', environments: ['staging', 'production'] },
);
const NOW = new Date('2026-11-23T02:00:00Z');
const DAY = 86_400_000;

/** Seeds a value and labels it last-known-good, as an accepted change would. */
function accepted(
  store: InMemoryParameterStore,
  name: string,
  value: string,
  type: 'String' | 'SecureString' = 'String',
) {
  const version = store.seed(name, value, type);
  void store.label(name, version, ['last-known-good']);
  return version;
}

function seedWorld(store: InMemoryParameterStore) {
  const s = '/config/staging/orders';
  const p = '/config/production/orders';
  accepted(store, `${s}/max-retries`, '3');
  accepted(store, `${p}/max-retries`, '7'); // value-drift
  accepted(store, `${s}/timeout`, '5s'); // production missing
  accepted(store, `${s}/port`, 'abc'); // invalid
  accepted(store, `${p}/port`, '8080');
  accepted(store, `${s}/mode`, 'a');
  accepted(store, `${p}/mode`, 'b'); // env-divergence (values)
  accepted(store, `${s}/region-hint`, 'eu'); // env-divergence (only in staging)
  accepted(store, `${s}/provider-url`, 'https://sandbox.example.com');
  store.seed(`${s}/provider-url`, 'https://sandbox.example.com'); // label-mismatch: v2 never accepted
  accepted(store, `${p}/provider-url`, 'https://api.example.com');
  accepted(store, `${s}/db-password`, SECRET_VALUE, 'SecureString');
  accepted(store, `${p}/db-password`, 'another-secret-value', 'SecureString');
  accepted(store, `${s}/banner`, PLAINTEXT_TOKEN); // plaintext-secret
  accepted(store, `${p}/banner`, PLAINTEXT_TOKEN); // plaintext-secret
  store.seed(`${s}/max-retires`, '3'); // unmanaged
}

const secrets = new InMemorySecretInventory({
  'config/staging/orders/api-key': {
    rotationEnabled: true,
    lastRotatedDate: new Date(NOW.getTime() - 10 * DAY),
  },
  'config/production/orders/api-key': {
    rotationEnabled: true,
    lastRotatedDate: new Date(NOW.getTime() - 60 * DAY),
  },
});

const kinds = (findings: readonly DriftFinding[]) => findings.map((f) => `${f.kind} ${f.parameter}`).sort();

describe('Function: runDrift', () => {
  let store: InMemoryParameterStore;
  let tracker: InMemoryTicketTracker;
  let publisher: RecordingEventPublisher;
  let metrics: MetricPoint[];
  let fingerprinter: LocalHmacFingerprinter;
  const deps = () => ({
    registry,
    source: driftSourceOf(store),
    clock: new FixedClock(NOW),
    fingerprinter,
    secrets,
    tracker,
    publisher,
    metrics: { record: (m: MetricPoint) => metrics.push(m) },
    parameterArn: (name: string) => `arn:aws:ssm:eu-west-1:123456789012:parameter${name}`,
  });

  beforeEach(() => {
    store = new InMemoryParameterStore();
    tracker = new InMemoryTicketTracker();
    publisher = new RecordingEventPublisher();
    metrics = [];
    fingerprinter = new LocalHmacFingerprinter();
    seedWorld(store);
  });

  it('finds every kind of drift across two environments, one finding per problem', async () => {
    // Act
    const report = await runDrift(deps(), { runId: 'run-1' });

    // Assess
    expect(kinds(report.findings)).toEqual(
      [
        'env-divergence /config/production/orders/mode',
        'env-divergence /config/production/orders/region-hint',
        'invalid /config/staging/orders/port',
        'label-mismatch /config/staging/orders/provider-url',
        'missing /config/production/orders/timeout',
        'plaintext-secret /config/production/orders/banner',
        'plaintext-secret /config/staging/orders/banner',
        'rotation-overdue config/production/orders/api-key',
        'unmanaged /config/staging/orders/max-retires',
        'value-drift /config/production/orders/max-retries',
      ].sort(),
    );
    expect(report.parametersScanned).toBe(15);
    expect(report.findingsByKind).toMatchObject({
      'value-drift': 1,
      missing: 1,
      'read-error': 0,
      'plaintext-secret': 2,
    });
  });

  it('shows values of plain parameters and keyed fingerprints of everything else', async () => {
    // Act
    const { findings } = await runDrift(deps());

    // Assess
    const drift = findings.find((f) => f.kind === 'value-drift');
    expect(drift).toMatchObject({
      expected: '3',
      actual: '7',
      values: 'plain',
      service: 'orders',
      key: 'max-retries',
    });
    const divergence = findings.find((f) => f.parameter.endsWith('/mode'));
    expect(divergence).toMatchObject({
      expected: 'a',
      actual: 'b',
      values: 'plain',
      environment: 'production',
    });
    const plaintext = findings.find((f) => f.kind === 'plaintext-secret');
    expect(plaintext).toMatchObject({
      actual: await fingerprinter.fingerprint(PLAINTEXT_TOKEN),
      values: 'fingerprint',
    });
    expect(plaintext?.detail).toContain('GitHub token');
  });

  it('never lets a secret value reach a finding, a ticket, an event or a metric', async () => {
    // Prepare: make the SecureString invalid too, so its value goes through the invalid path
    store.seed('/config/staging/orders/db-password', '', 'SecureString');
    store.seed('/config/staging/orders/port', SECRET_VALUE);
    store.seed('/config/staging/orders/signing-url', SECRET_VALUE, 'SecureString');

    // Act
    const report = await runDrift(deps());

    // Assess
    expect(report.findings.find((f) => f.parameter === '/config/staging/orders/signing-url')).toMatchObject({
      kind: 'invalid',
      actual: await fingerprinter.fingerprint(SECRET_VALUE),
      values: 'fingerprint',
    });
    const captured = JSON.stringify({ report, tickets: tracker.tickets, events: publisher.events, metrics });
    for (const secret of [SECRET_VALUE, PLAINTEXT_TOKEN, 'another-secret-value']) {
      expect(captured).not.toContain(secret);
      expect(captured).not.toContain(sha256(secret));
    }
  });

  it('files one ticket per finding, with dedup key, severity and the parameter ARN', async () => {
    // Act
    const report = await runDrift(deps());

    // Assess
    expect(tracker.tickets).toHaveLength(report.findings.length);
    const drift = tracker.tickets.find(
      (t) => t.request.dedupKey === 'value-drift:/config/production/orders/max-retries',
    );
    expect(drift?.request).toMatchObject({
      severity: 'medium',
      category: 'drift',
      resourceArns: ['arn:aws:ssm:eu-west-1:123456789012:parameter/config/production/orders/max-retries'],
    });
    expect(
      tracker.tickets.find((t) => t.request.dedupKey.startsWith('plaintext-secret:'))?.request.severity,
    ).toBe('critical');
    expect(report.filed).toBe(report.findings.length);
  });

  it('does not re-file on a later night while the ticket is open, and resolves what disappeared', async () => {
    // Prepare
    await runDrift(deps());
    const filed = tracker.tickets.length;
    await store.put('/config/production/orders/max-retries', '3', 'String');
    const v = (await store.history('/config/production/orders/max-retries')).at(-1)?.version ?? 0;
    await store.label('/config/production/orders/max-retries', v, ['last-known-good']);

    // Act
    const second = await runDrift(deps());

    // Assess
    expect(tracker.tickets).toHaveLength(filed);
    expect(second.filed).toBe(0);
    expect(second.resolvedTickets).toHaveLength(1);
    const resolved = tracker.tickets.find((t) => !t.open);
    expect(resolved?.request.dedupKey).toBe('value-drift:/config/production/orders/max-retries');
    expect(resolved?.comments[0]).toContain('no longer finds value-drift');
  });

  it("closes a rejected change's ticket once a later version of the parameter is live and valid", async () => {
    // Prepare: validate-change rejected staging port v1 ('abc', left in place by report mode)
    const port = '/config/staging/orders/port';
    const { ref } = await tracker.file({
      dedupKey: validationDedupKey(port, 1),
      title: `Invalid configuration change to ${port} (version 1)`,
      body: 'failed validation',
      severity: 'high',
      category: 'validation',
    });
    const ticket = () => tracker.tickets.find((t) => t.ref.id === ref.id)!;

    // Act + Assess: still version 1 and invalid, so the ticket stays open
    expect((await runDrift(deps())).resolvedTickets).not.toContainEqual(ref);
    expect(ticket().open).toBe(true);

    // Act + Assess: version 2 is invalid too, still open
    await store.put(port, 'xyz', 'String');
    await runDrift(deps());
    expect(ticket().open).toBe(true);

    // Act + Assess: version 3 is valid but validate-change has not accepted it yet: still open
    await store.put(port, '8080', 'String');
    await runDrift(deps());
    expect(ticket().open).toBe(true);

    // Act + Assess: accepted (labelled), the ticket is resolved with the version, never a value
    await store.label(port, 3, ['last-known-good']);
    const report = await runDrift(deps());
    expect(ticket().open).toBe(false);
    expect(report.resolvedTickets).toContainEqual(ref);
    expect(ticket().comments).toEqual([
      `Resolved by Config Steward: version 3 of ${port} is live and valid (nightly drift run).`,
    ]);
    expect(publisher.events.at(-1)?.detail).toMatchObject({ resolvedTickets: expect.arrayContaining([ref]) });
  });

  it('leaves the ticket of a rejected unknown key open while the key is still unmanaged', async () => {
    // Prepare: a hand-made key validate-change rejected (report mode), then overwritten and labelled
    const unknown = '/config/staging/orders/max-retires';
    await tracker.file({
      dedupKey: validationDedupKey(unknown, 1),
      title: `Invalid configuration change to ${unknown} (version 1)`,
      body: 'unknown key',
      severity: 'high',
      category: 'validation',
    });
    await store.put(unknown, '4', 'String');
    await store.label(unknown, 2, ['last-known-good']);

    // Act
    await runDrift(deps());

    // Assess
    expect(tracker.tickets.find((t) => t.request.dedupKey === validationDedupKey(unknown, 1))?.open).toBe(
      true,
    );
  });

  it("closes a rejected deletion's ticket once the parameter is back and valid, and not while unread", async () => {
    // Prepare: deletions of staging max-retries and production timeout were rejected
    const back = '/config/staging/orders/max-retries';
    const gone = '/config/production/orders/timeout';
    for (const name of [back, gone]) {
      await tracker.file({
        dedupKey: validationDedupKey(name),
        title: `Invalid configuration change to ${name} (deleted)`,
        body: 'deleted, but the desired state requires this key',
        severity: 'high',
        category: 'validation',
      });
    }
    const isOpen = (name: string) =>
      tracker.tickets.find((t) => t.request.dedupKey === validationDedupKey(name))!.open;

    // Act: staging cannot be read this night
    await runDrift({ ...deps(), source: failingOn(driftSourceOf(store), '/config/staging') });

    // Assess: nothing closed for what was not read
    expect(isOpen(back)).toBe(true);

    // Act: a night that reads everything
    await runDrift(deps());

    // Assess: the parameter that exists and is valid closes; the one still missing stays open
    expect(isOpen(back)).toBe(false);
    expect(isOpen(gone)).toBe(true);
  });

  it('publishes exactly one Config Drift Detected event per run, with counts and ticket references', async () => {
    // Act
    await runDrift(deps(), { runId: 'run-7' });

    // Assess
    expect(publisher.events).toHaveLength(1);
    const [event] = publisher.ofType('Config Drift Detected');
    expect(event?.detail).toMatchObject({
      runId: 'run-7',
      environments: ['staging', 'production'],
      parametersScanned: 15,
      findingsByKind: expect.objectContaining({ 'env-divergence': 2, unmanaged: 1 }),
      resolvedTickets: [],
    });
    expect((event?.detail as { tickets?: unknown[] } | undefined)?.tickets).toHaveLength(10);
  });

  it('reports metrics: findings per kind, parameters scanned, API calls and duration', async () => {
    // Act
    await runDrift({ ...deps(), apiCalls: () => 42 });

    // Assess
    expect(metrics).toContainEqual({
      name: 'Findings',
      value: 1,
      unit: 'Count',
      dimensions: { Kind: 'invalid' },
    });
    expect(metrics).toContainEqual({ name: 'ParametersScanned', value: 15, unit: 'Count' });
    expect(metrics).toContainEqual({ name: 'ApiCalls', value: 42, unit: 'Count' });
    expect(metrics.some((m) => m.name === 'DurationMs' && m.unit === 'Milliseconds')).toBe(true);
  });

  it('does not report label-mismatch for a change still being validated', async () => {
    // Prepare: the store stamps versions at 2026-11-20; "now" is a few minutes after the last write
    const recent = new Date(Date.UTC(2026, 10, 20) + 60 * 60_000);

    // Act
    const report = await runDrift(
      { ...deps(), clock: new FixedClock(recent) },
      { validationGraceMinutes: 24 * 60 },
    );

    // Assess
    expect(report.findings.filter((f) => f.kind === 'label-mismatch')).toEqual([]);
  });

  it('reports an unreadable environment as read-error, checks the others, and keeps its tickets open', async () => {
    // Prepare
    await runDrift(deps());
    const source = failingOn(driftSourceOf(store), '/config/production');

    // Act
    const report = await runDrift({ ...deps(), source });

    // Assess
    expect(report.findings.filter((f) => f.kind === 'read-error').map((f) => f.parameter)).toEqual([
      '/config/production/',
    ]);
    expect(report.findings.some((f) => f.kind === 'invalid' && f.environment === 'staging')).toBe(true);
    expect(report.resolvedTickets).toEqual([]);
    expect(tracker.tickets.filter((t) => !t.open)).toEqual([]);
  });

  it('falls back to reading service by service when the environment path is refused', async () => {
    // Prepare
    const base = driftSourceOf(store);
    const source: DriftParameterSource = {
      ...base,
      getByPath: async (path, options) => {
        if (path === '/config/production' || path === '/config/production/shared')
          throw new Error('AccessDenied');
        return base.getByPath(path, options);
      },
    };

    // Act
    const report = await runDrift({ ...deps(), source });

    // Assess
    expect(report.findings.filter((f) => f.kind === 'read-error').map((f) => f.parameter)).toEqual([
      '/config/production/shared/',
    ]);
    expect(report.findings.some((f) => f.kind === 'value-drift')).toBe(true);
  });

  it('fails the run only when nothing could be read', async () => {
    // Prepare
    const source: DriftParameterSource = {
      ...driftSourceOf(store),
      getByPath: async () => {
        throw new Error('AccessDenied');
      },
    };

    // Act
    const result = runDrift({ ...deps(), source });

    // Assess
    await expect(result).rejects.toBeInstanceOf(DriftReadError);
  });

  it('checks only the environment asked for and leaves the other environment tickets alone', async () => {
    // Prepare
    await runDrift(deps());
    await store.put('/config/production/orders/max-retries', '3', 'String');

    // Act
    const report = await runDrift(deps(), { environments: ['staging'] });

    // Assess
    expect(report.environments).toEqual(['staging']);
    expect(report.findings.every((f) => f.environment === 'staging' || f.environment === '*')).toBe(true);
    expect(report.resolvedTickets).toEqual([]);
  });

  it('runs dry without a tracker or publisher', async () => {
    // Act
    const report = await runDrift({ ...deps(), tracker: undefined, publisher: undefined });

    // Assess
    expect(report.tickets).toEqual([]);
    expect(publisher.events).toEqual([]);
    expect(report.findings.length).toBeGreaterThan(0);
  });

  it('caps new tickets per run and files the rest on later runs', async () => {
    // Act
    const first = await runDrift(deps(), { maxNewTickets: 4 });
    const second = await runDrift(deps(), { maxNewTickets: 4 });

    // Assess
    expect(first.filed).toBe(4);
    expect(first.deferred).toBe(first.findings.length - 4);
    expect(second.filed).toBe(4);
    expect(tracker.tickets).toHaveLength(8);
  });

  it('reports a missing managed secret and rotation that is off or failed', async () => {
    // Prepare
    const inventory = new InMemorySecretInventory({
      'config/staging/orders/api-key': { rotationEnabled: false },
    });

    // Act
    const report = await runDrift({ ...deps(), secrets: inventory });

    // Assess
    expect(report.findings.find((f) => f.parameter === 'config/staging/orders/api-key')).toMatchObject({
      kind: 'rotation-overdue',
      detail: 'rotation is turned off',
    });
    expect(report.findings.find((f) => f.parameter === 'config/production/orders/api-key')).toMatchObject({
      kind: 'missing',
    });
  });
});

describe('Function: rotationProblem', () => {
  it('accepts a rotation within its schedule and flags a failed or late one', () => {
    // Prepare
    const base = { name: 's', exists: true, rotationEnabled: true };

    // Act / Assess
    expect(
      rotationProblem(
        { ...base, lastRotatedDate: new Date(NOW.getTime() - 6 * DAY) },
        'cron(0 3 ? * SUN *)',
        '2h',
        NOW,
      ),
    ).toBeUndefined();
    expect(
      rotationProblem(
        { ...base, lastRotatedDate: new Date(NOW.getTime() - 9 * DAY) },
        'cron(0 3 ? * SUN *)',
        '2h',
        NOW,
      ),
    ).toMatch(/9 days ago/);
    expect(rotationProblem({ ...base, lastRotationFailed: true }, 'rate(30 days)', undefined, NOW)).toMatch(
      /failed/,
    );
    expect(
      rotationProblem(
        { ...base, nextRotationDate: new Date(NOW.getTime() - 3 * DAY) },
        'rate(30 days)',
        '2h',
        NOW,
      ),
    ).toMatch(/has not happened/);
  });

  it('reads intervals from rate and cron expressions', () => {
    // Assess
    expect(scheduleIntervalMs('rate(30 days)')).toBe(30 * DAY);
    expect(scheduleIntervalMs('rate(12 hours)')).toBe(DAY / 2);
    expect(scheduleIntervalMs('cron(0 3 ? * SUN *)')).toBe(7 * DAY);
    expect(scheduleIntervalMs('cron(0 3 1 * ? *)')).toBe(31 * DAY);
    expect(scheduleIntervalMs('cron(0 3 * * ? *)')).toBe(DAY);
  });
});

describe('Function: ticketFor', () => {
  it('writes fingerprints as they are (hmac-sha256:…) and links the ARN', async () => {
    // Prepare
    const fingerprint = await new LocalHmacFingerprinter().fingerprint('x');
    const finding: DriftFinding = {
      kind: 'invalid',
      parameter: '/config/staging/orders/db-password',
      environment: 'staging',
      actual: fingerprint,
      values: 'fingerprint',
      detail: 'fails',
    };

    // Act
    const ticket = ticketFor(finding, (name) => `arn:aws:ssm:eu-west-1:1:parameter${name}`);

    // Assess
    expect(ticket.dedupKey).toBe(dedupKeyOf(finding));
    expect(ticket.body).toContain(`| actual | \`${fingerprint}\` |`);
    expect(ticket.data?.values).toBe('fingerprint');
    expect(ticket.resourceArns).toEqual([
      'arn:aws:ssm:eu-west-1:1:parameter/config/staging/orders/db-password',
    ]);
  });
});

function failingOn(source: DriftParameterSource, prefix: string): DriftParameterSource {
  const fail = (path: string) => {
    if (path.startsWith(prefix))
      throw Object.assign(new Error('access denied'), { name: 'ParameterAccessDeniedError' });
  };
  return {
    getByPath: async (path, options) => {
      fail(path);
      return source.getByPath(path, options);
    },
    describe: (path) => source.describe(path),
    getMany: (names) => source.getMany(names),
    overridesUnder: (path) => source.overridesUnder(path),
    labelledVersions: async (path, label) => {
      fail(path);
      return source.labelledVersions(path, label);
    },
  };
}

describe('Function: runDrift (event size)', () => {
  it('keeps at most MAX_EVENT_TICKETS ticket references in the event and counts the rest', async () => {
    // Prepare
    const store = new InMemoryParameterStore();
    for (let i = 0; i < MAX_EVENT_TICKETS + 20; i++) store.seed(`/config/staging/orders/stray-${i}`, 'x');
    const publisher = new RecordingEventPublisher();

    // Act
    const report = await runDrift(
      {
        registry,
        source: driftSourceOf(store),
        clock: new FixedClock(NOW),
        fingerprinter: new LocalHmacFingerprinter(),
        tracker: new InMemoryTicketTracker(),
        publisher,
      },
      { environments: ['staging'], maxNewTickets: 10_000 },
    );

    // Assess
    const detail = publisher.events[0]?.detail as { tickets: unknown[]; omittedTickets?: number };
    expect(detail.tickets).toHaveLength(MAX_EVENT_TICKETS);
    expect(detail.omittedTickets).toBe(report.findings.length - MAX_EVENT_TICKETS);
    expect(report.tickets.length).toBeGreaterThanOrEqual(MAX_EVENT_TICKETS + 20);
  });
});

describe('Function: runDrift (disclosure of a missing value)', () => {
  // A desired value in git that looks like a credential (check reports it; drift must still not show it).
  const CONNECTION_STRING = 'postgres://billing:Sup3rS3cret!@db.internal:5432/billing';
  const billing = defineService({
    name: 'billing',
    keys: { 'database-url': string(), 'page-size': integer({ min: 1, max: 100 }) },
    values: { production: { 'database-url': CONNECTION_STRING, 'page-size': 20 } },
  });
  const billingRegistry = new SchemaRegistry(
    { services: [shared, billing] },
    { parameterRoot: 'config', environments: ['production'] },
  );

  it('shows a missing plain value, and fingerprints a missing credential-looking one', async () => {
    // Prepare
    const store = new InMemoryParameterStore();
    const run = () =>
      runDrift({
        registry: billingRegistry,
        source: driftSourceOf(store),
        clock: new FixedClock(NOW),
        fingerprinter: new LocalHmacFingerprinter(),
        tracker: new InMemoryTicketTracker(),
        publisher: new RecordingEventPublisher(),
      });

    // Act
    const report = await run();

    // Assess
    const missing = (key: string) =>
      report.findings.find((f) => f.kind === 'missing' && f.parameter.endsWith(`/${key}`));
    expect(missing('page-size')).toMatchObject({ expected: '20', values: 'plain' });
    expect(missing('database-url')?.values).toBe('fingerprint');
    expect(missing('database-url')?.expected).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(report)).not.toContain('Sup3rS3cret');
  });
});
