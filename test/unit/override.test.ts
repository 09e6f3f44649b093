import { describe, expect, it } from 'vitest';
import { organisation } from '../../config/index.ts';
import {
  isActive,
  needsImmediateDelivery,
  OVERRIDE_MAX_DURATION_HOURS,
  OVERRIDE_TAGS,
  type OverrideRecord,
  overrideState,
  parseOverrideTags,
} from '../../functions/core/override.ts';
import { overrideTags, planOverride, tagSafe } from '../../functions/core/override-plan.ts';
import { SchemaRegistry } from '../../functions/core/registry.ts';
import { settingsSchema } from '../../functions/core/settings.ts';

const registry = new SchemaRegistry(organisation, {
  parameterRoot: 'config',
  environments: ['staging', 'production'],
});
const NOW = new Date('2026-11-30T22:00:00.000Z');
const CALLER = 'arn:aws:sts::123456789012:assumed-role/OnCall/alice';
const policy = { maxDurationHours: 24, requireApprovalIn: ['production'] };
const context = { registry, policy, now: NOW, caller: CALLER };
const SIGNING_KEY = 'whsec_0123456789abcdef0123456789abcdef';

const valid = {
  parameter: 'orders/max-retries',
  environment: 'production',
  value: '8',
  reason: 'INC-4711: payment provider brown-out, retry more',
  until: '4h',
  approvedBy: 'bob',
};

