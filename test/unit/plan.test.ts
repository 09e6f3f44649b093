import { beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { ConfigurationError } from '../../functions/core/errors.ts';
import { integer, json, string } from '../../functions/core/keys.ts';
import { defineService } from '../../functions/core/model.ts';
import { deployerMatcher, lastDeployOf } from '../../functions/core/plan/last-deploy.ts';
import { desiredDocuments } from '../../functions/core/plan/document-plan.ts';
import { type PlanSources, planChanges } from '../../functions/core/plan/plan.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import type { ServiceProfiles } from '../../functions/ports/deployed-configuration.ts';
import { InMemoryDeployedConfiguration } from '../support/in-memory-deployed-configuration.ts';
import { InMemoryOverrideStore } from '../support/in-memory-override-store.ts';
import { InMemoryParameterStore } from '../support/in-memory-parameter-store.ts';
import { OVERRIDE_TAGS } from '../../functions/core/override.ts';
import { LocalHmacFingerprinter } from '../support/local-hmac-fingerprinter.ts';
import { driftSourceOf } from '../support/parameter-store-drift-source.ts';

const SENSITIVE_OLD = 'internal-host-7f3a.corp.example';
const SENSITIVE_NEW = 'internal-host-9b1c.corp.example';
const TOKEN = 'ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ';
const RECONCILER =
  'arn:aws:sts::123456789012:assumed-role/ConfigSteward-DesiredParametersReconcilerRoleAB12-XYZ/ConfigSteward-Reconciler';
const ALICE = 'arn:aws:iam::123456789012:user/alice';

const orders = defineService({
  name: 'orders',
  keys: {
    'max-retries': integer({ min: 0, max: 10 }, { default: 3 }),
    'page-size': integer({ min: 1, max: 200 }, { default: 50 }),
    'backend-host': string({ sensitive: true }),
    banner: string({ default: '' }),
    'webhook-key': string({ secure: true }),
  },
  values: {
    staging: { 'max-retries': 5, 'page-size': 20, 'backend-host': SENSITIVE_NEW },
    production: { 'max-retries': 5, 'page-size': 20, 'backend-host': SENSITIVE_NEW },
  },
  flags: {
    'new-checkout': {
      description: 'The new checkout',
      owner: 'team-orders',
      type: 'release',
      created: '2026-11-02',
      expires: '2026-12-12',
      environments: { staging: { enabled: true }, production: { enabled: false } },
    },
  },
});

const strategy = (minutes: number, bake: number) => ({
  deploymentDurationInMinutes: minutes,
  finalBakeTimeInMinutes: bake,
  growthFactor: 20,
  growthType: 'LINEAR' as const,
});

function registryOf(services = [orders]) {
  return new SchemaRegistry(
    { services },
    { parameterRoot: 'config', environments: ['staging', 'production'] },
  );
}

describe('Function: planChanges', () => {
  let store: InMemoryParameterStore;
  let appConfig: InMemoryDeployedConfiguration;
  let fingerprinter: LocalHmacFingerprinter;
  let ids: ServiceProfiles;
  let registry: SchemaRegistry;
  let sources: PlanSources;

  /** Everything config/ declares, written by the stack's reconcile and deployed to AppConfig. */
  function deployDesiredState(environment: string) {
    for (const p of registry.desiredParameters(environment))
      store.seed(p.name, p.value, p.parameterType, RECONCILER);
    const documents = desiredDocuments(registry, 'orders', environment);
    const at = { applicationId: ids.applicationId, environmentId: ids.environments[environment] as string };
    appConfig.deploy({ ...at, configurationProfileId: ids.documentProfileId }, documents.document);
    appConfig.deploy({ ...at, configurationProfileId: ids.flagsProfileId }, documents.flags);
  }

  /** Deploy the document config/ composes for the environment, with `changes` over it (as a console edit is delivered). */
  function deployDocumentWith(environment: string, changes: Record<string, unknown>) {
    const composed = registry.compose('orders', environment);
    if (!composed.ok) throw new Error('does not compose');
    const target = {
      applicationId: ids.applicationId,
      environmentId: ids.environments[environment] as string,
      configurationProfileId: ids.documentProfileId,
    };
    appConfig.deploy(target, JSON.stringify({ ...composed.document, ...changes }));
    return target;
  }

  beforeEach(() => {
    store = new InMemoryParameterStore();
    appConfig = new InMemoryDeployedConfiguration();
    fingerprinter = new LocalHmacFingerprinter();
    ids = appConfig.addApplication('orders', ['staging', 'production']);
    registry = registryOf();
    sources = {
      registry,
      environments: [
        { name: 'staging', deploymentStrategy: strategy(0, 0) },
        { name: 'production', deploymentStrategy: strategy(20, 10) },
      ],
      parameters: driftSourceOf(store),
      appConfig,
      fingerprinter,
    };
  });

  it('plans nothing for an environment that matches config/, and reads only', async () => {
    // Prepare
    deployDesiredState('staging');

    // Act
    const plan = await planChanges(sources, { environments: ['staging'] });

    // Assess
    expect(plan.changes).toBe(0);
    const [staging] = plan.environments;
    expect(staging?.writes).toEqual([]);
    expect(staging?.documents).toEqual([]);
    expect(staging?.deployments).toEqual([]);
    expect(staging?.unchangedParameters).toBe(3);
    expect(staging?.unchangedDocuments).toBe(2);
    expect(store.calls.filter((call) => ['put', 'delete', 'label'].includes(call))).toEqual([]);
    expect(new Set(appConfig.calls)).toEqual(new Set(['locate', 'deployed']));
  });

  it('shows a plain write as old → new with who wrote the live value and when', async () => {
    // Prepare
    deployDesiredState('staging');
    store.seed('/config/staging/orders/max-retries', '2', 'String', ALICE);

    // Act
    const plan = await planChanges(sources, { environments: ['staging'] });

    // Assess
    const write = plan.environments[0]?.writes.find((w) => w.key === 'max-retries');
    expect(write).toMatchObject({
      action: 'update',
      name: '/config/staging/orders/max-retries',
      values: 'plain',
      old: { value: '2', type: 'String', version: 2, lastModifiedUser: ALICE },
      new: { value: '5', type: 'String' },
    });
    expect(write?.old?.lastModifiedDate).toBeInstanceOf(Date);
  });

  it('leaves out a parameter an active break-glass override holds, as the deploy does, and lists it once expired', async () => {
    // Prepare: max-retries overridden to 2 until 12:00; git says 5
    deployDesiredState('staging');
    store.seed('/config/staging/orders/max-retries', '2', 'String', ALICE);
    const overrides = new InMemoryOverrideStore(store);
    await overrides.tag('/config/staging/orders/max-retries', [
      { key: OVERRIDE_TAGS.marker, value: 'true' },
      { key: OVERRIDE_TAGS.until, value: '2026-11-30T12:00:00.000Z' },
      { key: OVERRIDE_TAGS.appliedAt, value: '2026-11-30T08:00:00.000Z' },
      { key: OVERRIDE_TAGS.actor, value: ALICE },
      { key: OVERRIDE_TAGS.reason, value: 'INC-4711' },
    ]);
    const at = (iso: string) => ({ ...sources, overrides: { store: overrides, now: () => new Date(iso) } });

    // Act
    const active = await planChanges(at('2026-11-30T10:00:00Z'), { environments: ['staging'] });
    const expired = await planChanges(at('2026-11-30T13:00:00Z'), { environments: ['staging'] });

    // Assess
    const keys = (plan: typeof active) => plan.environments[0]?.writes.map((w) => w.key);
    expect(keys(active)).not.toContain('max-retries');
    expect(keys(expired)).toContain('max-retries');
  });

  it('marks a write that undoes a console edit made since the last deploy, not one made before it', async () => {
    // Prepare: alice edits page-size, then a deploy writes max-retries, then alice edits max-retries.
    deployDesiredState('staging');
    store.seed('/config/staging/orders/page-size', '21', 'String', ALICE);
    store.seed('/config/staging/orders/backend-host', SENSITIVE_NEW, 'String', RECONCILER);
    store.seed('/config/staging/orders/max-retries', '4', 'String', RECONCILER);
    store.seed('/config/staging/orders/max-retries', '6', 'String', ALICE);

    // Act
    const plan = await planChanges(sources, { environments: ['staging'] });

    // Assess
    const staging = plan.environments[0];
    const byKey = new Map(staging?.writes.map((w) => [w.key, w]));
    expect(byKey.get('max-retries')?.overwritesConsoleEdit).toBe(true);
    expect(byKey.get('page-size')?.overwritesConsoleEdit).toBe(false);
    expect(staging?.lastDeploy?.by).toBe(RECONCILER);
  });

  it('does not mark a live value a named deployer wrote (--deployer, STEWARD_RECONCILER_PRINCIPAL)', async () => {
    // Prepare
    const ci = 'arn:aws:iam::123456789012:role/ci-apply';
    deployDesiredState('staging');
    store.seed(
      '/config/staging/orders/max-retries',
      '4',
      'String',
      'arn:aws:sts::123456789012:assumed-role/ci-apply/run-7',
    );

    // Act
    const unnamed = await planChanges(sources, { environments: ['staging'] });
    const named = await planChanges(sources, { environments: ['staging'], deployers: [ci] });

    // Assess
    expect(unnamed.environments[0]?.writes[0]?.overwritesConsoleEdit).toBe(true);
    expect(named.environments[0]?.writes[0]?.overwritesConsoleEdit).toBe(false);
  });

  it('shows sensitive and credential-like values only as keyed fingerprints, in writes and in diffs', async () => {
    // Prepare
    const withToken = defineService({
      ...orders,
      values: { staging: { ...orders.values.staging, banner: TOKEN } },
    });
    registry = registryOf([withToken]);
    sources = { ...sources, registry };
    deployDesiredState('staging');
    store.seed('/config/staging/orders/backend-host', SENSITIVE_OLD, 'String', ALICE);
    store.seed('/config/staging/orders/banner', 'plain banner', 'String', ALICE);
    deployDocumentWith('staging', { 'backend-host': SENSITIVE_OLD, banner: 'plain banner' });

    // Act
    const plan = await planChanges(sources, { environments: ['staging'] });

    // Assess
    const staging = plan.environments[0];
    const host = staging?.writes.find((w) => w.key === 'backend-host');
    expect(host).toMatchObject({
      values: 'fingerprint',
      old: { value: await fingerprinter.fingerprint(SENSITIVE_OLD) },
      new: { value: await fingerprinter.fingerprint(SENSITIVE_NEW) },
    });
    const banner = staging?.writes.find((w) => w.key === 'banner');
    // One value looks like a credential: neither side is shown.
    expect(banner?.values).toBe('fingerprint');
    expect(banner?.old?.value).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    const diff = staging?.documents.find((d) => d.profile === 'document')?.diff ?? '';
    expect(diff).toContain(`-  "backend-host": "${await fingerprinter.fingerprint(SENSITIVE_OLD)}"`);
    expect(diff).toContain(`+  "backend-host": "${await fingerprinter.fingerprint(SENSITIVE_NEW)}"`);
    const printed = JSON.stringify(plan);
    for (const secret of [SENSITIVE_OLD, SENSITIVE_NEW, TOKEN, 'plain banner'])
      expect(printed).not.toContain(secret);
  });

  it('fingerprints the decrypted value of a live SecureString a plain value would replace', async () => {
    // Prepare
    deployDesiredState('staging');
    store.seed('/config/staging/orders/page-size', 'sealed-value-123', 'SecureString', ALICE);

    // Act
    const plan = await planChanges(sources, { environments: ['staging'] });

    // Assess
    const write = plan.environments[0]?.writes.find((w) => w.key === 'page-size');
    expect(write).toMatchObject({
      values: 'fingerprint',
      old: { type: 'SecureString', value: await fingerprinter.fingerprint('sealed-value-123') },
      new: { type: 'String', value: await fingerprinter.fingerprint('20') },
    });
    expect(JSON.stringify(plan)).not.toContain('sealed-value-123');
  });

  it('conceals in the diff a JSON value whose key name says credential, as its parameter write is', async () => {
    // Prepare: the write's stored string matches by the key's name; no field inside it looks like one.
    const withCredentials = defineService({
      ...orders,
      keys: {
        ...orders.keys,
        'broker-credentials': json(z.strictObject({ user: z.string(), region: z.string() }), {
          default: { user: 'nobody', region: 'eu-west-1' },
        }),
      },
      values: {
        staging: {
          ...orders.values.staging,
          'broker-credentials': { user: 'svc-orders-9f2', region: 'eu-west-1' },
        },
      },
    });
    registry = registryOf([withCredentials]);
    sources = { ...sources, registry };
    deployDesiredState('staging');
    store.seed(
      '/config/staging/orders/broker-credentials',
      '{"user":"svc-orders-1c7","region":"eu-west-1"}',
      'String',
      ALICE,
    );
    deployDocumentWith('staging', { 'broker-credentials': { user: 'svc-orders-1c7', region: 'eu-west-1' } });

    // Act
    const plan = await planChanges(sources, { environments: ['staging'] });

    // Assess
    const staging = plan.environments[0];
    expect(staging?.writes.find((w) => w.key === 'broker-credentials')?.values).toBe('fingerprint');
    const diff = staging?.documents.find((d) => d.profile === 'document')?.diff ?? '';
    expect(diff).toMatch(/^- {2}"broker-credentials": "hmac-sha256:[0-9a-f]{64}",$/m);
    expect(diff).toMatch(/^\+ {2}"broker-credentials": "hmac-sha256:[0-9a-f]{64}",$/m);
    for (const user of ['svc-orders-1c7', 'svc-orders-9f2']) expect(JSON.stringify(plan)).not.toContain(user);
  });

  it('conceals in the diff a deployed key no service declares any more: undeclared counts as sensitive', async () => {
    // Prepare: `legacy-db-host` was declared (sensitive) and deployed; config/ has since removed it.
    deployDesiredState('staging');
    deployDocumentWith('staging', { 'legacy-db-host': 'db-4411.corp.example' });

    // Act
    const plan = await planChanges(sources, { environments: ['staging'] });

    // Assess
    const diff = plan.environments[0]?.documents.find((d) => d.profile === 'document')?.diff ?? '';
    expect(diff).toContain(
      `-  "legacy-db-host": "${await fingerprinter.fingerprint('db-4411.corp.example')}"`,
    );
    expect(JSON.stringify(plan)).not.toContain('db-4411.corp.example');
  });

  it('diffs the deployed document against the one config/ builds, and plans its deployment with the strategy', async () => {
    // Prepare
    deployDesiredState('production');
    deployDocumentWith('production', { 'max-retries': 3 });

    // Act
    const plan = await planChanges(sources, { environments: ['production'] });

    // Assess
    const production = plan.environments[0];
    expect(production?.documents).toHaveLength(1);
    const document = production?.documents[0];
    expect(document).toMatchObject({
      service: 'orders',
      profile: 'document',
      action: 'update',
      added: 1,
      removed: 1,
    });
    expect(document?.deployed?.configurationVersion).toBe('2');
    expect(document?.diff).toContain('-  "max-retries": 3,');
    expect(document?.diff).toContain('+  "max-retries": 5,');
    expect(production?.deployments).toEqual([
      {
        service: 'orders',
        profile: 'document',
        strategy: 'steward-production',
        deploymentDurationInMinutes: 20,
        finalBakeTimeInMinutes: 10,
        growthType: 'LINEAR',
        growthFactor: 20,
        minutes: 30,
      },
    ]);
    expect(production?.rolloutMinutes).toBe(30);
    expect(plan.changes).toBe(1);
  });

  it('plans no change for a value set live for a key config/ leaves unset: no write, so no delivery changes it', async () => {
    // Prepare: the banner was set in the console (config/ has no value for it) and delivered.
    deployDesiredState('staging');
    store.seed('/config/staging/orders/banner', 'Spring sale', 'String', ALICE);
    deployDocumentWith('staging', { banner: 'Spring sale' });

    // Act
    const unchanged = await planChanges(sources, { environments: ['staging'] });
    store.seed('/config/staging/orders/max-retries', '4', 'String', ALICE);
    deployDocumentWith('staging', { banner: 'Spring sale', 'max-retries': 4 });
    const changed = await planChanges(sources, { environments: ['staging'] });

    // Assess
    expect(unchanged.changes).toBe(0);
    expect(unchanged.environments[0]?.documents).toEqual([]);
    // The reconcile's write requests a delivery, which composes from the live values after the write.
    const diff = changed.environments[0]?.documents.find((d) => d.profile === 'document')?.diff ?? '';
    expect(diff).toContain('-  "max-retries": 4,');
    expect(diff).toContain('+  "max-retries": 5,');
    expect(diff).toContain('   "banner": "Spring sale",');
    expect(diff).not.toMatch(/^[-+] {2}"banner"/m);
  });

  it('refuses, naming the key and the rule but not the value, a live value the delivery could not compose', async () => {
    // Prepare: config/ leaves batch-size unset; someone stored a value outside its range.
    const withBatch = defineService({
      ...orders,
      keys: { ...orders.keys, 'batch-size': integer({ min: 1, max: 10 }, { default: 5 }) },
      values: { staging: { ...orders.values.staging } },
    });
    registry = registryOf([withBatch]);
    sources = { ...sources, registry };
    deployDesiredState('staging');
    store.seed('/config/staging/orders/batch-size', '777', 'String', ALICE);

    // Act
    const planning = planChanges(sources, { environments: ['staging'] });

    // Assess
    await expect(planning).rejects.toThrow(ConfigurationError);
    await expect(planning).rejects.toThrow(
      /the staging document of orders does not compose from the live values after the planned writes: batch-size: /,
    );
    await expect(planning).rejects.not.toThrow(/777/);
  });

  it('ignores the timestamps AppConfig adds to a flags document, and diffs a changed flag', async () => {
    // Prepare
    deployDesiredState('staging');
    const flags = JSON.parse(desiredDocuments(registry, 'orders', 'staging').flags);
    flags.flags['new-checkout']._createdAt = '2026-11-02T10:00:00Z';
    flags.values['new-checkout']._updatedAt = '2026-11-20T10:00:00Z';
    const target = {
      applicationId: ids.applicationId,
      environmentId: ids.environments['staging'] as string,
      configurationProfileId: ids.flagsProfileId,
    };
    appConfig.deploy(target, JSON.stringify(flags));
    const unchanged = await planChanges(sources, { environments: ['staging'] });
    flags.values['new-checkout'].enabled = false;
    appConfig.deploy(target, JSON.stringify(flags));

    // Act
    const changed = await planChanges(sources, { environments: ['staging'] });

    // Assess
    expect(unchanged.changes).toBe(0);
    expect(changed.environments[0]?.documents.map((d) => d.profile)).toEqual(['flags']);
    expect(changed.environments[0]?.documents[0]?.diff).toMatch(/^- {6}"enabled": false,$/m);
    expect(changed.environments[0]?.documents[0]?.diff).toMatch(/^\+ {6}"enabled": true,$/m);
  });

  it('plans a first deploy: every parameter created, both documents created, deployments one after the other', async () => {
    // Act
    const plan = await planChanges(sources, { environments: ['production'] });

    // Assess
    const production = plan.environments[0];
    expect(production?.writes.map((w) => [w.action, w.key])).toEqual([
      ['create', 'max-retries'],
      ['create', 'page-size'],
      ['create', 'backend-host'],
    ]);
    expect(production?.writes.every((w) => !w.overwritesConsoleEdit && w.old === undefined)).toBe(true);
    expect(production?.documents.map((d) => [d.profile, d.action])).toEqual([
      ['document', 'create'],
      ['flags', 'create'],
    ]);
    expect(production?.documents[0]?.diff.split('\n').slice(0, 2)).toEqual([
      '--- /dev/null',
      '+++ config/ orders document (production)',
    ]);
    // One deployment at a time per AppConfig environment: 2 × (20 + 10) minutes.
    expect(production?.rolloutMinutes).toBe(60);
    expect(plan.changes).toBe(5);
  });

  it('lists parameters no service declares as left in place, without counting them as changes', async () => {
    // Prepare
    deployDesiredState('staging');
    store.seed('/config/staging/orders/retired-key', 'x', 'String', ALICE);

    // Act
    const plan = await planChanges(sources, { environments: ['staging'] });

    // Assess
    expect(plan.environments[0]?.left).toEqual([
      expect.objectContaining({ name: '/config/staging/orders/retired-key', lastModifiedUser: ALICE }),
    ]);
    expect(plan.changes).toBe(0);
  });

  it('uses the AppConfig ids it is given instead of looking them up', async () => {
    // Act
    await planChanges(sources, { environments: ['staging'], targets: { orders: ids } });

    // Assess
    expect(appConfig.calls).not.toContain('locate');
  });
});

describe('Function: deployerMatcher and lastDeployOf', () => {
  it("recognises the stack's reconcile role by name and a named principal, nobody else", () => {
    // Prepare
    const isDeployer = deployerMatcher(['arn:aws:iam::1:role/ci-apply']);

    // Assess
    expect(isDeployer(RECONCILER)).toBe(true);
    expect(isDeployer('arn:aws:sts::1:assumed-role/ci-apply/run')).toBe(true);
    expect(isDeployer(ALICE)).toBe(false);
    expect(isDeployer('arn:aws:sts::1:assumed-role/Admin/alice')).toBe(false);
    expect(isDeployer(undefined)).toBe(false);
  });

  it('takes the newest write of a deployer as the last deploy', () => {
    // Act
    const last = lastDeployOf(
      [
        {
          name: 'a',
          type: 'String',
          version: 1,
          lastModifiedUser: RECONCILER,
          lastModifiedDate: new Date(1000),
        },
        {
          name: 'b',
          type: 'String',
          version: 1,
          lastModifiedUser: RECONCILER,
          lastModifiedDate: new Date(3000),
        },
        { name: 'c', type: 'String', version: 1, lastModifiedUser: ALICE, lastModifiedDate: new Date(9000) },
      ],
      deployerMatcher([]),
    );

    // Assess
    expect(last).toEqual({ at: new Date(3000), by: RECONCILER });
  });
});
