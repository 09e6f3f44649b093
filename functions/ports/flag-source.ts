/**
 * Where the nightly flag job reads flag definitions: the latest hosted version of each service's
 * feature-flag profile, through AppConfig's control plane (the data plane strips definitions).
 */
import type { DecodedFlag } from '../core/flags/appconfig-format.ts';

/** The AppConfig ids of one service's feature-flag profile. */
export interface FlagProfileRef {
  readonly service: string;
  readonly applicationId: string;
  readonly flagsProfileId: string;
}

/** The flags of the newest hosted version of a profile. */
export interface HostedFlagSet {
  readonly ref: FlagProfileRef;
  readonly version: number;
  readonly flags: readonly DecodedFlag[];
}

export interface FlagSource {
  /** The newest hosted version's flags; undefined when the profile holds no version yet. */
  latest(ref: FlagProfileRef): Promise<HostedFlagSet | undefined>;
}
