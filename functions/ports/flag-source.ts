/**
 * Where the nightly flag job reads flag definitions: the hosted version each service's feature-flag
 * profile was deployed with last (else its newest), through AppConfig's control plane (the data plane strips definitions).
 */
import type { DecodedFlag } from '../core/flags/appconfig-format.ts';

/** The AppConfig ids of one service's feature-flag profile. */
export interface FlagProfileRef {
  readonly service: string;
  readonly applicationId: string;
  readonly flagsProfileId: string;
  /**
   * The AppConfig environments the flags are deployed to. Given, the version deployed last (not
   * rolled back) is read rather than the highest one: a revert in git redeploys an older hosted
   * version, which the delivery reuses instead of hosting the same content again.
   */
  readonly environmentIds?: readonly string[];
}

/** The flags of the profile's current hosted version (see {@link FlagSource.latest}). */
export interface HostedFlagSet {
  readonly ref: FlagProfileRef;
  readonly version: number;
  readonly flags: readonly DecodedFlag[];
}

export interface FlagSource {
  /**
   * The flags of the version deployed last in any of the ref's environments (the newest hosted
   * version when none is listed, or no environments are given); undefined when the profile holds no
   * version yet.
   */
  latest(ref: FlagProfileRef): Promise<HostedFlagSet | undefined>;
}

/** One AppConfig environment of a service's application, by Steward name and AppConfig id. */
export interface FlagEnvironmentRef {
  readonly name: string;
  readonly environmentId: string;
}

/** A deployment of the flags profile that is not (or no longer) what the environment serves. */
export interface FlagDeploymentNote {
  readonly deploymentNumber: number;
  /** The hosted version it deploys, as AppConfig reports it. */
  readonly version: string;
  /** AppConfig's deployment state: `VALIDATING`, `DEPLOYING`, `ROLLING_BACK`, `ROLLED_BACK`, `REVERTED`. */
  readonly state: string;
}

/** What one environment serves of a service's flags profile. */
export type DeployedFlags =
  | {
      /** No deployment of the flags profile to this environment ever completed. */
      readonly status: 'never-deployed';
      /** Newer deployments of the profile that are running or were rolled back, newest first. */
      readonly skipped: readonly FlagDeploymentNote[];
    }
  | {
      readonly status: 'deployed';
      /** The last COMPLETE (or BAKING) deployment of the flags profile: what the environment serves. */
      readonly deploymentNumber: number;
      readonly version: number;
      /** The hosted version's content, parsed from JSON but not yet checked as a flags document. */
      readonly document: unknown;
      /** Newer deployments of the profile that are running or were rolled back, newest first. */
      readonly skipped: readonly FlagDeploymentNote[];
    };

/**
 * Where the nightly drift run reads the flags each environment SERVES: the hosted version of the
 * last complete deployment of the flags profile, not the newest hosted version (a console edit may
 * host a version and deploy it, or host one and never deploy it).
 */
export interface DeployedFlagSource {
  deployed(ref: FlagProfileRef, environment: FlagEnvironmentRef): Promise<DeployedFlags>;
}
