/** Hosted-version content as the AppConfig SDK hands it back, for the flag adapters' tests and simulations. */
import type { GetHostedConfigurationVersionCommandOutput } from '@aws-sdk/client-appconfig';
import { toAppConfigFlags } from '../../functions/core/flags/appconfig-format.ts';

type Content = GetHostedConfigurationVersionCommandOutput['Content'];

/** What the SDK hands back: bytes (a Uint8ArrayBlobAdapter, which is a Uint8Array). */
export const bytes = (text: string) => new TextEncoder().encode(text) as unknown as Content;

/** A value as hosted JSON content. */
export const encode = (value: unknown) => bytes(JSON.stringify(value));

/** The flags document of orders in production with one release flag, as the stack hosts it. */
export const ordersReleaseDocument = toAppConfigFlags(
  {
    'new-checkout': {
      description: 'The redesigned checkout flow',
      owner: 'team-orders',
      type: 'release',
      created: '2026-11-02',
      expires: '2027-01-31',
      environments: { production: { enabled: true, rolloutPercent: 25 } },
    },
  },
  'production',
);
