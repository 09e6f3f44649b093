import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createFlagEvaluator, loadRuleEngine } from '../../packages/client/src/flag-evaluator.ts';
import { FLAG_USAGE_INTERVAL_MS, FlagUsageRecorder } from '../../packages/client/src/flag-usage.ts';
import { outcomeOf } from '../../packages/client/src/flag-usage-lines.ts';
import { StewardFlagProvider } from '../../packages/client/src/openfeature.ts';
import { METRIC_NAMESPACE } from '../../packages/client/src/telemetry.ts';

const T0 = 1_800_000_000_000;

/** A flags document with every simple form and a rule-based flag of three variants. */
const document = {
  'always-on': { enabled: true, owner: 'team-orders', type: 'release' },
  'turned-off': { enabled: false, owner: 'team-orders', type: 'kill-switch' },
  'button-copy': {
    enabled: true,
    rolloutPercent: 100,
    value: 'Buy now – 20% off for alice@example.com',
    defaultValue: 'Buy now',
  },
  'qa-only': { enabled: true, allow: ['customer-qa-1'] },
  theme: {
    enabled: true,
    variants: [
      JSON.stringify({ name: 'pro', rule: '(eq $tier "pro")', enabled: true, value: 'midnight' }),
      JSON.stringify({
        name: 'sample',
        rule: '(split pct::100 by::$targetingKey)',
        enabled: true,
        value: 'sunrise',
      }),
      JSON.stringify({ name: 'classic', enabled: true, value: 'daylight' }),
    ],
  },
};

