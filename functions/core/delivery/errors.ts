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
  ) {
    super(
      `AppConfig environment ${environment} of ${service} is busy` +
        `${runningDeploymentNumber === undefined ? '' : ` with deployment ${runningDeploymentNumber}`}` +
        `; version ${configurationVersion} not deployed yet`,
    );
    this.name = 'DeploymentInProgressError';
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