describe('Function: planOverride', () => {
  it('plans a valid override: the name, the type, and the record with caller, until and approver', () => {
    // Act
    const plan = planOverride(valid, context);

    // Assess
    expect(plan).toEqual({
      ok: true,
      override: {
        name: '/config/production/orders/max-retries',
        environment: 'production',
        service: 'orders',
        key: 'max-retries',
        value: '8',
        parameterType: 'String',
        reason: valid.reason,
        record: {
          parameter: '/config/production/orders/max-retries',
          until: new Date('2026-12-01T02:00:00.000Z'),
          appliedAt: NOW,
          actor: CALLER,
          reason: 'INC-4711: payment provider brown-out_ retry more',
          approvedBy: 'bob',
        },
      },
    });
  });

  it('takes a full parameter name, and an ISO time with a zone for --until', () => {
    // Act
    const plan = planOverride(
      {
        ...valid,
        parameter: '/config/staging/orders/max-retries',
        environment: undefined,
        until: '2026-12-01T08:30:00+01:00',
        approvedBy: undefined,
      },
      context,
    );

    // Assess
    expect(plan.ok && plan.override.record.until.toISOString()).toBe('2026-12-01T07:30:00.000Z');
    expect(plan.ok && plan.override.environment).toBe('staging');
  });

  it.each([
    ['an undeclared key', { parameter: 'orders/max-retires' }, /declares no key "max-retires"/],
    ['an unknown service', { parameter: 'billing/max-retries' }, /unknown service "billing"/],
    ['a value outside the schema', { value: '11' }, /value refused by the schema of max-retries/],
    ['a value of the wrong kind', { value: 'many' }, /value refused by the schema of max-retries/],
    ['no reason', { reason: undefined }, /--reason is required/],
    ['a reason too short to say anything', { reason: 'fix' }, /--reason is required/],
    ['no --until', { until: undefined }, /--until is required/],
    ['an --until in the past', { until: '2026-11-30T21:00:00Z' }, /is not in the future/],
    ['an --until beyond the maximum', { until: '25h' }, /beyond the settings' maximum of 24 h/],
    ['an --until without a zone', { until: '2026-12-01T08:00' }, /with a zone/],
    ['an --until that is no time', { until: 'tomorrow' }, /give a duration/],
    [
      'no approver where one is required',
      { approvedBy: undefined },
      /production requires a second principal/,
    ],
    ['the caller as approver, by ARN', { approvedBy: CALLER }, /another principal than the caller/],
    ['the caller as approver, by session name', { approvedBy: 'Alice' }, /another principal than the caller/],
    [
      'a full name outside --env',
      { parameter: '/config/staging/orders/max-retries' },
      /is not in --env production/,
    ],
    ['<service>/<key> without --env', { environment: undefined }, /name the environment/],
  ])('refuses %s', (_, change, problem) => {
    // Act
    const plan = planOverride({ ...valid, ...change }, context);

    // Assess
    expect(plan.ok).toBe(false);
    expect(plan.ok ? [] : plan.problems.join('\n')).toMatch(problem);
  });

  it('needs no approver outside requireApprovalIn, and records one when given', () => {
    // Act
    const without = planOverride({ ...valid, environment: 'staging', approvedBy: undefined }, context);
    const withOne = planOverride({ ...valid, environment: 'staging' }, context);

    // Assess
    expect(without.ok && without.override.record.approvedBy).toBeUndefined();
    expect(withOne.ok && withOne.override.record.approvedBy).toBe('bob');
  });

  it('reports every problem at once', () => {
    // Act
    const plan = planOverride(
      { ...valid, value: '11', reason: '', until: '2d', approvedBy: undefined },
      context,
    );

    // Assess
    expect(plan.ok ? [] : plan.problems).toHaveLength(4);
  });

  it('never repeats a refused SecureString value in its problems', () => {
    // Act: the signing key must be at least 32 characters
    const plan = planOverride(
      { ...valid, parameter: 'orders/webhook-signing-key', value: 'short-secret-value' },
      context,
    );

    // Assess
    expect(plan.ok).toBe(false);
    expect(JSON.stringify(plan)).not.toContain('short-secret-value');
  });

  it('refuses a requireApprovalIn that names an unknown environment, which would waive the approval', () => {
    // Act
    const plan = planOverride(valid, { ...context, policy: { ...policy, requireApprovalIn: ['prod'] } });

    // Assess
    expect(plan).toEqual({
      ok: false,
      problems: ['settings overrides.requireApprovalIn names unknown environments: prod'],
    });
  });

  it('accepts a valid SecureString value and types it so', () => {
    // Act
    const plan = planOverride(
      { ...valid, parameter: 'orders/webhook-signing-key', value: SIGNING_KEY },
      context,
    );

    // Assess
    expect(plan.ok && plan.override.parameterType).toBe('SecureString');
  });
});

/** An override of production max-retries until 02:00, approved by bob. */
const record: OverrideRecord = {
  parameter: '/config/production/orders/max-retries',
  until: new Date('2026-12-01T02:00:00.000Z'),
  appliedAt: NOW,
  actor: CALLER,
  reason: 'INC-4711: retry more',
  approvedBy: 'bob',
};

describe('Function: overrideTags / parseOverrideTags', () => {
  it('round-trips a record through the tags', () => {
    // Act
    const tags = Object.fromEntries(overrideTags(record).map((t) => [t.key, t.value]));

    // Assess
    expect(tags[OVERRIDE_TAGS.marker]).toBe('true');
    expect(parseOverrideTags(record.parameter, tags)).toEqual(record);
  });

  it('reads no override from unrelated tags, a marker without times, or a malformed time', () => {
    // Assess
    expect(parseOverrideTags('/p', { team: 'payments' })).toBeUndefined();
    expect(parseOverrideTags('/p', { [OVERRIDE_TAGS.marker]: 'true' })).toBeUndefined();
    expect(
      parseOverrideTags('/p', {
        [OVERRIDE_TAGS.marker]: 'true',
        [OVERRIDE_TAGS.until]: 'soon',
        [OVERRIDE_TAGS.appliedAt]: NOW.toISOString(),
      }),
    ).toBeUndefined();
  });

  it('caps a hand-written far-future until at the longest override the settings can allow', () => {
    // Prepare: someone tagged the parameter by hand, until the year 2099
    const handWritten = {
      [OVERRIDE_TAGS.marker]: 'true',
      [OVERRIDE_TAGS.until]: '2099-01-01T00:00:00.000Z',
      [OVERRIDE_TAGS.appliedAt]: NOW.toISOString(),
    };

    // Act
    const read = parseOverrideTags('/p', handWritten);

    // Assess
    expect(read?.until).toEqual(new Date(NOW.getTime() + OVERRIDE_MAX_DURATION_HOURS * 3_600_000));
    expect(isActive(read!, new Date('2026-12-08T00:00:00.000Z'))).toBe(false);
    // the ceiling is the settings' own limit, so no allowed setting outlasts it
    const overridesSetting = settingsSchema.shape.overrides;
    expect(overridesSetting.safeParse({ maxDurationHours: OVERRIDE_MAX_DURATION_HOURS }).success).toBe(true);
    expect(overridesSetting.safeParse({ maxDurationHours: OVERRIDE_MAX_DURATION_HOURS + 1 }).success).toBe(
      false,
    );
  });

  it('holds no value by a record that claims to be applied in the future (beyond clock skew)', () => {
    // Prepare: both times hand-written far ahead, so the cap from appliedAt alone would not end it
    const forged = parseOverrideTags('/p', {
      [OVERRIDE_TAGS.marker]: 'true',
      [OVERRIDE_TAGS.until]: '2099-01-02T00:00:00.000Z',
      [OVERRIDE_TAGS.appliedAt]: '2099-01-01T00:00:00.000Z',
    });
    const skewed = { ...record, appliedAt: new Date(NOW.getTime() + 5 * 60_000) };

    // Assess
    expect(isActive(forged!, NOW)).toBe(false);
    expect(needsImmediateDelivery([forged!], NOW, undefined)).toBe(false);
    // an operator's clock a few minutes ahead still counts
    expect(isActive(skewed, NOW)).toBe(true);
  });

  it('keeps tag values to the characters and length SSM allows', () => {
    // Act
    const safe = tagSafe(`it's "bad", see #42; ${'x'.repeat(300)}`);

    // Assess
    expect(safe).toMatch(/^[\p{L}\p{N} _.:/=+\-@]{1,256}$/u);
    expect(safe.startsWith('it_s _bad__ see _42_')).toBe(true);
  });
});

describe('Function: overrideState / needsImmediateDelivery', () => {
  const later = new Date('2026-12-01T02:00:00.000Z');

  it('is active until the instant it names, then due to be folded back while the value differs from git', () => {
    // Assess
    expect(isActive(record, NOW)).toBe(true);
    expect(isActive(record, later)).toBe(false);
    expect(overrideState(record, NOW, '8', '5')).toBe('active');
    expect(overrideState(record, later, '8', '5')).toBe('due-fold-back');
    expect(overrideState(record, later, '8', '8')).toBe('settled');
    // git holds no value for the key (the override created it, or the key lives on its default)
    expect(overrideState(record, later, '8', undefined)).toBe('due-fold-back');
  });

  it('ships all at once only an active override that no deployment has shipped yet', () => {
    // Assess
    expect(needsImmediateDelivery([record], NOW, undefined)).toBe(true);
    expect(needsImmediateDelivery([record], NOW, new Date('2026-11-30T21:00:00Z'))).toBe(true);
    expect(needsImmediateDelivery([record], NOW, new Date('2026-11-30T22:05:00Z'))).toBe(false);
    expect(needsImmediateDelivery([record], later, undefined)).toBe(false);
    expect(needsImmediateDelivery([], NOW, undefined)).toBe(false);
  });
});
