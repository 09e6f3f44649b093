/** Errors of the `CallerIdentity` port: the caller could not be identified (no credentials, STS down). */
import { AdapterError } from './adapter-error.ts';

export class CallerIdentityError extends AdapterError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CallerIdentityError';
  }
}
