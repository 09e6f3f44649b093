import { beforeEach, describe, expect, it } from 'vitest';
import type { AppConfigTargets } from '../../functions/core/appconfig-targets.ts';
import { concealValues } from '../../functions/core/drift/conceal.ts';
import { compareServedFlags, flagSubject } from '../../functions/core/drift/flag-drift.ts';
import type { DriftDependencies } from '../../functions/core/drift/run.ts';
import { driftUntilDone, type StepBudget } from '../../functions/core/drift/step.ts';
import type { AppConfigFlagsDocument } from '../../functions/core/flags/flag-document-schema.ts';
import { serviceFlagsDocument } from '../../functions/core/flags/profile-document.ts';
import { integer } from '../../functions/core/keys.ts';
import { defineService, type FlagDefinition } from '../../functions/core/model.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import type { DeployedFlags, FlagProfileRef } from '../../functions/ports/flag-source.ts';
import { InMemoryDeployedFlagSource } from '../support/flag-source-double.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { LocalHmacFingerprinter } from '../support/local-hmac-fingerprinter.ts';
import { driftSourceOf } from '../support/parameter-store-drift-source.ts';
import { InMemoryTicketTracker, RecordingEventPublisher } from '../support/recording-ports.ts';

const meta = { owner: 'team-search', created: '2026-11-20' } as const;
const FLAGS: Record<string, FlagDefinition> = {
  'new-search': {
    ...meta,
    description: 'The new search engine',
    type: 'release',
    expires: '2026-12-30',
    environments: { staging: { enabled: true }, production: { enabled: true, rolloutPercent: 25 } },
  },
  'results-layout': {
    ...meta,
    description: 'Which results layout a customer sees',
    type: 'experiment',
    expires: '2026-12-30',
    valueKind: 'string',
    defaultValue: 'list',
    environments: {
      staging: { enabled: true, value: 'grid' },
      production: {
        enabled: true,
        variants: [
          { name: 'qa', rule: '(ends_with $targetingKey "-qa")', value: 'grid' },
          { name: 'default', value: 'list' },
        ],
      },
    },
  },
  'search-access': {
    ...meta,
    description: 'Permission: who may use search',
    type: 'permission',
    environments: { staging: { enabled: false }, production: { enabled: false } },
  },
  // Kill switches ship in their own profile and environment (KillSwitches): never compared here.
  'kill-search': {
    ...meta,
    description: 'Kill switch: stop serving search',
    type: 'kill-switch',
    environments: { staging: { enabled: false }, production: { enabled: false } },
  },
};
const catalog = defineService({ name: 'catalog', keys: {}, values: {}, flags: FLAGS });
const desired = (environment: string) => serviceFlagsDocument(catalog, environment);
/** A JSON round trip, as AppConfig hands a hosted version back. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const served = (document: unknown, skipped: DeployedFlags['skipped'] = []): DeployedFlags => ({
  status: 'deployed',
  deploymentNumber: 7,
  version: 4,
  document,
  skipped,
});
const compare = (environment: string, deployed: DeployedFlags) => {
  const result = compareServedFlags({
    service: 'catalog',
    environment,
    desired: desired(environment),
    deployed,
  });
  if (!('findings' in result)) throw new Error(`unexpected: ${result.unreadable}`);
  return result.findings;
};

describe('Function: compareServedFlags', () => {
  it('finds nothing when the environment serves what config/ builds, whatever the key order and console stamps', async () => {
    // Prepare: keys reversed and the console's _createdAt/_updatedAt added, as a console save leaves them
    const document = copy(desired('production')) as unknown as {
      flags: Record<string, Record<string, unknown>>;
      values: Record<string, Record<string, unknown>>;
    };
    const reversed = Object.fromEntries(Object.entries(document.values['new-search']!).reverse());
    document.values['new-search'] = { ...reversed, _updatedAt: '2026-11-29T10:00:00Z' };
    document.flags['new-search'] = { ...document.flags['new-search'], _createdAt: '2026-11-20T10:00:00Z' };

    // Act
    const findings = compare('production', served(document));

    // Assess
    expect(findings).toEqual([]);
  });

  it('leaves kill switches out: they are served from their own profile, not the flags profile', () => {
    // Act
    const document = desired('production');

    // Assess
    expect(Object.keys(document.flags)).not.toContain('kill-search');
    expect(compare('production', served(copy(document)))).toEqual([]);
  });

  it('reports a console edit of a value, naming the flag, the aspects and both sides', async () => {
    // Prepare: production rolled out to everyone in the console
    const document = copy(desired('production'));
    document.values['new-search'] = { ...document.values['new-search'], rolloutPercent: 100 };

    // Act
    const findings = compare('production', served(document));

    // Assess
    expect(findings).toEqual([
      {
        kind: 'flag-changed',
        parameter: 'flags/production/catalog/new-search',
        environment: 'production',
        service: 'catalog',
        key: 'new-search',
        expected: '{"rolloutPercent":25}',
        actual: '{"rolloutPercent":100}',
        values: 'plain',
        detail: expect.stringContaining(
          'served in production (hosted version 4, deployment 7) differs from config/ in rolloutPercent',
        ) as unknown,
      },
    ]);
  });

  it('reports a changed rule, a changed attribute and a flag switched off as changes of that flag', async () => {
    // Prepare
    const document = copy(desired('production')) as AppConfigFlagsDocument;
    const layout = document.values['results-layout']!;
    layout._variants![0]!.rule = '(ends_with $targetingKey "-staff")';
    for (const variant of layout._variants!) variant.attributeValues!['expires'] = '2027-06-30';
    document.values['new-search'] = { ...document.values['new-search'], enabled: false };

    // Act
    const findings = compare('production', served(document));

    // Assess
    expect(findings.map((f) => [f.kind, f.key])).toEqual([
      ['flag-changed', 'new-search'],
      ['flag-changed', 'results-layout'],
    ]);
    expect(findings[0]?.detail).toContain('differs from config/ in enabled:');
    expect(findings[1]?.detail).toContain('differs from config/ in expires, variants:');
    expect(findings[1]?.actual).toContain('-staff');
    expect(findings[1]?.actual).toContain('"expires":"2027-06-30"');
  });

  it('reports a changed description or attribute definition as a change too', async () => {
    // Prepare
    const document = copy(desired('staging'));
    document.flags['search-access'] = {
      ...document.flags['search-access']!,
      description: 'edited in the console',
    };

    // Act
    const findings = compare('staging', served(document));

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'flag-changed', key: 'search-access' });
    expect(findings[0]?.detail).toContain('differs from config/ in description:');
  });

  it('reports a flag added outside git and one removed outside git', async () => {
    // Prepare
    const document = copy(desired('staging'));
    delete document.flags['search-access'];
    delete document.values['search-access'];
    document.flags['console-flag'] = { name: 'console-flag' };
    document.values['console-flag'] = { enabled: true };

    // Act
    const findings = compare('staging', served(document));

    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        kind: 'flag-added',
        parameter: 'flags/staging/catalog/console-flag',
        actual: '{"enabled":true}',
        detail: expect.stringContaining('not declared in config/: added outside git') as unknown,
      }),
      expect.objectContaining({
        kind: 'flag-removed',
        parameter: 'flags/staging/catalog/search-access',
        detail: expect.stringContaining('is in config/ but not served in staging') as unknown,
      }),
    ]);
    expect(findings[1]?.expected).toContain('"enabled":false');
  });

  it('says which newer deployment it passed over: one in progress, one rolled back', async () => {
    // Prepare
    const document = copy(desired('production'));
    document.values['new-search'] = { ...document.values['new-search'], enabled: false };

    // Act
    const findings = compare(
      'production',
      served(document, [
        { deploymentNumber: 9, version: '6', state: 'DEPLOYING' },
        { deploymentNumber: 8, version: '5', state: 'ROLLED_BACK' },
      ]),
    );

    // Assess
    expect(findings[0]?.detail).toContain(
      'Newer deployments not compared, as the environment does not serve them: deployment 9 (version 6) ' +
        'is DEPLOYING; deployment 8 (version 5) was ROLLED_BACK.',
    );
  });

  it('reports a profile never deployed while config/ declares flags, and nothing when it declares none', async () => {
    // Act
    const never = compare('production', { status: 'never-deployed', skipped: [] });
    const empty = compareServedFlags({
      service: 'search',
      environment: 'production',
      desired: serviceFlagsDocument({}, 'production'),
      deployed: { status: 'never-deployed', skipped: [] },
    });

    // Assess
    expect(never).toEqual([
      {
        kind: 'flags-not-deployed',
        parameter: 'flags/production/catalog/',
        environment: 'production',
        service: 'catalog',
        detail:
          'No deployment of the flags profile of catalog to production has completed, while config/ declares 3 flags.',
      },
    ]);
    expect(empty).toEqual({ findings: [] });
  });

  it('calls a served version that is not a feature-flags document unreadable, without echoing it', async () => {
    // Act
    const result = compareServedFlags({
      service: 'catalog',
      environment: 'production',
      desired: desired('production'),
      deployed: served({ retries: 'hunter2-was-here' }),
    });

    // Assess
    expect(result).toEqual({
      unreadable: 'hosted version 4 (deployment 7) is not a feature-flags document',
    });
  });

  it('conceals a flag value that looks like a credential: the finding carries fingerprints only', async () => {
    // Prepare: someone pasted an API key into a string flag in the console
    const leaked = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
    const document = copy(desired('staging'));
    document.values['results-layout'] = { ...document.values['results-layout'], value: leaked };

    // Act
    const detected = compare('staging', served(document));
    const findings = await concealValues(detected, new LocalHmacFingerprinter());

    // Assess
    expect(detected[0]?.values).toBe('conceal');
    expect(findings[0]).toMatchObject({ kind: 'flag-changed', key: 'results-layout', values: 'fingerprint' });
    expect(findings[0]?.actual).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(findings)).not.toContain(leaked);
  });
});

describe('Function: driftUntilDone (flag drift)', () => {
  const ENVIRONMENTS = ['staging', 'production'];
  const ref: FlagProfileRef = { service: 'catalog', applicationId: 'appcat1', flagsProfileId: 'flags01' };
  const targets: AppConfigTargets = {
    catalog: {
      applicationId: ref.applicationId,
      documentProfileId: 'doc0001',
      flagsProfileId: ref.flagsProfileId,
      environments: {
        staging: { environmentId: 'envstag', deploymentStrategyId: 'strat01' },
        production: { environmentId: 'envprod', deploymentStrategyId: 'strat02' },
      },
    },
  };
  const budget = (): StepBudget => ({ remainingMs: () => 600_000, marginMs: 0, requestsPerSecond: 20 });
  let flags: InMemoryDeployedFlagSource;
  let tracker: InMemoryTicketTracker;
  let publisher: RecordingEventPublisher;
  let deps: DriftDependencies;

  beforeEach(() => {
    const service = defineService({
      name: 'catalog',
      keys: { retries: integer({ min: 0, max: 5 }) },
      values: { staging: { retries: 3 }, production: { retries: 3 } },
      flags: FLAGS,
    });
    const registry = new SchemaRegistry(
      { services: [defineService({ name: 'shared', keys: {}, values: {} }), service] },
      { parameterRoot: 'config', environments: ENVIRONMENTS },
    );
    const store = new InMemoryParameterStore();
    for (const env of ENVIRONMENTS) {
      const version = store.seed(`/config/${env}/catalog/retries`, '3', 'String');
      void store.label(`/config/${env}/catalog/retries`, version, ['last-known-good']);
    }
    flags = new InMemoryDeployedFlagSource();
    // cdk deploy: config/'s flags hosted and deployed to both environments.
    flags.hostAndDeploy(ref, 'envstag', desired('staging'));
    flags.hostAndDeploy(ref, 'envprod', desired('production'));
    tracker = new InMemoryTicketTracker();
    publisher = new RecordingEventPublisher();
    deps = {
      registry,
      source: driftSourceOf(store),
      clock: { now: () => new Date(Date.UTC(2026, 10, 30, 2)) },
      fingerprinter: new LocalHmacFingerprinter(),
      tracker,
      publisher,
      flags: { source: flags, targets },
    };
  });

  it('compares the deployed version, not the newest hosted one, files one ticket and resolves it once fixed', async () => {
    // Prepare: a console edit deployed to production (version 3), then another hosted but never
    // deployed (version 4, which matches config/ again): the environment serves version 3.
    const edited = copy(desired('production'));
    edited.values['new-search'] = { ...edited.values['new-search'], rolloutPercent: 100 };
    flags.hostAndDeploy(ref, 'envprod', edited);
    flags.host(ref, desired('production'));

    // Act: two nights, then the fix (git's version deployed again) and a third night
    const first = await driftUntilDone(deps, budget);
    const second = await driftUntilDone(deps, budget);
    flags.deploy(ref, 'envprod', 4);
    const third = await driftUntilDone(deps, budget);

    // Assess
    expect(first.findings.filter((f) => f.kind.startsWith('flag'))).toEqual([
      expect.objectContaining({
        kind: 'flag-changed',
        parameter: flagSubject('production', 'catalog', 'new-search'),
        detail: expect.stringContaining('(hosted version 3, deployment 2)') as unknown,
        expected: '{"rolloutPercent":25}',
        actual: '{"rolloutPercent":100}',
      }),
    ]);
    expect(first.checkpoint.findingsByKind['flag-changed']).toBe(1);
    expect(tracker.tickets.map((t) => [t.request.dedupKey, t.open])).toEqual([
      ['flag-changed:flags/production/catalog/new-search', false],
    ]);
    expect(tracker.tickets[0]?.request).toMatchObject({ severity: 'medium', category: 'drift' });
    expect(second.checkpoint.filed).toBe(0);
    expect(second.tickets).toEqual([tracker.tickets[0]?.ref]);
    expect(third.findings).toEqual([]);
    expect(third.resolvedTickets).toEqual([tracker.tickets[0]?.ref]);
    const events = publisher.ofType('Config Drift Detected');
    const counted = events.map(
      (e) => (e.detail as { findingsByKind: Record<string, number> }).findingsByKind,
    );
    expect(counted.map((byKind) => byKind['flag-changed'])).toEqual([1, 1, 0]);
  });

  it('keeps a flag ticket open while its environment cannot be read, and files a read-error instead', async () => {
    // Prepare: a night that files a flag-removed ticket in staging
    const edited = copy(desired('staging'));
    delete edited.flags['search-access'];
    delete edited.values['search-access'];
    flags.hostAndDeploy(ref, 'envstag', edited);
    await driftUntilDone(deps, budget);
    flags.failFor.add('envstag');

    // Act
    const night = await driftUntilDone(deps, budget);

    // Assess
    expect(night.findings.map((f) => [f.kind, f.parameter])).toEqual([
      ['read-error', 'flags/staging/catalog/'],
    ]);
    expect(night.findings[0]?.detail).toContain('FlagSourceError: ListDeployments: AccessDeniedException');
    expect(tracker.tickets.map((t) => [t.request.dedupKey, t.open])).toEqual([
      ['flag-removed:flags/staging/catalog/search-access', true],
      ['read-error:flags/staging/catalog/', true],
    ]);
  });

  it('leaves flags alone when the run is given no AppConfig, as steward drift without it does', async () => {
    // Prepare
    const edited = copy(desired('production'));
    edited.values['new-search'] = { ...edited.values['new-search'], enabled: false };
    flags.hostAndDeploy(ref, 'envprod', edited);

    // Act
    const run = await driftUntilDone({ ...deps, flags: undefined }, budget);

    // Assess
    expect(run.checkpoint.units).toBe(3);
    expect(run.findings).toEqual([]);
  });
});
