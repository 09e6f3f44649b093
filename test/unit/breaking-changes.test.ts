import { describe, expect, it } from 'vitest';
import { breakingChanges, compareDesiredStates } from '../../functions/core/breaking-changes.ts';
import { boolean, duration, integer, oneOf, string } from '../../functions/core/keys.ts';
import {
  defineService,
  type FlagDefinition,
  type Organisation,
  type SecretDefinition,
  type ServiceDefinition,
} from '../../functions/core/model.ts';

const ENVIRONMENTS = ['staging', 'production'];

const organisation = (...services: ServiceDefinition[]): Organisation => ({ services });

/** The orders service at the base revision: what is deployed. */
const baseKeys = {
  'max-retries': integer({ min: 0, max: 10 }, { default: 3 }),
  timeout: duration({ min: '100ms', max: '30s' }, { default: '3s' }),
  currency: oneOf(['EUR', 'USD', 'GBP'], { default: 'EUR' }),
  'legacy-mode': boolean({ default: false }),
  'api-key': string({ secure: true }),
  notes: string(),
};

const rolloutFlag: FlagDefinition = {
  description: 'The redesigned checkout flow',
  owner: 'team-orders',
  type: 'release',
  created: '2026-11-20',
  expires: '2026-12-20',
  environments: {
    staging: {
      enabled: true,
      variants: [
        { name: 'pro', rule: '(eq $tier "pro")', value: true },
        { name: 'everyone-else', value: false },
      ],
    },
    production: { enabled: false, variants: [{ name: 'everyone-else', value: false }] },
  },
};

const rotatedKey: SecretDefinition = {
  description: 'API key of the payment provider',
  shape: 'api-key',
  rotation: { strategy: 'random', schedule: 'rate(30 days)' },
  random: { length: 40, alphabet: 'alphanumeric', field: 'apiKey' },
};

const base = defineService({
  name: 'orders',
  keys: baseKeys,
  values: { staging: { 'max-retries': 3 }, production: { 'max-retries': 8, currency: 'USD' } },
  flags: { 'new-checkout': rolloutFlag },
  secrets: { 'provider-key': rotatedKey },
});

/** The orders service with `edit` applied: the working tree. */
function edited(edit: Partial<ServiceDefinition>): Organisation {
  return organisation({ ...base, ...edit } as ServiceDefinition);
}

function rulesOf(after: Organisation, before: Organisation = organisation(base)) {
  return breakingChanges(before, after, ENVIRONMENTS).map((c) => `${c.rule} ${c.service}/${c.key}`);
}

