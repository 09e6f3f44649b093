/**
 * The common base of the port errors an adapter raises when the outside world (an AWS service, a
 * tracker's HTTP API) refused or failed a call. `steward` maps it to its "AWS or network" exit code.
 * Each port declares its own shallow hierarchy beside it, in `<port>.errors.ts`.
 */
import { StewardError } from '../core/errors.ts';

/** Anything an adapter could not do. */
export class AdapterError extends StewardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AdapterError';
  }
}