interface UsageLine {
  _aws: {
    Timestamp: number;
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
  service: string;
  flag: string;
  variant: string;
  reason: string;
  FlagEvaluations: number;
}

function recorded() {
  const lines: string[] = [];
  const parsed = () => lines.map((line) => JSON.parse(line) as UsageLine);
  const counts = () =>
    Object.fromEntries(
      parsed().map((l) => [`${l.service}/${l.flag}/${l.variant}/${l.reason}`, l.FlagEvaluations]),
    );
  return { sink: (line: string) => void lines.push(line), lines, parsed, counts };
}

/** An evaluator of the document whose counts a fresh recorder writes to a recording sink, for `orders`. */
function trackedEvaluator() {
  const evaluator = createFlagEvaluator(document);
  const recorder = new FlagUsageRecorder();
  const out = recorded();
  recorder.track('orders', evaluator, out.sink);
  return { evaluator, recorder, out };
}

describe('Flag usage metrics (client)', () => {
  beforeAll(async () => {
    await loadRuleEngine();
  });

  it('counts evaluations per flag, variant and reason, and writes one EMF line for each', async () => {
    // Prepare
    const { evaluator, recorder, out } = trackedEvaluator();

    // Act
    for (let i = 0; i < 3; i++) evaluator.isEnabled('always-on');
    evaluator.isEnabled('turned-off');
    evaluator.value('button-copy', 'Buy now', { targetingKey: 'customer-7' });
    evaluator.isEnabled('qa-only', { targetingKey: 'customer-qa-1' });
    evaluator.isEnabled('qa-only', { targetingKey: 'customer-7' });
    evaluator.value('theme', 'daylight', { tier: 'pro', targetingKey: 'customer-7' });
    evaluator.resolve('theme', { tier: 'free', targetingKey: 'customer-7' });
    evaluator.value('theme', 'daylight', {});
    const written = await recorder.flush(T0);

    // Assess
    expect(written).toBe(8);
    expect(out.counts()).toEqual({
      'orders/always-on/on/STATIC': 3,
      'orders/turned-off/off/DISABLED': 1,
      'orders/button-copy/on/SPLIT': 1,
      'orders/qa-only/on/TARGETING_MATCH': 1,
      'orders/qa-only/off/DEFAULT': 1,
      'orders/theme/pro/TARGETING_MATCH': 1,
      'orders/theme/sample/SPLIT': 1,
      'orders/theme/classic/DEFAULT': 1,
    });
    expect(out.parsed()[0]).toEqual({
      _aws: {
        Timestamp: T0,
        CloudWatchMetrics: [
          {
            Namespace: 'ConfigSteward/Client',
            Dimensions: [
              ['service', 'flag', 'variant', 'reason'],
              ['service', 'flag', 'variant'],
              ['service'],
            ],
            Metrics: [{ Name: 'FlagEvaluations', Unit: 'Count' }],
          },
        ],
      },
      service: 'orders',
      flag: 'always-on',
      variant: 'on',
      reason: 'STATIC',
      FlagEvaluations: 3,
    });
    expect(METRIC_NAMESPACE).toBe('ConfigSteward/Client');
  });

  it('counts OpenFeature resolutions, a disabled flag without attributes (as the data plane serves it) included', async () => {
    // Prepare
    const evaluator = createFlagEvaluator({ ...document, 'bare-off': { enabled: false } });
    const provider = new StewardFlagProvider({ flags: evaluator });
    const recorder = new FlagUsageRecorder();
    const out = recorded();
    recorder.track('orders', evaluator, out.sink);

    // Act
    await provider.resolveBooleanEvaluation('bare-off', true, {});
    await provider.resolveStringEvaluation('theme', 'daylight', { tier: 'pro', targetingKey: 'c-1' });
    await provider.resolveBooleanEvaluation('no-such-flag', false, {});
    await recorder.flush(T0);

    // Assess
    expect(out.counts()).toEqual({
      'orders/bare-off/off/DISABLED': 1,
      'orders/theme/pro/TARGETING_MATCH': 1,
    });
  });

  it('does not count reason(), attribute() or has(): they explain an evaluation, they are not one', async () => {
    // Prepare
    const { evaluator, recorder, out } = trackedEvaluator();

    // Act
    evaluator.reason('always-on');
    evaluator.reason('theme', { tier: 'pro' });
    evaluator.attribute('always-on', 'owner');
    evaluator.has('theme');
    const written = await recorder.flush(T0);

    // Assess
    expect(written).toBe(0);
    expect(out.lines).toEqual([]);
  });

  it('puts no targeting key, context attribute or flag value in a line: only names from the document', async () => {
    // Prepare
    const { evaluator, recorder, out } = trackedEvaluator();
    const context = {
      targetingKey: 'customer-4711',
      email: 'alice@example.com',
      tier: 'enterprise-plus',
      groups: ['beta'],
    };

    // Act
    for (const flag of Object.keys(document)) {
      evaluator.isEnabled(flag, context);
      evaluator.value(flag, 'fallback', context);
    }
    await recorder.flush(T0);

    // Assess
    const text = out.lines.join('\n');
    for (const leaked of [
      'customer-4711',
      'alice@example.com',
      'enterprise-plus',
      'beta',
      'sunrise',
      'Buy now',
    ]) {
      expect(text).not.toContain(leaked);
    }
    for (const line of out.parsed()) {
      expect(Object.keys(line).sort()).toEqual([
        'FlagEvaluations',
        '_aws',
        'flag',
        'reason',
        'service',
        'variant',
      ]);
      expect(Object.keys(document)).toContain(line.flag);
    }
  });

  it('counts no flag the document does not hold, so a computed or misspelt key adds no series', async () => {
    // Prepare
    const { evaluator, recorder, out } = trackedEvaluator();

    // Act
    for (let i = 0; i < 100; i++) evaluator.isEnabled(`customer-${i}-flag`);
    evaluator.value('alwayson', false);
    const written = await recorder.flush(T0);

    // Assess
    expect(written).toBe(0);
    expect(out.lines).toEqual([]);
  });

  it('writes at most once a minute, and keeps counting in between without losing an evaluation', async () => {
    // Prepare
    const { evaluator, recorder, out } = trackedEvaluator();
    evaluator.isEnabled('always-on');

    // Act
    const first = await recorder.flushIfDue(T0);
    evaluator.isEnabled('always-on');
    evaluator.isEnabled('always-on');
    const early = await recorder.flushIfDue(T0 + FLAG_USAGE_INTERVAL_MS - 1);
    evaluator.isEnabled('always-on');
    const due = await recorder.flushIfDue(T0 + FLAG_USAGE_INTERVAL_MS);

    // Assess
    expect([first, early, due]).toEqual([1, 0, 1]);
    expect(out.parsed().map((l) => [l._aws.Timestamp, l.FlagEvaluations])).toEqual([
      [T0, 1],
      [T0 + FLAG_USAGE_INTERVAL_MS, 3],
    ]);
  });

  it('does not spend its minute on a write with nothing to report: the first evaluation after it is written at once', async () => {
    // Prepare
    const { evaluator, recorder, out } = trackedEvaluator();

    // Act
    const idle = await recorder.flushIfDue(T0);
    evaluator.isEnabled('turned-off');
    const next = await recorder.flushIfDue(T0 + 1_000);

    // Assess
    expect([idle, next]).toEqual([0, 1]);
    expect(out.parsed().map((line) => line.flag)).toEqual(['turned-off']);
  });

  it('writes an explicit flush at once, whatever the minute', async () => {
    // Prepare
    const { evaluator, recorder, out } = trackedEvaluator();
    evaluator.isEnabled('always-on');
    await recorder.flushIfDue(T0);
    evaluator.isEnabled('always-on');

    // Act
    const written = await recorder.flush(T0 + 5_000);

    // Assess
    expect(written).toBe(1);
    expect(out.lines).toHaveLength(2);
  });

  it('writes once a minute by itself, for a process that loaded its flags once and never calls loadFlags or flush again', async () => {
    // Prepare
    vi.useFakeTimers({ now: T0 });
    try {
      const { evaluator, recorder, out } = trackedEvaluator();
      evaluator.isEnabled('always-on');
      evaluator.isEnabled('always-on');

      // Act
      await vi.advanceTimersByTimeAsync(FLAG_USAGE_INTERVAL_MS - 1);
      const beforeTheMinute = out.lines.length;
      await vi.advanceTimersByTimeAsync(1);
      evaluator.isEnabled('turned-off');
      await vi.advanceTimersByTimeAsync(FLAG_USAGE_INTERVAL_MS);
      recorder.reset();
      evaluator.isEnabled('always-on');
      await vi.advanceTimersByTimeAsync(5 * FLAG_USAGE_INTERVAL_MS);

      // Assess
      expect(beforeTheMinute).toBe(0);
      expect(out.parsed().map((l) => [l._aws.Timestamp, l.flag, l.FlagEvaluations])).toEqual([
        [T0 + FLAG_USAGE_INTERVAL_MS, 'always-on', 2],
        [T0 + 2 * FLAG_USAGE_INTERVAL_MS, 'turned-off', 1],
      ]);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('writes a replaced snapshot once more, then forgets it', async () => {
    // Prepare
    const recorder = new FlagUsageRecorder();
    const out = recorded();
    const before = createFlagEvaluator(document);
    recorder.track('orders', before, out.sink);
    before.isEnabled('always-on');
    const after = createFlagEvaluator(document);
    recorder.track('orders', after, out.sink, before);
    after.isEnabled('always-on');

    // Act
    await recorder.flush(T0);
    before.isEnabled('always-on'); // a request still holding the old snapshot
    after.isEnabled('turned-off');
    await recorder.flush(T0 + FLAG_USAGE_INTERVAL_MS);

    // Assess
    expect(out.parsed().map((l) => `${l.flag}:${l.FlagEvaluations}`)).toEqual([
      'always-on:2',
      'turned-off:1',
    ]);
  });

  it('survives a sink that throws: the flags keep working and the next write goes through', async () => {
    // Prepare
    const evaluator = createFlagEvaluator(document);
    const recorder = new FlagUsageRecorder();
    const out = recorded();
    let failing = true;
    recorder.track('orders', evaluator, (line) => {
      if (failing) throw new Error('stdout closed');
      out.sink(line);
    });
    evaluator.isEnabled('always-on');

    // Act
    const lost = await recorder.flush(T0);
    failing = false;
    evaluator.isEnabled('always-on');
    const written = await recorder.flush(T0 + FLAG_USAGE_INTERVAL_MS);

    // Assess
    expect(lost).toBe(0);
    expect(written).toBe(1);
    expect(evaluator.isEnabled('always-on')).toBe(true);
  });

  it('maps every outcome slot of a simple flag to on/off and its reason', () => {
    // Prepare
    const flag = createFlagEvaluator(document).definition('always-on')!;

    // Act
    const outcomes = [...flag.evaluations.keys()].map((slot) => outcomeOf(flag, slot));

    // Assess
    expect(outcomes).toEqual([
      { variant: 'off', reason: 'DISABLED' },
      { variant: 'off', reason: 'DEFAULT' },
      { variant: 'on', reason: 'STATIC' },
      { variant: 'on', reason: 'TARGETING_MATCH' },
      { variant: 'on', reason: 'SPLIT' },
    ]);
  });
});