describe('Function: breakingChanges', () => {
  it('finds nothing when nothing changed', () => {
    expect(rulesOf(organisation(base))).toEqual([]);
  });

  describe('key-removed', () => {
    it('fires for a key with a value in a deployed environment, naming the environments', () => {
      // Prepare
      const { 'max-retries': _removed, ...keys } = baseKeys;

      // Act
      const changes = breakingChanges(organisation(base), edited({ keys }), ENVIRONMENTS);

      // Assess
      expect(changes).toEqual([
        {
          rule: 'key-removed',
          service: 'orders',
          key: 'max-retries',
          message: 'removed while it has a value in staging, production',
        },
      ]);
    });

    it('does not fire for a key that had no value anywhere, nor for a key moved to shared', () => {
      const { notes: _unused, 'legacy-mode': moved, ...keys } = baseKeys;
      const shared = defineService({ name: 'shared', keys: { 'legacy-mode': moved }, values: {} });
      expect(rulesOf({ services: [shared, { ...base, keys }] })).toEqual([]);
    });

    it('fires for every key with a value of a service removed altogether', () => {
      expect(rulesOf(organisation())).toEqual([
        'key-removed orders/max-retries',
        'key-removed orders/timeout',
        'key-removed orders/currency',
        'key-removed orders/legacy-mode',
        'flag-removed orders/new-checkout',
      ]);
    });
  });

  describe('key-type-changed', () => {
    it('fires when the kind changes, or a plain key becomes a SecureString', () => {
      const keys = { ...baseKeys, 'max-retries': string(), notes: string({ secure: true }) };
      expect(breakingChanges(organisation(base), edited({ keys }), ENVIRONMENTS)).toEqual([
        {
          rule: 'key-type-changed',
          service: 'orders',
          key: 'max-retries',
          message: 'was integer, now string',
        },
        {
          rule: 'key-type-changed',
          service: 'orders',
          key: 'notes',
          message: 'was string, now string (SecureString)',
        },
      ]);
    });

    it('does not fire when only the bounds or description change', () => {
      const keys = {
        ...baseKeys,
        'max-retries': integer({ min: 0, max: 12 }, { default: 3, description: 'x' }),
      };
      expect(rulesOf(edited({ keys }))).toEqual([]);
    });
  });

  describe('key-range-narrowed', () => {
    it('fires where a deployed value falls outside the new integer range, naming value and bounds', () => {
      // Prepare: production holds 8
      const keys = { ...baseKeys, 'max-retries': integer({ min: 0, max: 5 }, { default: 3 }) };

      // Act
      const changes = breakingChanges(organisation(base), edited({ keys }), ENVIRONMENTS);

      // Assess
      expect(changes).toEqual([
        {
          rule: 'key-range-narrowed',
          service: 'orders',
          key: 'max-retries',
          message: "production's value 8 is above the new range 0–5 (was 0–10)",
        },
      ]);
    });

    it('fires where a default in use falls below a raised duration minimum', () => {
      const keys = { ...baseKeys, timeout: duration({ min: '5s', max: '30s' }, { default: '5s' }) };
      expect(
        breakingChanges(organisation(base), edited({ keys }), ENVIRONMENTS).map((c) => c.message),
      ).toEqual([
        "staging's value 3s is below the new range 5s–30s (was 100ms–30s)",
        "production's value 3s is below the new range 5s–30s (was 100ms–30s)",
      ]);
    });

    it('does not fire when the narrowed range still holds every deployed value', () => {
      const keys = {
        ...baseKeys,
        'max-retries': integer({ min: 1, max: 8 }, { default: 3 }),
        timeout: duration({ min: '1s', max: '10s' }, { default: '3s' }),
      };
      expect(rulesOf(edited({ keys }))).toEqual([]);
    });

    it('does not show the value of a sensitive key', () => {
      const sensitiveBase = defineService({
        name: 'orders',
        keys: { limit: integer({ min: 0, max: 100 }, { sensitive: true }) },
        values: { production: { limit: 90 } },
      });
      const narrowed = {
        ...sensitiveBase,
        keys: { limit: integer({ min: 0, max: 50 }, { sensitive: true }) },
      };
      const [change] = breakingChanges(organisation(sensitiveBase), organisation(narrowed), ENVIRONMENTS);
      expect(change?.message).toBe("production's value (not shown) is above the new range 0–50 (was 0–100)");
    });
  });

  describe('enum-value-removed', () => {
    it('fires where a deployed value is no longer among the allowed values', () => {
      const keys = { ...baseKeys, currency: oneOf(['EUR', 'GBP'], { default: 'EUR' }) };
      expect(breakingChanges(organisation(base), edited({ keys }), ENVIRONMENTS)).toEqual([
        {
          rule: 'enum-value-removed',
          service: 'orders',
          key: 'currency',
          message: '"USD" is no longer allowed and is production\'s value',
        },
      ]);
    });

    it('does not fire when the removed value is in use nowhere', () => {
      const keys = { ...baseKeys, currency: oneOf(['EUR', 'USD'], { default: 'EUR' }) };
      expect(rulesOf(edited({ keys }))).toEqual([]);
    });
  });

  describe('default-removed', () => {
    it('fires when an environment without its own value relied on the default', () => {
      const keys = { ...baseKeys, currency: oneOf(['EUR', 'USD', 'GBP']) };
      expect(breakingChanges(organisation(base), edited({ keys }), ENVIRONMENTS)).toEqual([
        {
          rule: 'default-removed',
          service: 'orders',
          key: 'currency',
          message: 'default removed; staging relied on it',
        },
      ]);
    });

    it('does not fire when every environment now sets the value itself', () => {
      const keys = { ...baseKeys, currency: oneOf(['EUR', 'USD', 'GBP']) };
      const values = { staging: { 'max-retries': 3, currency: 'EUR' }, production: base.values.production };
      expect(rulesOf(edited({ keys, values } as Partial<ServiceDefinition>))).toEqual([]);
    });
  });

  describe('flag-removed and flag-renamed', () => {
    it('fires flag-removed for a flag gone without a successor', () => {
      expect(rulesOf(edited({ flags: {} }))).toEqual(['flag-removed orders/new-checkout']);
    });

    it('fires flag-renamed, naming the new name, when a new flag carries the same description', () => {
      const changes = breakingChanges(
        organisation(base),
        edited({ flags: { 'checkout-v2': rolloutFlag } }),
        ENVIRONMENTS,
      );
      expect(changes).toEqual([
        {
          rule: 'flag-renamed',
          service: 'orders',
          key: 'new-checkout',
          message: 'flag renamed to "checkout-v2"',
        },
      ]);
    });

    it('does not fire when a flag is only added', () => {
      const added = { ...rolloutFlag, description: 'Another flag' };
      expect(rulesOf(edited({ flags: { 'new-checkout': rolloutFlag, another: added } }))).toEqual([]);
    });
  });

  describe('variant-removed', () => {
    it('fires for a variant an environment no longer has', () => {
      // Prepare: staging loses its "pro" variant
      const staging = { enabled: true, variants: [{ name: 'everyone-else', value: false }] };
      const flag = { ...rolloutFlag, environments: { ...rolloutFlag.environments, staging } };

      // Act
      const changes = breakingChanges(
        organisation(base),
        edited({ flags: { 'new-checkout': flag } }),
        ENVIRONMENTS,
      );

      // Assess
      expect(changes).toEqual([
        {
          rule: 'variant-removed',
          service: 'orders',
          key: 'new-checkout:pro',
          message: 'variant "pro" removed from staging',
        },
      ]);
    });

    it('does not fire when a variant is added or its rule changes', () => {
      const production = {
        enabled: true,
        variants: [
          { name: 'pro', rule: '(eq $tier "enterprise")', value: true },
          { name: 'everyone-else', value: false },
        ],
      };
      const flag = { ...rolloutFlag, environments: { ...rolloutFlag.environments, production } };
      expect(rulesOf(edited({ flags: { 'new-checkout': flag } }))).toEqual([]);
    });
  });

  describe('secret-strategy-changed', () => {
    it('fires when a secret rotates by another strategy', () => {
      const secret = {
        ...rotatedKey,
        rotation: { ...rotatedKey.rotation, strategy: 'postgres-single-user' as const },
      };
      expect(
        breakingChanges(organisation(base), edited({ secrets: { 'provider-key': secret } }), ENVIRONMENTS),
      ).toEqual([
        {
          rule: 'secret-strategy-changed',
          service: 'orders',
          key: 'provider-key',
          message: 'rotation strategy changed from random to postgres-single-user',
        },
      ]);
    });

    it('does not fire when only the schedule changes', () => {
      const secret = { ...rotatedKey, rotation: { ...rotatedKey.rotation, schedule: 'rate(7 days)' } };
      expect(rulesOf(edited({ secrets: { 'provider-key': secret } }))).toEqual([]);
    });
  });
});

