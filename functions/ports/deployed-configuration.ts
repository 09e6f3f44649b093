/**
 * What AppConfig ships now: the content of the configuration version deployed to an environment, and
 * where each service's profiles and environments are. `steward plan` compares it with what the desired
 * state builds. Read-only; errors are in `deployed-configuration.errors.ts`.
 */

/** One profile of one service in one AppConfig environment. */
export interface DeployedTarget {
  readonly applicationId: string;
  readonly environmentId: string;
  readonly configurationProfileId: string;
}

/** The configuration version a deployment put (or is putting) into an environment, with its content. */
export interface DeployedConfiguration {
  readonly deploymentNumber: number;
  /** AppConfig's deployment state: COMPLETE, or DEPLOYING/BAKING/VALIDATING while it rolls out. */
  readonly state: string;
  /** The hosted configuration version's number. */
  readonly configurationVersion: string;
  readonly versionLabel?: string;
  readonly startedAt?: Date;
  /** The document as AppConfig stores it (JSON text). */
  readonly content: string;
}

/** The AppConfig ids of one service: its application, both profiles, and an environment id per Steward environment. */
export interface ServiceProfiles {
  readonly applicationId: string;
  readonly documentProfileId: string;
  readonly flagsProfileId: string;
  /** Environment id by Steward environment name; an environment AppConfig does not have is left out. */
  readonly environments: Readonly<Record<string, string>>;
}

export interface DeployedConfigurationReader {
  /**
   * The newest deployment of the profile to the environment that is complete or rolling out (a
   * rolled-back deployment ships nothing), with its content; undefined when there is none.
   */
  deployed(target: DeployedTarget): Promise<DeployedConfiguration | undefined>;
  /**
   * The AppConfig ids of each service, found by the names the stack gives them (application
   * `<prefix><service>`, profiles `document` and `flags`, environments by name). A service without an
   * application is left out.
   */
  locate(
    services: readonly string[],
    options: { readonly namePrefix: string },
  ): Promise<Readonly<Record<string, ServiceProfiles>>>;
}
