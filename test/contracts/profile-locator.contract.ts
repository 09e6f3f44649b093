/**
 * The contract every `ProfileLocator` meets, run against the locator over `STEWARD_APPCONFIG`
 * (`targetsLocator`) and `AppConfigProfileLocator` over AppConfig simulated with aws-sdk-client-mock.
 * The AppConfig validator trusts the answer to pick the schema a document is checked against, so a
 * profile that is not a Steward service's document or flags profile must never be located.
 */
import { describe, expect, it } from 'vitest';
import type { ProfileLocator } from '../../functions/ports/config-delivery.ts';

export interface ServiceProfiles {
  readonly applicationId: string;
  readonly documentProfileId: string;
  readonly flagsProfileId: string;
}

/** The AppConfig resources a locator is built over. */
export interface LocatorWorld {
  /** Steward's services and the ids of their applications and two profiles. */
  readonly services: Readonly<Record<string, ServiceProfiles>>;
  /** A third profile in a Steward service's application, neither its document nor its flags. */
  readonly extraProfile: { readonly applicationId: string; readonly profileId: string };
  /** An application Steward does not manage, with a profile named like Steward's document profile. */
  readonly foreign: { readonly applicationId: string; readonly profileId: string };
}

const WORLD: LocatorWorld = {
  services: {
    orders: {
      applicationId: 'app-orders',
      documentProfileId: 'p-orders-doc',
      flagsProfileId: 'p-orders-flags',
    },
    payments: { applicationId: 'app-pay', documentProfileId: 'p-pay-doc', flagsProfileId: 'p-pay-flags' },
  },
  extraProfile: { applicationId: 'app-orders', profileId: 'p-orders-settings' },
  foreign: { applicationId: 'app-other-team', profileId: 'p-other-doc' },
};

export function describeProfileLocatorContract(
  name: string,
  make: (world: LocatorWorld) => ProfileLocator,
): void {
  describe(`Contract: ProfileLocator (${name})`, () => {
    it("locates each service's document and flags profiles", async () => {
      // Prepare
      const locator = make(WORLD);
      const { orders, payments } = WORLD.services;

      // Act
      const found = await Promise.all([
        locator.locate(orders!.applicationId, orders!.documentProfileId),
        locator.locate(orders!.applicationId, orders!.flagsProfileId),
        locator.locate(payments!.applicationId, payments!.documentProfileId),
        locator.locate(payments!.applicationId, payments!.flagsProfileId),
      ]);

      // Assess
      expect(found).toEqual([
        { service: 'orders', profile: 'document' },
        { service: 'orders', profile: 'flags' },
        { service: 'payments', profile: 'document' },
        { service: 'payments', profile: 'flags' },
      ]);
    });

    it('answers the same when asked again', async () => {
      // Prepare
      const locator = make(WORLD);
      const { orders } = WORLD.services;

      // Act
      const first = await locator.locate(orders!.applicationId, orders!.flagsProfileId);
      const again = await locator.locate(orders!.applicationId, orders!.flagsProfileId);

      // Assess
      expect(again).toEqual(first);
      expect(again).toEqual({ service: 'orders', profile: 'flags' });
    });

    it("does not locate another service's profile under this service's application", async () => {
      // Prepare
      const locator = make(WORLD);
      const { orders, payments } = WORLD.services;

      // Act
      const crossed = await locator.locate(orders!.applicationId, payments!.documentProfileId);

      // Assess
      expect(crossed).toBeUndefined();
    });

    it("does not locate a third profile of a service's application", async () => {
      // Prepare
      const locator = make(WORLD);

      // Act
      const extra = await locator.locate(WORLD.extraProfile.applicationId, WORLD.extraProfile.profileId);

      // Assess
      expect(extra).toBeUndefined();
    });

    it('does not locate a profile of an application Steward does not manage, nor of a missing one', async () => {
      // Prepare
      const locator = make(WORLD);

      // Act
      const foreign = await locator.locate(WORLD.foreign.applicationId, WORLD.foreign.profileId);
      const missing = await locator.locate('app-missing', WORLD.services.orders!.documentProfileId);

      // Assess
      expect(foreign).toBeUndefined();
      expect(missing).toBeUndefined();
    });
  });
}
