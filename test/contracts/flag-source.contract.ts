/**
 * The contract every `FlagSource` meets, run against the in-memory double and `AppConfigFlagSource`
 * over simulated AppConfig hosted versions. A factory hands back the source and a way to host a new
 * version of a service's flags profile (the act of a deployment or a console edit).
 */
import { describe, expect, it } from 'vitest';
import { toAppConfigFlags } from '../../functions/core/flags/appconfig-format.ts';
import type { FlagDefinition } from '../../functions/core/model.ts';
import type { FlagProfileRef, FlagSource } from '../../functions/ports/flag-source.ts';
import { FlagSourceError } from '../../functions/ports/flag-source.errors.ts';

export interface FlagSourceUnderTest {
  readonly source: FlagSource;
  /** Host a new version of the service's flags profile holding this document. */
  host(ref: FlagProfileRef, document: unknown): void;
}

const ORDERS: FlagProfileRef = {
  service: 'orders',
  applicationId: 'app-orders',
  flagsProfileId: 'flags-orders',
};
const PAYMENTS: FlagProfileRef = {
  service: 'payments',
  applicationId: 'app-payments',
  flagsProfileId: 'flags-payments',
};

function release(expires: string, enabled: boolean): FlagDefinition {
  return {
    description: 'The redesigned checkout flow',
    owner: 'team-orders',
    type: 'release',
    created: '2026-11-02',
    expires,
    environments: { production: { enabled } },
  };
}

export function describeFlagSourceContract(name: string, make: () => FlagSourceUnderTest): void {
  describe(`Contract: FlagSource (${name})`, () => {
    it('answers undefined for a profile that holds no version yet', async () => {
      // Prepare
      const { source, host } = make();
      host(PAYMENTS, toAppConfigFlags({ 'new-checkout': release('2027-01-31', true) }, 'production'));

      // Act
      const latest = await source.latest(ORDERS);

      // Assess
      expect(latest).toBeUndefined();
    });

    it("reads the newest hosted version's flags, decoded, with its version number", async () => {
      // Prepare
      const { source, host } = make();
      host(ORDERS, toAppConfigFlags({ 'new-checkout': release('2027-01-31', false) }, 'production'));
      host(ORDERS, toAppConfigFlags({ 'new-checkout': release('2027-03-31', true) }, 'production'));

      // Act
      const latest = await source.latest(ORDERS);

      // Assess
      expect(latest).toMatchObject({ ref: ORDERS, version: 2 });
      expect(latest?.flags).toEqual([
        expect.objectContaining({
          key: 'new-checkout',
          value: { enabled: true },
          owner: 'team-orders',
          expires: '2027-03-31',
        }),
      ]);
    });

    it('refuses a version that is not a feature-flag document with a FlagSourceError naming the service', async () => {
      // Prepare
      const { source, host } = make();
      host(ORDERS, { flags: 'not a map' });

      // Act
      const latest = source.latest(ORDERS);

      // Assess
      await expect(latest).rejects.toBeInstanceOf(FlagSourceError);
      await expect(latest).rejects.toThrow(/orders/);
    });
  });
}
