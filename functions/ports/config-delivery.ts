/** AWS AppConfig, as delivery needs it: store a hosted document version and deploy it to an environment. */

export interface HostedDocument {
  readonly applicationId: string;
  readonly configurationProfileId: string;
  /** The document, serialized; a composed document never holds a SecureString value. */
  readonly content: string;
  readonly contentType: 'application/json';
  /** Names the triggering change and the document's SHA-256, never a value. */
  readonly description: string;
  /** AppConfig's version label: the content's hash (`documentVersionLabel`), so a deployment names what it ships. */
  readonly versionLabel: string;
}

/**
 * The newest deployment of a configuration profile to an environment, in any state (a rolled-back one
 * included): what the delivery last attempted, not necessarily what is served (see {@link ServedDeployment}).
 */
export interface LatestDeployment {
  readonly deploymentNumber: number;
  /** The label of the deployed hosted version, when it has one. */
  readonly versionLabel?: string;
  /** The hosted version number it deployed, when listed. */
  readonly configurationVersion?: string;
  /** AppConfig's deployment state: DEPLOYING, BAKING, VALIDATING, COMPLETE, ROLLING_BACK, ROLLED_BACK, ... */
  readonly state: string;
  /** When AppConfig started it: tells whether its document was composed after a request was queued. */
  readonly startedAt?: Date;
}

/** What one listing of an environment's deployments says, for one profile. */
export interface EnvironmentState {
  /** The newest deployment of the profile to the environment, if one is listed. */
  readonly latest?: LatestDeployment;
  /**
   * The deployment (of any profile: the flags profile shares the environment) that keeps the
   * environment busy; undefined when AppConfig would accept a deployment now.
   */
  readonly runningDeploymentNumber?: number;
}

export interface DeploymentRequest {
  readonly applicationId: string;
  readonly environmentId: string;
  readonly configurationProfileId: string;
  readonly configurationVersion: string;
  readonly deploymentStrategyId: string;
  readonly description: string;
}

/**
 * A started deployment, or `busy`: AppConfig runs one deployment per environment at a time and
 * another one is running. Busy is an expected outcome, not an error: the caller decides to wait.
 */
export type DeploymentStart =
  | { readonly status: 'started'; readonly deploymentNumber: number }
  | { readonly status: 'busy'; readonly runningDeploymentNumber?: number };

export interface ConfigDelivery {
  /**
   * The number of the hosted version carrying the document's label, created if there is none: a
   * retried or deferred delivery of the same document stores it once.
   */
  ensureHostedVersion(document: HostedDocument): Promise<string>;
  /** Start a deployment of a version with the environment's strategy. */
  startDeployment(request: DeploymentRequest): Promise<DeploymentStart>;
  /**
   * The newest deployment of the profile to the environment in any state, and whether one runs there
   * now: the delivery asks "was this document delivered or attempted already, and may a deployment
   * start?", deliberately not "what is served" ({@link ServedDeploymentReader}).
   */
  environmentState(target: {
    readonly applicationId: string;
    readonly environmentId: string;
    readonly configurationProfileId: string;
  }): Promise<EnvironmentState>;
}

/** One deployment of a profile to an environment. */
export interface ProfileDeployment {
  readonly deploymentNumber: number;
  /** The hosted version number it deploys. */
  readonly configurationVersion: string;
  /** AppConfig's deployment state: COMPLETE, BAKING, VALIDATING, DEPLOYING, ROLLING_BACK, ROLLED_BACK, REVERTED. */
  readonly state: string;
  readonly versionLabel?: string;
  readonly startedAt?: Date;
}

/** What an environment serves of one profile, from one walk of its deployments (newest first). */
export interface ServedDeployment {
  /**
   * The newest COMPLETE or BAKING deployment of the profile: its version is what every target serves
   * (a baking one has reached them all; AppConfig only watches its alarms). Undefined when none is.
   */
  readonly served?: ProfileDeployment;
  /**
   * The profile's deployments newer than {@link served}, newest first: still rolling out (VALIDATING,
   * DEPLOYING) or undone (ROLLING_BACK, ROLLED_BACK, REVERTED). Their versions are not served.
   */
  readonly passedOver: readonly ProfileDeployment[];
  /** The deployment (of any profile) that keeps the environment busy; undefined when it is free. */
  readonly runningDeploymentNumber?: number;
}

/** The served deployment of a profile: one meaning of "deployed" for every reader of AppConfig. */
export interface ServedDeploymentReader {
  servedDeployment(target: {
    readonly applicationId: string;
    readonly environmentId: string;
    readonly configurationProfileId: string;
  }): Promise<ServedDeployment>;
}

/** A hosted version's content read back: a kill-switch flip starts from the document deployed. */
export interface HostedVersionReader {
  hostedContent(version: {
    readonly applicationId: string;
    readonly configurationProfileId: string;
    readonly versionNumber: string;
  }): Promise<string>;
}

/** Which service and which of its profiles an AppConfig application and profile id belong to. */
export interface ProfileLocation {
  readonly service: string;
  readonly profile: 'document' | 'flags';
}

/**
 * Finds the Steward service behind AppConfig ids. The validator cannot take the ids from its
 * environment: the profiles reference the validator, so the reverse reference would be a cycle.
 */
export interface ProfileLocator {
  locate(applicationId: string, configurationProfileId: string): Promise<ProfileLocation | undefined>;
}
