import { ErrorCode, OpenFeature, StandardResolutionReasons } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlagEvaluator, rolloutBucket } from '../../packages/client/src/flag-evaluator.ts';
import { StewardFlagProvider } from '../../packages/client/src/openfeature.ts';

const evaluator = createFlagEvaluator({
  'new-checkout': {
    enabled: true,
    owner: 'team-orders',
    type: 'release',
    expires: '2027-01-31',
    rolloutPercent: 25,
    allow: ['customer-qa-1'],
  },
  everyone: { enabled: true, owner: 'team-orders', type: 'release' },
  'disable-recommendations': { enabled: false, owner: 'team-orders', type: 'kill-switch' },
  'beta-only': { enabled: true, owner: 'team-growth', type: 'experiment', groups: ['beta'] },
  'button-copy': {
    enabled: true,
    owner: 'team-growth',
    type: 'experiment',
    value: 'Complete order',
    defaultValue: 'Buy now',
  },
  'button-copy-off': {
    enabled: false,
    owner: 'team-growth',
    type: 'experiment',
    value: 'Complete order',
    defaultValue: 'Buy now',
  },
  'page-size': { enabled: true, owner: 'team-orders', type: 'operational', value: 25, groups: ['beta'] },
  'shipping-banner': {
    enabled: true,
    owner: 'team-orders',
    type: 'release',
    value: { text: 'Free shipping' },
  },
});

const keys = Array.from({ length: 100 }, (_, i) => `customer-${i}`);
const insideRollout = keys.find((k) => rolloutBucket('new-checkout', k) < 2500)!;
const outsideRollout = keys.find((k) => rolloutBucket('new-checkout', k) >= 2500)!;

describe('Class: StewardFlagProvider', () => {
  const client = OpenFeature.getClient('steward-provider-test');

  beforeAll(async () => {
    await OpenFeature.setProviderAndWait(
      'steward-provider-test',
      new StewardFlagProvider({ flags: evaluator }),
    );
  });

  afterAll(async () => {
    await OpenFeature.close();
  });

  it('resolves boolean flags with reasons and on/off variants', async () => {
    // Act
    const staticOn = await client.getBooleanDetails('everyone', false);
    const disabled = await client.getBooleanDetails('disable-recommendations', true);
    const allowListed = await client.getBooleanDetails('new-checkout', false, {
      targetingKey: 'customer-qa-1',
    });
    const split = await client.getBooleanDetails('new-checkout', false, { targetingKey: insideRollout });
    const outside = await client.getBooleanDetails('new-checkout', true, { targetingKey: outsideRollout });
    const group = await client.getBooleanDetails('beta-only', false, { targetingKey: 'x', groups: ['beta'] });

    // Assess
    expect([staticOn.value, staticOn.reason, staticOn.variant]).toEqual([
      true,
      StandardResolutionReasons.STATIC,
      'on',
    ]);
    expect([disabled.value, disabled.reason, disabled.variant]).toEqual([
      false,
      StandardResolutionReasons.DISABLED,
      'off',
    ]);
    expect([allowListed.value, allowListed.reason]).toEqual([
      true,
      StandardResolutionReasons.TARGETING_MATCH,
    ]);
    expect([split.value, split.reason]).toEqual([true, StandardResolutionReasons.SPLIT]);
    expect([outside.value, outside.reason, outside.variant]).toEqual([
      false,
      StandardResolutionReasons.DEFAULT,
      'off',
    ]);
    expect([group.value, group.reason]).toEqual([true, StandardResolutionReasons.TARGETING_MATCH]);
    expect(allowListed.flagMetadata).toEqual({
      owner: 'team-orders',
      type: 'release',
      expires: '2027-01-31',
    });
  });

  it('resolves string flags: the value when on, the flag default when off', async () => {
    // Act
    const on = await client.getStringDetails('button-copy', 'fallback');
    const off = await client.getStringDetails('button-copy-off', 'fallback');

    // Assess
    expect([on.value, on.reason, on.variant]).toEqual([
      'Complete order',
      StandardResolutionReasons.STATIC,
      'on',
    ]);
    expect([off.value, off.reason, off.variant]).toEqual([
      'Buy now',
      StandardResolutionReasons.DISABLED,
      'off',
    ]);
  });

  it('resolves number flags, serving the caller default when targeting does not match', async () => {
    // Act
    const member = await client.getNumberDetails('page-size', 50, { groups: ['beta'] });
    const outsider = await client.getNumberDetails('page-size', 50, { groups: ['staff'] });

    // Assess
    expect([member.value, member.reason, member.variant]).toEqual([
      25,
      StandardResolutionReasons.TARGETING_MATCH,
      'on',
    ]);
    expect([outsider.value, outsider.reason]).toEqual([50, StandardResolutionReasons.DEFAULT]);
  });

  it('resolves object flags', async () => {
    // Act
    const banner = await client.getObjectDetails('shipping-banner', { text: '' });

    // Assess
    expect(banner.value).toEqual({ text: 'Free shipping' });
    expect(banner.reason).toBe(StandardResolutionReasons.STATIC);
    expect(banner.variant).toBe('on');
  });

  it('answers an unknown flag with ERROR / FLAG_NOT_FOUND and the default value', async () => {
    // Act
    const details = await client.getBooleanDetails('no-such-flag', true);

    // Assess
    expect(details.value).toBe(true);
    expect(details.reason).toBe(StandardResolutionReasons.ERROR);
    expect(details.errorCode).toBe(ErrorCode.FLAG_NOT_FOUND);
  });

  it('answers a flag of another kind with ERROR / TYPE_MISMATCH and the default value', async () => {
    // Act
    const numberAsString = await client.getStringDetails('page-size', 'fallback');
    const stringAsBoolean = await client.getBooleanDetails('button-copy', false);
    const booleanAsObject = await client.getObjectDetails('everyone', { fallback: true });

    // Assess
    for (const details of [numberAsString, stringAsBoolean, booleanAsObject]) {
      expect(details.reason).toBe(StandardResolutionReasons.ERROR);
      expect(details.errorCode).toBe(ErrorCode.TYPE_MISMATCH);
    }
    expect(numberAsString.value).toBe('fallback');
    expect(booleanAsObject.value).toEqual({ fallback: true });
  });
});
