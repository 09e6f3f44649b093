import { beforeEach, describe, expect, it } from 'vitest';
import { flipKillSwitch } from '../../functions/core/flags/flip-kill-switch.ts';
import type { DriftDependencies } from '../../functions/core/drift/run.ts';
import { driftUntilDone, type StepBudget } from '../../functions/core/drift/step.ts';
import { defineService, type Organisation } from '../../functions/core/model.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { driftSourceOf } from '../support/parameter-store-drift-source.ts';
import { InMemoryAppConfig, ManualClock, searchKillSwitchTargets } from '../support/in-memory-appconfig.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { LocalHmacFingerprinter } from '../support/local-hmac-fingerprinter.ts';
import { InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';

const ENVIRONMENTS = ['staging', 'production'];
const search = defineService({
  name: 'search',
  keys: {},
  values: {},
  flags: {
    'disable-recommendations': {
      description: 'Kill switch: stop calling the recommendations service',
      owner: 'team-search',
      type: 'kill-switch',
      created: '2026-06-01',
      environments: { staging: { enabled: false }, production: { enabled: false } },
    },
  },
});
const organisation: Organisation = {
  services: [defineService({ name: 'shared', keys: {}, values: {} }), search],
};
const targets = searchKillSwitchTargets;
const unlimited = (): StepBudget => ({
  remainingMs: () => Number.POSITIVE_INFINITY,
  marginMs: 0,
  requestsPerSecond: 20,
});

describe('Nightly drift: kill switches past their until', () => {
  let clock: ManualClock;
  let appConfig: InMemoryAppConfig;
  let tracker: InMemoryTicketTracker;
  let drift: DriftDependencies;

  const flip = (enabled: boolean, until?: string) =>
    flipKillSwitch(
      {
        service: 'search',
        switchName: 'disable-recommendations',
        environment: 'production',
        enabled,
        reason: enabled ? 'recommendations time out' : 'healthy again',
        ...(until ? { until } : {}),
      },
      {
        organisation,
        environments: ENVIRONMENTS,
        targets,
        delivery: appConfig,
        identity: { callerArn: async () => 'arn:aws:sts::123456789012:assumed-role/oncall/alice' },
        publisher: new RecordingEventPublisher(),
        tracker,
        clock,
      },
    );
  const overdueTickets = () =>
    tracker.tickets.filter((t) => t.request.dedupKey.startsWith('kill-switch-overdue:'));

  beforeEach(() => {
    clock = new ManualClock(new Date('2026-11-30T12:00:00Z'));
    appConfig = new InMemoryAppConfig(clock).strategy('strategy-kill-switch', 0);
    tracker = new InMemoryTicketTracker();
    drift = {
      registry: new SchemaRegistry(organisation, { parameterRoot: 'config', environments: ENVIRONMENTS }),
      source: driftSourceOf(new InMemoryParameterStore()),
      clock,
      fingerprinter: new LocalHmacFingerprinter(),
      tracker,
      publisher: new RecordingEventPublisher(),
      killSwitches: { targets, reader: appConfig },
    };
  });

  it('reports nothing while the until lies ahead', async () => {
    // Prepare
    await flip(true, '2026-11-30T18:00:00Z');

    // Act
    const run = await driftUntilDone(drift, unlimited);

    // Assess
    expect(run.checkpoint.findingsByKind['kill-switch-overdue']).toBe(0);
    expect(overdueTickets()).toEqual([]);
  });

  it('files one ticket for a switch still on after its until, deduplicated across runs, resolved once it is off', async () => {
    // Prepare
    await flip(true, '2026-11-30T18:00:00Z');
    clock.advanceMinutes(24 * 60);

    // Act
    const first = await driftUntilDone(drift, unlimited);
    const second = await driftUntilDone(drift, unlimited);
    await flip(false);
    const afterOff = await driftUntilDone(drift, unlimited);

    // Assess
    expect(first.findings.filter((f) => f.kind === 'kill-switch-overdue')).toEqual([
      expect.objectContaining({
        parameter: 'kill-switches/production/search/disable-recommendations',
        environment: 'production',
        service: 'search',
        detail: expect.stringMatching(/still on in production after its until \(2026-11-30T18:00:00.000Z\)/),
      }),
    ]);
    expect(second.checkpoint.findingsByKind['kill-switch-overdue']).toBe(1);
    expect(overdueTickets()).toHaveLength(1);
    expect(overdueTickets()[0]?.request.severity).toBe('high');
    expect(afterOff.checkpoint.findingsByKind['kill-switch-overdue']).toBe(0);
    expect(overdueTickets()[0]?.open).toBe(false);
  });

  it('reports a kill-switch environment it cannot read as a read-error for those switches alone', async () => {
    // Prepare
    drift = {
      ...drift,
      killSwitches: {
        targets,
        reader: {
          servedDeployment: async () => {
            throw new Error('AccessDeniedException');
          },
          hostedContent: async () => '',
        },
      },
    };

    // Act
    const run = await driftUntilDone(drift, unlimited);

    // Assess
    expect(run.findings.filter((f) => f.kind === 'read-error').map((f) => f.parameter)).toEqual([
      'kill-switches/staging/search/',
      'kill-switches/production/search/',
    ]);
  });
});