describe('Function: compareDesiredStates', () => {
  const withoutFlag = { flags: {} };

  it('reports an unacknowledged breaking change as a finding', () => {
    const report = compareDesiredStates(organisation(base), edited(withoutFlag), ENVIRONMENTS);
    expect(report.findings.map((f) => f.rule)).toEqual(['flag-removed']);
    expect(report.acknowledged).toEqual([]);
    expect(report.problems).toEqual([]);
  });

  it('moves a change acknowledged with a reason in the service to acknowledged, with the reason', () => {
    // Prepare
    const breakingChanges = [
      {
        rule: 'flag-removed' as const,
        key: 'new-checkout',
        reason: 'fully rolled out since 2026-12-01; no reader left',
      },
    ];

    // Act
    const report = compareDesiredStates(
      organisation(base),
      edited({ ...withoutFlag, breakingChanges }),
      ENVIRONMENTS,
    );

    // Assess
    expect(report.findings).toEqual([]);
    expect(report.problems).toEqual([]);
    expect(report.acknowledged).toEqual([
      {
        rule: 'flag-removed',
        service: 'orders',
        key: 'new-checkout',
        message: 'flag removed',
        reason: 'fully rolled out since 2026-12-01; no reader left',
      },
    ]);
  });

  it('accepts only the rule and key acknowledged: another key or rule stays a finding', () => {
    const breakingChanges = [
      { rule: 'flag-renamed' as const, key: 'new-checkout', reason: 'the wrong rule for this change' },
      { rule: 'flag-removed' as const, key: 'old-checkout', reason: 'the wrong flag for this change' },
    ];
    const report = compareDesiredStates(
      organisation(base),
      edited({ ...withoutFlag, breakingChanges }),
      ENVIRONMENTS,
    );
    expect(report.findings.map((f) => `${f.rule} ${f.key}`)).toEqual(['flag-removed new-checkout']);
    expect(report.acknowledged).toEqual([]);
  });

  it('refuses an acknowledgement without a real reason: a problem, and the change stays a finding', () => {
    const breakingChanges = [{ rule: 'flag-removed' as const, key: 'new-checkout', reason: '  ok  ' }];
    const report = compareDesiredStates(
      organisation(base),
      edited({ ...withoutFlag, breakingChanges }),
      ENVIRONMENTS,
    );
    expect(report.findings.map((f) => f.rule)).toEqual(['flag-removed']);
    expect(report.problems).toEqual([
      {
        rule: 'breaking-change-acknowledgement',
        service: 'orders',
        key: 'new-checkout',
        message: 'an acknowledgement of flag-removed needs a reason of at least 10 characters',
      },
    ]);
  });

  it('refuses an acknowledgement of an unknown rule', () => {
    const breakingChanges = [
      { rule: 'flag-deleted', key: 'new-checkout', reason: 'a rule id that does not exist' },
    ];
    const report = compareDesiredStates(
      organisation(base),
      edited({ breakingChanges } as unknown as Partial<ServiceDefinition>),
      ENVIRONMENTS,
    );
    expect(report.problems.map((p) => p.message)).toEqual([
      expect.stringContaining('unknown rule "flag-deleted" (known: key-removed, key-type-changed'),
    ]);
  });

  it('takes acknowledgements for a removed service from the organisation, naming the service', () => {
    const breakingChanges = ['max-retries', 'timeout', 'currency', 'legacy-mode', 'new-checkout'].map(
      (key) => ({
        service: 'orders',
        key,
        rule: key === 'new-checkout' ? ('flag-removed' as const) : ('key-removed' as const),
        reason: 'orders was merged into checkout, which reads none of these',
      }),
    );
    const report = compareDesiredStates(organisation(base), { services: [], breakingChanges }, ENVIRONMENTS);
    expect(report.findings).toEqual([]);
    expect(report.acknowledged).toHaveLength(5);
  });
});
