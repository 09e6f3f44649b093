/**
 * The contract every `FlagUsageReader` meets, run against the in-memory double and
 * `CloudWatchFlagUsageReader` over simulated CloudWatch metrics. Both are fed the consumer client's
 * own EMF lines, so the suite also holds the client's line format and the reader's queries together.
 */
import { describe, expect, it } from 'vitest';
import { flagUsageMetricLine } from '../../packages/client/src/flag-usage-lines.ts';
import type { FlagUsageReader } from '../../functions/ports/flag-usage.ts';

export interface FlagUsageReaderUnderTest {
  readonly reader: FlagUsageReader;
  /** Hand one EMF line of the client to the metrics backend. */
  ingest(line: string): void;
}

const at = (day: string, hour = 12) => Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00Z`);
const line = (
  flag: string,
  variant: string,
  reason: string,
  evaluations: number,
  timestamp: number,
  service = 'orders',
) => flagUsageMetricLine({ service, flag, variant, reason, evaluations }, timestamp);

export function describeFlagUsageReaderContract(name: string, make: () => FlagUsageReaderUnderTest): void {
  describe(`Contract: FlagUsageReader (${name})`, () => {
    it('sums a variant per UTC day over every reason, oldest day first', async () => {
      // Prepare
      const { reader, ingest } = make();
      ingest(line('new-checkout', 'on', 'SPLIT', 5, at('2026-11-20', 1)));
      ingest(line('new-checkout', 'on', 'TARGETING_MATCH', 2, at('2026-11-20', 23)));
      ingest(line('new-checkout', 'on', 'SPLIT', 4, at('2026-11-18')));
      ingest(line('new-checkout', 'off', 'DEFAULT', 9, at('2026-11-19')));

      // Act
      const [on, off] = await reader.dailyEvaluations(
        [
          { service: 'orders', flag: 'new-checkout', variant: 'on' },
          { service: 'orders', flag: 'new-checkout', variant: 'off' },
        ],
        { from: '2026-11-01', to: '2026-11-23' },
      );

      // Assess
      expect(on).toEqual([
        { day: '2026-11-18', evaluations: 4 },
        { day: '2026-11-20', evaluations: 7 },
      ]);
      expect(off).toEqual([{ day: '2026-11-19', evaluations: 9 }]);
    });

    it("answers a service's total over all its flags, apart from other services", async () => {
      // Prepare
      const { reader, ingest } = make();
      ingest(line('new-checkout', 'on', 'STATIC', 3, at('2026-11-20')));
      ingest(line('old-banner', 'off', 'DISABLED', 4, at('2026-11-20')));
      ingest(line('max-installments', 'on', 'STATIC', 100, at('2026-11-20'), 'payments'));

      // Act
      const [orders, payments] = await reader.dailyEvaluations(
        [{ service: 'orders' }, { service: 'payments' }],
        {
          from: '2026-11-01',
          to: '2026-11-23',
        },
      );

      // Assess
      expect(orders).toEqual([{ day: '2026-11-20', evaluations: 7 }]);
      expect(payments).toEqual([{ day: '2026-11-20', evaluations: 100 }]);
    });

    it('leaves out days outside the range (from inclusive, to exclusive) and answers [] for a series never written', async () => {
      // Prepare
      const { reader, ingest } = make();
      ingest(line('new-checkout', 'on', 'STATIC', 1, at('2026-10-31', 23)));
      ingest(line('new-checkout', 'on', 'STATIC', 2, at('2026-11-01', 0)));
      ingest(line('new-checkout', 'on', 'STATIC', 3, at('2026-11-23', 0)));

      // Act
      const [inRange, never] = await reader.dailyEvaluations(
        [
          { service: 'orders', flag: 'new-checkout', variant: 'on' },
          { service: 'orders', flag: 'ghost', variant: 'on' },
        ],
        { from: '2026-11-01', to: '2026-11-23' },
      );

      // Assess
      expect(inRange).toEqual([{ day: '2026-11-01', evaluations: 2 }]);
      expect(never).toEqual([]);
    });

    it('answers more series than one GetMetricData call takes (500), each in the order asked', async () => {
      // Prepare
      const { reader, ingest } = make();
      const flags = Array.from({ length: 260 }, (_, i) => `flag-${i}`);
      flags.forEach((flag, i) =>
        ingest(line(flag, i % 2 === 0 ? 'on' : 'off', 'STATIC', i + 1, at('2026-11-20'))),
      );
      const series = flags.flatMap((flag) =>
        ['on', 'off'].map((variant) => ({ service: 'orders', flag, variant })),
      );

      // Act
      const answers = await reader.dailyEvaluations(series, { from: '2026-11-01', to: '2026-11-23' });

      // Assess
      expect(answers).toHaveLength(520);
      expect(answers[0]).toEqual([{ day: '2026-11-20', evaluations: 1 }]);
      expect(answers[1]).toEqual([]);
      expect(answers[519]).toEqual([{ day: '2026-11-20', evaluations: 260 }]);
      expect(answers[518]).toEqual([]);
    });
  });
}
