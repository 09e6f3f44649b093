/**
 * Errors of the `ConfigDelivery` and `ProfileLocator` ports. A running deployment is no error (see
 * `DeploymentStart`); messages name services, environments and versions, never a value.
 */
import { StewardError } from '../core/errors.ts';

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

/** IAM refused the call: a deployment problem, not a transient one. */
export class ConfigDeliveryAccessDeniedError extends ConfigDeliveryError {
  constructor(message: string, operation: string, options?: { cause?: unknown }) {
    super(message, operation, options);
    this.name = 'ConfigDeliveryAccessDeniedError';
  }
}

/** Still throttled after the SDK's retries: the delivery is retried later. */
export class ConfigDeliveryThrottledError extends ConfigDeliveryError {
  constructor(message: string, operation: string, options?: { cause?: unknown }) {
    super(message, operation, options);
    this.name = 'ConfigDeliveryThrottledError';
  }
}
