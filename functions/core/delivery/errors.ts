/** Errors of configuration delivery. Messages name services, environments and versions, never a value. */
import { StewardError } from '../errors.ts';

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
