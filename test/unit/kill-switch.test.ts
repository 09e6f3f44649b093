import { beforeEach, describe, expect, it } from 'vitest';
import {
  flipKillSwitch,
  type KillSwitchDependencies,
  KillSwitchEnvironmentBusyError,
  KillSwitchFollowUpError,
  type KillSwitchRequest,
  KillSwitchRequestError,
  killSwitchTicketKey,
} from '../../functions/core/flags/flip-kill-switch.ts';
import type { AppConfigFlagsDocument } from '../../functions/core/flags/flag-document-schema.ts';
import {
  flagsWithoutKillSwitches,
  flipSwitch,
  killSwitchDocument,
} from '../../functions/core/flags/kill-switches.ts';
import { overdueSwitches } from '../../functions/core/flags/deployed-switches.ts';
import { defineService, type FlagDefinition, type Organisation } from '../../functions/core/model.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { validateDeliveredDocument } from '../../functions/core/validation/appconfig-document.ts';
import { InMemoryAppConfig, ManualClock, searchKillSwitchTargets } from '../support/in-memory-appconfig.ts';
import { InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';

const switchFlag = (production: boolean): FlagDefinition => ({
  description: 'Kill switch: stop calling the recommendations service',
  owner: 'team-search',
  type: 'kill-switch',
  created: '2026-06-01',
  environments: { staging: { enabled: false }, production: { enabled: production } },
});

const flags: Record<string, FlagDefinition> = {
  'disable-recommendations': switchFlag(false),
  'disable-suggestions': switchFlag(false),
  'new-ranking': {
    description: 'The new ranking',
    owner: 'team-search',
    type: 'release',
    created: '2026-11-20',
    expires: '2026-12-20',
    environments: { production: { enabled: true, rolloutPercent: 20 } },
  },
};

const search = defineService({ name: 'search', keys: {}, values: {}, flags });
const organisation: Organisation = { services: [search] };

const targets = searchKillSwitchTargets;

const ACTOR = 'arn:aws:sts::123456789012:assumed-role/oncall/alice';
const NOW = new Date('2026-11-30T12:00:00Z');

const request = (overrides: Partial<KillSwitchRequest> = {}): KillSwitchRequest => ({
  service: 'search',
  switchName: 'disable-recommendations',
  environment: 'production',
  enabled: true,
  reason: 'recommendations time out and hold checkout threads',
  until: '2026-11-30T18:00:00Z',
  ...overrides,
});

describe('Kill switches apart from the flags', () => {
  it('ships every flag but the switches in the flags profile, and the switches alone in theirs', () => {
    // Act
    const withoutSwitches = flagsWithoutKillSwitches(flags);
    const switches = killSwitchDocument(flags, 'production');

    // Assess
    expect(Object.keys(withoutSwitches)).toEqual(['new-ranking']);
    expect(Object.keys(switches.values).sort()).toEqual(['disable-recommendations', 'disable-suggestions']);
    expect(switches.values['disable-recommendations']).toMatchObject({ enabled: false, type: 'kill-switch' });
    expect(Object.keys(switches.flags['disable-recommendations']?.attributes ?? {})).toEqual(
      expect.arrayContaining(['reason', 'until', 'flippedBy', 'flippedAt']),
    );
  });

  it('flips one switch for everyone, records who, why and until when, and keeps the other switches', () => {
    // Prepare
    const deployed = killSwitchDocument(flags, 'production');
    deployed.values['disable-suggestions'] = { ...deployed.values['disable-suggestions'], enabled: true };
    deployed.values['disable-recommendations'] = {
      ...deployed.values['disable-recommendations'],
      rolloutPercent: 10,
    };
    const before = structuredClone(deployed);

    // Act
    const flipped = flipSwitch(deployed, killSwitchDocument(flags, 'production'), {
      switchName: 'disable-recommendations',
      enabled: true,
      reason: 'timeouts',
      until: new Date('2026-11-30T18:00:00Z'),
      actor: ACTOR,
      at: NOW,
    });

    // Assess
    expect(flipped.values['disable-recommendations']).toEqual({
      owner: 'team-search',
      type: 'kill-switch',
      created: '2026-06-01',
      enabled: true,
      reason: 'timeouts',
      until: '2026-11-30T18:00:00.000Z',
      flippedBy: ACTOR,
      flippedAt: NOW.toISOString(),
    });
    expect(flipped.values['disable-suggestions']?.enabled).toBe(true);
    expect(deployed).toEqual(before);
  });

  it('passes the AppConfig validator, as shipped and once flipped', async () => {
    // Prepare
    const shipped = killSwitchDocument(flags, 'production');
    const flipped = flipSwitch(shipped, shipped, {
      switchName: 'disable-recommendations',
      enabled: true,
      reason: 'timeouts',
      until: new Date('2026-11-30T18:00:00Z'),
      actor: ACTOR,
      at: NOW,
    });
    const deps = {
      registry: new SchemaRegistry(organisation, { parameterRoot: 'config', environments: ['production'] }),
      locator: { locate: async () => ({ service: 'search', profile: 'flags' as const }) },
    };
    const invocation = (document: unknown) => ({
      applicationId: 'app-search',
      configurationProfileId: 'profile-switches',
      configurationVersion: '2',
      content: JSON.stringify(document),
    });

    // Act
    const verdicts = await Promise.all(
      [shipped, flipped].map((document) => validateDeliveredDocument(invocation(document), deps)),
    );
    const untilNotText = structuredClone(flipped);
    untilNotText.values['disable-recommendations'] = {
      ...untilNotText.values['disable-recommendations'],
      until: 5,
    };
    const refused = await validateDeliveredDocument(invocation(untilNotText), deps);

    // Assess
    expect(verdicts.map((v) => v.ok)).toEqual([true, true]);
    expect(refused).toMatchObject({
      ok: false,
      issues: [expect.objectContaining({ path: 'values.disable-recommendations.until' })],
    });
  });

  it('finds the switches on past their until, and no others', () => {
    // Prepare
    const document: AppConfigFlagsDocument = killSwitchDocument(flags, 'production');
    document.values['disable-recommendations'] = {
      enabled: true,
      until: '2026-11-30T11:00:00.000Z',
      reason: 'timeouts',
      flippedBy: ACTOR,
    };
    document.values['disable-suggestions'] = { enabled: true, until: '2026-11-30T13:00:00.000Z' };
    const offPastUntil = { enabled: false, until: '2026-11-29T00:00:00.000Z' };

    // Act
    const overdue = overdueSwitches(
      { ...document, values: { ...document.values, 'off-switch': offPastUntil } },
      NOW,
    );

    // Assess
    expect(overdue).toEqual([
      {
        switchName: 'disable-recommendations',
        until: '2026-11-30T11:00:00.000Z',
        reason: 'timeouts',
        flippedBy: ACTOR,
      },
    ]);
  });
});

describe('steward kill (core) over AppConfig that runs one deployment per environment', () => {
  let clock: ManualClock;
  let appConfig: InMemoryAppConfig;
  let publisher: RecordingEventPublisher;
  let tracker: InMemoryTicketTracker;
  let deps: KillSwitchDependencies;

  beforeEach(() => {
    clock = new ManualClock(NOW);
    appConfig = new InMemoryAppConfig(clock)
      .strategy('strategy-production', 30) // 20 minutes of 20 % steps + 10 minutes' bake
      .strategy('strategy-kill-switch', 0);
    publisher = new RecordingEventPublisher();
    tracker = new InMemoryTicketTracker();
    deps = {
      organisation,
      environments: ['staging', 'production'],
      targets,
      delivery: appConfig,
      identity: { callerArn: async () => ACTOR },
      publisher,
      tracker,
      clock,
    };
  });

  /** A 30-minute document rollout, running in the service's production environment. */
  async function documentRolloutRunning(): Promise<void> {
    const version = await appConfig.ensureHostedVersion({
      applicationId: 'app-search',
      configurationProfileId: 'profile-document',
      content: '{"max-results":50}',
      contentType: 'application/json',
      description: 'composed',
      versionLabel: 'sha256-doc',
    });
    const started = await appConfig.startDeployment({
      applicationId: 'app-search',
      environmentId: 'env-production',
      configurationProfileId: 'profile-document',
      configurationVersion: version,
      deploymentStrategyId: 'strategy-production',
      description: 'document',
    });
    expect(started.status).toBe('started');
  }

  it('makes the switch live in one step while a document rollout runs in that environment', async () => {
    // Prepare
    await documentRolloutRunning();

    // Act
    const outcome = await flipKillSwitch(request(), deps);

    // Assess: live now, in the switches' own environment, not queued behind the rollout
    const live = appConfig.live('app-search', 'env-production-switches', 'profile-switches');
    expect(JSON.parse(live ?? '{}').values['disable-recommendations']).toMatchObject({
      enabled: true,
      reason: 'recommendations time out and hold checkout threads',
      until: '2026-11-30T18:00:00.000Z',
      flippedBy: ACTOR,
    });
    expect(outcome.deploymentNumber).toBe(1);
    expect(appConfig.starts.at(-1)?.request).toMatchObject({
      environmentId: 'env-production-switches',
      deploymentStrategyId: 'strategy-kill-switch',
    });
    // The document's environment is still busy: a switch shipped there would have had to wait.
    const inDocumentEnvironment = await appConfig.startDeployment({
      ...appConfig.starts.at(-1)!.request,
      environmentId: 'env-production',
    });
    expect(inDocumentEnvironment.status).toBe('busy');
  });

  it('announces the flip with the actor, reason and until, and files one ticket to bring config/ in line', async () => {
    // Act
    const first = await flipKillSwitch(request(), deps);
    clock.advanceMinutes(5);
    const again = await flipKillSwitch(request({ reason: 'still timing out' }), deps);

    // Assess
    const events = publisher.ofType('Kill Switch Flipped').map((event) => event.detail);
    expect(events).toHaveLength(2);
    expect(events[0]).toEqual({
      service: 'search',
      switch: 'disable-recommendations',
      environment: 'production',
      enabled: true,
      reason: 'recommendations time out and hold checkout threads',
      until: '2026-11-30T18:00:00.000Z',
      actor: ACTOR,
      applicationId: 'app-search',
      environmentId: 'env-production-switches',
      configurationProfileId: 'profile-switches',
      configurationVersion: '1',
      deploymentNumber: 1,
      ticket: first.ticket?.ref,
    });
    expect(tracker.tickets).toHaveLength(1);
    expect(tracker.tickets[0]?.request).toMatchObject({
      dedupKey: killSwitchTicketKey('production', 'search', 'disable-recommendations'),
      category: 'flags',
    });
    expect(tracker.tickets[0]?.request.body).toContain(ACTOR);
    expect(again.ticket).toEqual({ ref: first.ticket?.ref, created: false });
  });

  it('takes an --until with an offset as that instant, and records it in UTC', async () => {
    // Act
    const outcome = await flipKillSwitch(request({ until: '2026-12-01T01:30-05:00' }), deps);

    // Assess
    expect(outcome.event.until).toBe('2026-12-01T06:30:00.000Z');
  });

  it("keeps another operator's flip that is deployed between its read and its deployment", async () => {
    // Prepare: while this flip builds its version, a colleague flips another switch, deployed all at once
    let colleagueFlipped = false;
    const delivery: KillSwitchDependencies['delivery'] = Object.assign(Object.create(appConfig), {
      ensureHostedVersion: async (document: Parameters<InMemoryAppConfig['ensureHostedVersion']>[0]) => {
        const version = await appConfig.ensureHostedVersion(document);
        if (!colleagueFlipped) {
          colleagueFlipped = true;
          await flipKillSwitch(
            request({ switchName: 'disable-suggestions', reason: 'suggestions erroring' }),
            deps,
          );
        }
        return version;
      },
    });

    // Act
    const outcome = await flipKillSwitch(request(), { ...deps, delivery });

    // Assess: both switches are on in what is live
    const live = JSON.parse(appConfig.live('app-search', 'env-production-switches', 'profile-switches')!);
    expect(live.values['disable-suggestions']).toMatchObject({
      enabled: true,
      reason: 'suggestions erroring',
    });
    expect(live.values['disable-recommendations']).toMatchObject({ enabled: true });
    expect(outcome.deploymentNumber).toBe(2);
    expect(appConfig.starts).toHaveLength(2);
  });

  it('builds on the served switches, never on a newer deployment that was rolled back', async () => {
    // Prepare: suggestions switched on and served (deployment 1); recommendations switched on
    // (deployment 2), which was then rolled back: production serves deployment 1 again.
    await flipKillSwitch(request({ switchName: 'disable-suggestions', until: undefined }), deps);
    const rolledBack = await flipKillSwitch(request(), deps);
    appConfig.undo('app-search', 'env-production-switches', rolledBack.deploymentNumber, 'ROLLED_BACK');

    // Act: suggestions off again
    const outcome = await flipKillSwitch(
      request({ switchName: 'disable-suggestions', enabled: false, until: undefined, reason: 'healthy' }),
      deps,
    );

    // Assess: the rolled-back flip of recommendations is not revived; suggestions are off
    expect(outcome.deploymentNumber).toBe(3);
    const live = JSON.parse(appConfig.live('app-search', 'env-production-switches', 'profile-switches')!);
    expect(live.values['disable-recommendations']).toMatchObject({ enabled: false });
    expect(live.values['disable-recommendations'].reason).toBeUndefined();
    expect(live.values['disable-suggestions']).toMatchObject({ enabled: false, reason: 'healthy' });
  });

  it('flips again what a rolled-back deployment carried: the same request is not already live', async () => {
    // Prepare
    const rolledBack = await flipKillSwitch(request(), deps);
    appConfig.undo('app-search', 'env-production-switches', rolledBack.deploymentNumber, 'REVERTED');

    // Act: the operator runs the same steward kill again
    const again = await flipKillSwitch(request(), deps);

    // Assess
    expect(again.alreadyLive).toBe(false);
    expect(again.deploymentNumber).toBe(2);
    const live = JSON.parse(appConfig.live('app-search', 'env-production-switches', 'profile-switches')!);
    expect(live.values['disable-recommendations']).toMatchObject({ enabled: true });
  });

  it('a retried identical steward kill deploys nothing new and files no second ticket', async () => {
    // Prepare
    const first = await flipKillSwitch(request(), deps);
    clock.advanceMinutes(2);

    // Act: the same command again (the operator's terminal dropped before the output came back)
    const retried = await flipKillSwitch(request(), deps);

    // Assess
    expect(appConfig.starts).toHaveLength(1);
    expect(retried).toMatchObject({
      alreadyLive: true,
      configurationVersion: first.configurationVersion,
      deploymentNumber: first.deploymentNumber,
      ticket: { ref: first.ticket?.ref, created: false },
    });
    expect(tracker.tickets).toHaveLength(1);
    const live = JSON.parse(appConfig.live('app-search', 'env-production-switches', 'profile-switches')!);
    expect(live.values['disable-recommendations'].flippedAt).toBe(NOW.toISOString());
  });

  it('keeps an earlier flip of another switch, and --off resolves the ticket once the switch matches config/', async () => {
    // Prepare
    await flipKillSwitch(request({ switchName: 'disable-suggestions' }), deps);
    await flipKillSwitch(request(), deps);

    // Act
    const restored = await flipKillSwitch(
      request({ enabled: false, until: undefined, reason: 'recommendations healthy again' }),
      deps,
    );

    // Assess
    const live = JSON.parse(appConfig.live('app-search', 'env-production-switches', 'profile-switches')!);
    expect(live.values['disable-suggestions'].enabled).toBe(true);
    expect(live.values['disable-recommendations']).toMatchObject({ enabled: false });
    expect(live.values['disable-recommendations'].until).toBeUndefined();
    expect(restored.ticket).toBeUndefined();
    const recommendations = tracker.tickets.find((t) =>
      t.request.dedupKey.endsWith('/disable-recommendations'),
    );
    expect(recommendations?.open).toBe(false);
    expect(restored.resolvedTickets).toEqual([recommendations?.ref]);
    expect(tracker.tickets.find((t) => t.request.dedupKey.endsWith('/disable-suggestions'))?.open).toBe(true);
  });

  it.each([
    [{ service: 'payments' }, /unknown service "payments"/],
    [{ environment: 'qa' }, /unknown environment "qa"/],
    [{ switchName: 'disable-everything' }, /no flag "disable-everything".*disable-recommendations/],
    [{ switchName: 'new-ranking' }, /release flag, not a kill switch/],
    [{ reason: '   ' }, /--reason is required/],
    [{ until: '2026-11-30T11:59:00Z' }, /not in the future/],
    [{ until: '2026-11-30 18:00' }, /ISO 8601 time with a zone/],
    [{ until: '2026-02-30T18:00Z' }, /ISO 8601 time with a zone.*2026-02-30T18:00Z/],
    [{ until: '2026-12-01T24:00+01:00' }, /ISO 8601 time with a zone/],
    [{ enabled: false }, /--until goes with engaging a switch/],
    [{ reason: 'rotated key AKIAIOSFODNN7EXAMPLE after leak' }, /looks like it holds a credential/],
  ])('refuses %o with a clear error and deploys nothing', async (overrides, message) => {
    // Act
    const flip = flipKillSwitch(request(overrides), deps);

    // Assess
    await expect(flip).rejects.toThrow(KillSwitchRequestError);
    await expect(flipKillSwitch(request(overrides), deps)).rejects.toThrow(message);
    expect(appConfig.starts).toEqual([]);
    expect(publisher.events).toEqual([]);
    expect(tracker.tickets).toEqual([]);
  });

  it('reports a deployment running in the switches environment, which should not happen, and writes nothing', async () => {
    // Prepare: something slow was deployed where only switches go
    appConfig.strategy('strategy-slow', 30);
    await appConfig.startDeployment({
      applicationId: 'app-search',
      environmentId: 'env-production-switches',
      configurationProfileId: 'profile-switches',
      configurationVersion: await appConfig.ensureHostedVersion({
        applicationId: 'app-search',
        configurationProfileId: 'profile-switches',
        content: JSON.stringify(killSwitchDocument(flags, 'production')),
        contentType: 'application/json',
        description: 'by hand',
        versionLabel: 'by-hand',
      }),
      deploymentStrategyId: 'strategy-slow',
      description: 'by hand',
    });

    // Act
    const flip = flipKillSwitch(request(), deps);

    // Assess
    await expect(flip).rejects.toThrow(KillSwitchEnvironmentBusyError);
    await expect(flipKillSwitch(request(), deps)).rejects.toThrow(/should not happen by design/);
    expect(appConfig.starts.filter((s) => s.request.deploymentStrategyId === 'strategy-kill-switch')).toEqual(
      [],
    );
    expect(publisher.events).toEqual([]);
  });

  it('says the switch is live when the event cannot be published, and still files the ticket', async () => {
    // Prepare
    publisher.refusing = true;

    // Act
    const flip = flipKillSwitch(request(), deps);

    // Assess
    await expect(flip).rejects.toThrow(KillSwitchFollowUpError);
    await expect(flip).rejects.toThrow(
      /the switch IS live \(deployment 1, version 1\).*publishing the event failed/,
    );
    expect(appConfig.live('app-search', 'env-production-switches', 'profile-switches')).toContain(
      '"enabled":true',
    );
    expect(tracker.tickets).toHaveLength(1);
  });
});
