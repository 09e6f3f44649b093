/** Errors of the `DeployedConfigurationReader` port: they name the AppConfig call and its subject, never content. */
import { AdapterError } from './adapter-error.ts';

/** An AppConfig read failed. */
export class DeployedConfigurationError extends AdapterError {
  constructor(
    message: string,
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DeployedConfigurationError';
  }
}

/** IAM refused the read: the caller lacks a permission the README's plan policy lists. */
export class DeployedConfigurationAccessDeniedError extends DeployedConfigurationError {
  constructor(message: string, operation: string, options?: { cause?: unknown }) {
    super(message, operation, options);
    this.name = 'DeployedConfigurationAccessDeniedError';
  }
}
