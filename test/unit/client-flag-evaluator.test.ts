import { describe, expect, it } from 'vitest';
import { InvalidConfigDocumentError } from '../../packages/client/src/errors.ts';
import {
  createFlagEvaluator,
  FlagEvaluator,
  rolloutBucket,
} from '../../packages/client/src/flag-evaluator.ts';

const document = {
  'kill-all': { enabled: false, owner: 'team-orders', type: 'kill-switch' },
  everyone: {
    enabled: true,
    owner: 'team-orders',
    type: 'release',
    created: '2026-11-02',
    expires: '2027-01-31',
  },
  'quarter-rollout': { enabled: true, owner: 'team-orders', type: 'release', rolloutPercent: 25 },
  'full-rollout': { enabled: true, owner: 'team-orders', type: 'release', rolloutPercent: 100 },
  'zero-rollout': { enabled: true, owner: 'team-orders', type: 'release', rolloutPercent: 0 },
  'qa-only': {
    enabled: true,
    owner: 'team-orders',
    type: 'permission',
    allow: ['customer-qa-1', 'customer-qa-2'],
  },
  'beta-groups': { enabled: true, owner: 'team-growth', type: 'experiment', groups: ['beta', 'staff'] },
  'disabled-allow': { enabled: false, owner: 'team-orders', type: 'release', allow: ['customer-qa-1'] },
  'button-copy': {
    enabled: true,
    owner: 'team-growth',
    type: 'experiment',
    rolloutPercent: 50,
    value: 'Complete order',
    defaultValue: 'Buy now',
  },
  'page-size': { enabled: true, owner: 'team-orders', type: 'operational', value: 25 },
  'shipping-banner': {
    enabled: true,
    owner: 'team-orders',
    type: 'release',
    value: { text: 'Free shipping', colour: 'green' },
  },
};

