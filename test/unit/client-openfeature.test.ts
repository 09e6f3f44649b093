import { ErrorCode, OpenFeature, StandardResolutionReasons } from '@openfeature/server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFlagDocument } from '../../packages/client/src/flag-document.ts';
import {
  createFlagEvaluator,
  FlagEvaluator,
  loadRuleEngine,
  rolloutBucket,
} from '../../packages/client/src/flag-evaluator.ts';
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

describe('Class: StewardFlagProvider (rule-based flags, context checks)', () => {
  const client = OpenFeature.getClient('steward-provider-rules');

  beforeAll(async () => {
    const rules = await loadRuleEngine();
    const document = parseFlagDocument({
      'launch-offer': {
        enabled: true,
        owner: 'team-growth',
        type: 'experiment',
        variants: [
          JSON.stringify({
            name: 'veterans',
            rule: '(and (in $tier ["pro", "team"]) (lt $signedUp 2024-01-01T00:00:00Z))',
            enabled: true,
          }),
          JSON.stringify({ name: 'everyone-else', enabled: false }),
        ],
      },
      'broken-rules': {
        enabled: true,
        owner: 'team-growth',
        type: 'experiment',
        variants: [
          JSON.stringify({ name: 'on', rule: '(gt $age', enabled: true }),
          JSON.stringify({ name: 'off' }),
        ],
      },
    });
    const served = new FlagEvaluator(document, rules, { brokenFlags: 'serve-default' });
    await OpenFeature.setProviderAndWait(
      'steward-provider-rules',
      new StewardFlagProvider({ flags: served }),
    );
  });

  afterAll(async () => {
    await OpenFeature.close();
  });

  it('answers INVALID_CONTEXT, naming the attribute only, when a rule reads an object', async () => {
    // Act
    const details = await client.getBooleanDetails('launch-offer', true, {
      tier: { name: 'pro' },
      signedUp: '2023-05-01T00:00:00Z',
    });

    // Assess
    expect(details).toMatchObject({ value: true, reason: 'ERROR', errorCode: ErrorCode.INVALID_CONTEXT });
    expect(details.errorMessage).toBe(
      'flag launch-offer reads tier, which must be a string, number, boolean, date or list of them',
    );
  });

  it('compares a Date in the context as a timestamp', async () => {
    // Act
    const before = await client.getBooleanDetails('launch-offer', false, {
      tier: 'pro',
      signedUp: new Date('2023-05-01T00:00:00Z'),
    });
    const after = await client.getBooleanDetails('launch-offer', true, {
      tier: 'pro',
      signedUp: new Date('2024-05-01T00:00:00Z'),
    });

    // Assess
    expect(before).toMatchObject({ value: true, variant: 'veterans', reason: 'TARGETING_MATCH' });
    expect(after).toMatchObject({ value: false, variant: 'everyone-else', reason: 'DEFAULT' });
  });

  it('answers PARSE_ERROR with the default for a flag whose rules do not compile', async () => {
    // Act
    const details = await client.getBooleanDetails('broken-rules', true, { age: 3 });

    // Assess
    expect(details).toMatchObject({ value: true, reason: 'ERROR', errorCode: ErrorCode.PARSE_ERROR });
  });
});

describe('Class: FlagEvaluator (a flag whose rules do not compile)', () => {
  const document = () =>
    parseFlagDocument({
      sound: { enabled: true, owner: 'team-orders', type: 'release' },
      broken: {
        enabled: true,
        owner: 'team-orders',
        type: 'release',
        variants: [
          JSON.stringify({ name: 'on', rule: '(eq $tier "pro"', enabled: true }),
          JSON.stringify({ name: 'off' }),
        ],
      },
    });

  it('refuses the document by default, and with serve-default answers that flag off with reason ERROR', async () => {
    // Prepare
    const rules = await loadRuleEngine();

    // Act
    const refused = () => new FlagEvaluator(document(), rules);
    const lenient = new FlagEvaluator(document(), rules, { brokenFlags: 'serve-default' });

    // Assess
    expect(refused).toThrow(/do not compile.*: broken\.variants$/);
    expect(lenient.isEnabled('sound')).toBe(true);
    expect([
      lenient.isEnabled('broken'),
      lenient.reason('broken'),
      lenient.value('broken', 'fallback'),
    ]).toEqual([false, 'ERROR', 'fallback']);
    expect([lenient.has('broken'), lenient.problem('broken'), lenient.brokenFlags()]).toEqual([
      true,
      'its variants do not compile',
      ['broken'],
    ]);
    expect(lenient.problem('sound')).toBeUndefined();
  });
});
