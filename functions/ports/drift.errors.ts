/**
 * Errors of the drift ports. `DriftParameterSource` raises the `ParameterStore` port's errors
 * (`parameter-store.errors.ts`); the secret inventory has its own.
 */
import { AdapterError } from './adapter-error.ts';

/** The rotation state of a secret could not be read (a missing secret is a result, not this error). */
export class SecretInventoryError extends AdapterError {
  constructor(
    message: string,
    readonly secretName: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SecretInventoryError';
  }
}
