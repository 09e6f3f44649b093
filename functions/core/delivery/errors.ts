/** Errors of configuration delivery. Messages name services, environments and versions, never a value. */
import { StewardError } from '../errors.ts';

/**
 * Another deployment kept the environment busy for longer than this invocation may wait. Thrown, not
 * returned, so Lambda's asynchronous retries and then the failure queue keep the change: never dropped.
 */
export class DeploymentInProgressError extends StewardError {
  constructor(
    readonly service: string,
    readonly environment: string,
    readonly configurationVersion: string,
    readonly runningDeploymentNumber?: number,
    /** The parameter version whose `Config Change Accepted` was published before delivery, if any. */
    readonly announcedVersion?: number,
  ) {
    super(
      `AppConfig environment ${environment} of ${service} is busy` +
        `${runningDeploymentNumber === undefined ? '' : ` with deployment ${runningDeploymentNumber}`}` +
        `; version ${configurationVersion} not deployed yet`,
    );
    this.name = 'DeploymentInProgressError';
  }

  /** The same error, saying that `Config Change Accepted` for parameter version `version` is out. */
  announcing(version: number): DeploymentInProgressError {
    return new DeploymentInProgressError(
      this.service,
      this.environment,
      this.configurationVersion,
      this.runningDeploymentNumber,
      version,
    );
  }
}

/** An AppConfig call failed for a reason other than a running deployment. */
export class ConfigDeliveryError extends StewardError {
  constructor(
    message: string,
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConfigDeliveryError';
  }
}
