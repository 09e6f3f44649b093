/**
 * The contract every `TicketTracker` meets, run against the in-memory double, the GitHub and Jira
 * adapters over their local HTTP servers (test/support/*-server.ts) and the OpsCenter adapter over
 * simulated OpsItems (test/support/simulated-opscenter.ts). Deduplication by key while a
 * ticket is open is what the drift, validation and rotation jobs rely on to file a finding once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TicketRequest, TicketTracker } from '../../functions/ports/ticket-tracker.ts';
import { TicketTrackerError } from '../../functions/ports/ticket-tracker.errors.ts';

export interface TicketTrackerUnderTest {
  readonly tracker: TicketTracker;
  /** Stops what the factory started (a local server). */
  stop(): Promise<void>;
}

const request = (dedupKey: string): TicketRequest => ({
  dedupKey,
  title: `Config drift: ${dedupKey}`,
  body: 'The value differs from config/.',
  severity: 'medium',
  category: 'drift',
});

const DRIFT = 'value-drift:/config/production/orders/max-retries';
const UNMANAGED = 'unmanaged:/config/production/orders/legacy';
const EXPIRED = 'flag-expired:orders:new-checkout';

export function describeTicketTrackerContract(
  name: string,
  make: () => Promise<TicketTrackerUnderTest>,
): void {
  describe(`Contract: TicketTracker (${name})`, () => {
    let subject: TicketTrackerUnderTest | undefined;
    const start = async () => {
      subject = await make();
      return subject.tracker;
    };
    afterEach(async () => {
      await subject?.stop();
      subject = undefined;
    });

    it('files a ticket once while it is open, answering the open one for the same key', async () => {
      // Prepare
      const tracker = await start();

      // Act
      const first = await tracker.file(request(DRIFT));
      const again = await tracker.file(request(DRIFT));
      const other = await tracker.file(request(UNMANAGED));

      // Assess
      expect(first.created).toBe(true);
      expect(again).toEqual({ ref: first.ref, created: false });
      expect(other.created).toBe(true);
      expect(other.ref.id).not.toBe(first.ref.id);
    });

    it('lists open tickets by key prefix, and all of them without one', async () => {
      // Prepare
      const tracker = await start();
      const drift = await tracker.file(request(DRIFT));
      const unmanaged = await tracker.file(request(UNMANAGED));
      const expired = await tracker.file(request(EXPIRED));

      // Act
      const driftOnly = await tracker.listOpen('value-drift:');
      const all = await tracker.listOpen();

      // Assess
      expect(driftOnly).toEqual([{ dedupKey: DRIFT, ref: drift.ref }]);
      expect(all.map((t) => t.dedupKey).sort()).toEqual([DRIFT, EXPIRED, UNMANAGED].sort());
      expect(all.find((t) => t.dedupKey === UNMANAGED)?.ref).toEqual(unmanaged.ref);
      expect(all.find((t) => t.dedupKey === EXPIRED)?.ref).toEqual(expired.ref);
    });

    it('closes a resolved ticket, so the same finding later files a new one', async () => {
      // Prepare
      const tracker = await start();
      const first = await tracker.file(request(DRIFT));

      // Act
      await tracker.resolve(first.ref, 'The value matches config/ again.');
      const open = await tracker.listOpen();
      const refiled = await tracker.file(request(DRIFT));

      // Assess
      expect(open).toEqual([]);
      expect(refiled.created).toBe(true);
      expect(refiled.ref.id).not.toBe(first.ref.id);
    });

    it('refuses to resolve a ticket that does not exist with a TicketTrackerError', async () => {
      // Prepare
      const tracker = await start();
      const { ref } = await tracker.file(request(DRIFT));

      // Act
      const resolved = tracker.resolve({ ...ref, id: '9999' }, 'no such ticket');

      // Assess
      await expect(resolved).rejects.toBeInstanceOf(TicketTrackerError);
      expect(await tracker.listOpen()).toEqual([{ dedupKey: DRIFT, ref }]);
    });
  });
}