describe('Class: FlagEvaluator', () => {
  const flags = createFlagEvaluator(document);

  it('answers an enabled flag without targeting as on for everyone (STATIC)', () => {
    // Act
    const anonymous = flags.isEnabled('everyone');
    const someone = flags.isEnabled('everyone', { targetingKey: 'customer-1' });

    // Assess
    expect(anonymous).toBe(true);
    expect(someone).toBe(true);
    expect(flags.reason('everyone')).toBe('STATIC');
  });

  it('answers a disabled flag as off even for allow-listed keys (DISABLED)', () => {
    // Act
    const killed = flags.isEnabled('kill-all', { targetingKey: 'customer-qa-1' });
    const allowedButOff = flags.isEnabled('disabled-allow', { targetingKey: 'customer-qa-1' });

    // Assess
    expect(killed).toBe(false);
    expect(allowedButOff).toBe(false);
    expect(flags.reason('disabled-allow', { targetingKey: 'customer-qa-1' })).toBe('DISABLED');
  });

  it('answers an unknown flag as off with FLAG_NOT_FOUND and serves the default value', () => {
    // Act
    const enabled = flags.isEnabled('no-such-flag', { targetingKey: 'customer-1' });

    // Assess
    expect(enabled).toBe(false);
    expect(flags.reason('no-such-flag')).toBe('FLAG_NOT_FOUND');
    expect(flags.value('no-such-flag', 'fallback')).toBe('fallback');
    expect(flags.attribute('no-such-flag', 'owner')).toBeUndefined();
    expect(flags.has('no-such-flag')).toBe(false);
  });

  it('turns an allow-listed targeting key on and leaves others off (TARGETING_MATCH / DEFAULT)', () => {
    // Act
    const listed = flags.isEnabled('qa-only', { targetingKey: 'customer-qa-2' });
    const other = flags.isEnabled('qa-only', { targetingKey: 'customer-7' });
    const anonymous = flags.isEnabled('qa-only');

    // Assess
    expect(listed).toBe(true);
    expect(flags.reason('qa-only', { targetingKey: 'customer-qa-2' })).toBe('TARGETING_MATCH');
    expect(other).toBe(false);
    expect(flags.reason('qa-only', { targetingKey: 'customer-7' })).toBe('DEFAULT');
    expect(anonymous).toBe(false);
  });

  it('turns a flag on when any of the caller groups is targeted', () => {
    // Act
    const member = flags.isEnabled('beta-groups', { targetingKey: 'u1', groups: ['customers', 'staff'] });
    const outsider = flags.isEnabled('beta-groups', { targetingKey: 'u1', groups: ['customers'] });
    const noGroups = flags.isEnabled('beta-groups', { targetingKey: 'u1' });

    // Assess
    expect(member).toBe(true);
    expect(flags.reason('beta-groups', { groups: ['staff'] })).toBe('TARGETING_MATCH');
    expect(outsider).toBe(false);
    expect(noGroups).toBe(false);
  });

  it('puts a targeting key inside a rollout by its bucket (SPLIT) and is stable across evaluators', () => {
    // Prepare
    const inside = Array.from({ length: 200 }, (_, i) => `customer-${i}`).filter(
      (key) => rolloutBucket('quarter-rollout', key) < 2500,
    );
    const outside = Array.from({ length: 200 }, (_, i) => `customer-${i}`).filter(
      (key) => rolloutBucket('quarter-rollout', key) >= 2500,
    );
    const another = createFlagEvaluator(document);

    // Act
    const insideAnswers = inside.map((key) => another.isEnabled('quarter-rollout', { targetingKey: key }));
    const outsideAnswers = outside.map((key) => flags.isEnabled('quarter-rollout', { targetingKey: key }));

    // Assess
    expect(inside.length).toBeGreaterThan(0);
    expect(insideAnswers.every(Boolean)).toBe(true);
    expect(outsideAnswers.some(Boolean)).toBe(false);
    expect(flags.reason('quarter-rollout', { targetingKey: inside[0]! })).toBe('SPLIT');
    expect(flags.reason('quarter-rollout', { targetingKey: outside[0]! })).toBe('DEFAULT');
  });

  it('hashes flag and targeting key to fixed buckets, the same in every process and release', () => {
    // Act
    const buckets = [
      rolloutBucket('new-checkout', 'customer-1'),
      rolloutBucket('new-checkout', 'customer-2'),
      rolloutBucket('checkout-button-copy', 'customer-1'),
      rolloutBucket('a', 'bc'),
      rolloutBucket('ab', 'c'),
    ];

    // Assess: golden values; changing them would move users between cohorts on upgrade.
    expect(buckets).toMatchInlineSnapshot(`
      [
        4586,
        6173,
        379,
        8510,
        520,
      ]
    `);
    expect(buckets[3]).not.toBe(buckets[4]);
  });

  it('keeps a 25% rollout within 0.5% of its target over a million targeting keys', () => {
    // Prepare
    const evaluator = new FlagEvaluator({ 'quarter-rollout': { enabled: true, rolloutPercent: 25 } });
    const total = 1_000_000;

    // Act
    let on = 0;
    for (let i = 0; i < total; i++) {
      if (evaluator.isEnabled('quarter-rollout', { targetingKey: `user-${i}` })) on++;
    }

    // Assess
    expect(Math.abs(on / total - 0.25)).toBeLessThanOrEqual(0.005);
  });

  it('spreads buckets evenly over deciles for uuid-like and sequential keys of several flags', () => {
    // Prepare
    const keys = Array.from({ length: 100_000 }, (_, i) =>
      i % 2 === 0 ? `${i}` : `tenant-${i.toString(16)}-eu`,
    );

    for (const flag of ['new-checkout', 'x', 'checkout-button-copy']) {
      // Act
      const deciles = new Array<number>(10).fill(0);
      for (const key of keys) deciles[Math.floor(rolloutBucket(flag, key) / 1000)]! += 1;

      // Assess
      for (const count of deciles) expect(Math.abs(count / keys.length - 0.1)).toBeLessThanOrEqual(0.005);
    }
  });

  it('serves 100% rollouts to everyone and 0% rollouts to no one', () => {
    // Act
    const full = [flags.isEnabled('full-rollout'), flags.isEnabled('full-rollout', { targetingKey: 'k' })];
    const zero = flags.isEnabled('zero-rollout', { targetingKey: 'k' });

    // Assess
    expect(full).toEqual([true, true]);
    expect(zero).toBe(false);
  });

  it('serves the value when on, the flag default when off, and the caller default for another kind', () => {
    // Prepare
    const inside = Array.from({ length: 100 }, (_, i) => `c-${i}`).find(
      (k) => rolloutBucket('button-copy', k) < 5000,
    )!;
    const outside = Array.from({ length: 100 }, (_, i) => `c-${i}`).find(
      (k) => rolloutBucket('button-copy', k) >= 5000,
    )!;

    // Act
    const onCopy = flags.value('button-copy', 'fallback', { targetingKey: inside });
    const offCopy = flags.value('button-copy', 'fallback', { targetingKey: outside });
    const wrongKind = flags.value('button-copy', 10, { targetingKey: inside });
    const pageSize = flags.value('page-size', 50);
    const banner = flags.value('shipping-banner', { text: '' });
    const booleanFlag = [flags.value('everyone', false), flags.value('kill-all', true)];

    // Assess
    expect(onCopy).toBe('Complete order');
    expect(offCopy).toBe('Buy now');
    expect(wrongKind).toBe(10);
    expect(pageSize).toBe(25);
    expect(banner).toEqual({ text: 'Free shipping', colour: 'green' });
    expect(Object.isFrozen(banner)).toBe(true);
    expect(booleanFlag).toEqual([true, false]);
  });

  it('exposes the raw attributes of a flag', () => {
    // Act
    const owner = flags.attribute('everyone', 'owner');
    const expires = flags.attribute('everyone', 'expires');
    const missing = flags.attribute('kill-all', 'expires');

    // Assess
    expect(owner).toBe('team-orders');
    expect(expires).toBe('2027-01-31');
    expect(missing).toBeUndefined();
  });

  it('rejects a document whose targeting is malformed, naming the flag and attribute', () => {
    // Prepare
    const bad = { good: { enabled: true }, broken: { enabled: 'yes', rolloutPercent: 250 } };

    // Act
    const attempt = () => createFlagEvaluator(bad);

    // Assess
    expect(attempt).toThrow(InvalidConfigDocumentError);
    expect(attempt).toThrow(/broken\.enabled.*broken\.rolloutPercent/);
  });

  it('does not change its answers while being evaluated many times (no state on the hot path)', () => {
    // Prepare
    const context = { targetingKey: 'customer-qa-1', groups: ['beta'] };
    const first = ['qa-only', 'beta-groups', 'quarter-rollout'].map((f) => flags.isEnabled(f, context));

    // Act
    for (let i = 0; i < 10_000; i++) flags.isEnabled('quarter-rollout', context);
    const again = ['qa-only', 'beta-groups', 'quarter-rollout'].map((f) => flags.isEnabled(f, context));

    // Assess
    expect(again).toEqual(first);
    expect(context).toEqual({ targetingKey: 'customer-qa-1', groups: ['beta'] });
  });
});
