/**
 * The AppConfig validator's judgement of one invocation: the document AppConfig is about to deploy,
 * validated against the profile it belongs to. AppConfig ignores a validator's result, so a rejection
 * is a thrown {@link InvalidDocumentError}; both verdicts are logged with AppConfig's ids, never content.
 */
import type { ProfileLocator } from '../../ports/config-delivery.ts';
import type { StructuredLog } from '../../ports/logger.ts';
import type { SchemaRegistry } from '../registry.ts';
import {
  InvalidDocumentError,
  parseValidatorInvocation,
  validateDeliveredDocument,
} from './appconfig-document.ts';

export interface ValidatorInvocationDependencies {
  readonly registry: SchemaRegistry;
  readonly locator: ProfileLocator;
  readonly log: StructuredLog;
}

/**
 * @example
 * await judgeValidatorInvocation(event, { registry, locator, log }); // { valid: true, service, profile }
 */
export async function judgeValidatorInvocation(
  event: unknown,
  deps: ValidatorInvocationDependencies,
): Promise<{ valid: true; service: string; profile: string }> {
  const invocation = parseValidatorInvocation(event);
  const verdict = await validateDeliveredDocument(invocation, deps);
  const ids = {
    applicationId: invocation.applicationId,
    configurationProfileId: invocation.configurationProfileId,
    configurationVersion: invocation.configurationVersion,
  };
  if (!verdict.ok) {
    deps.log.warn('document rejected', { ...ids, service: verdict.service, issues: verdict.issues });
    throw new InvalidDocumentError(verdict.issues, {
      ...verdict,
      configurationVersion: invocation.configurationVersion,
    });
  }
  deps.log.info('document valid', { ...ids, service: verdict.service, profile: verdict.profile });
  return { valid: true, service: verdict.service, profile: verdict.profile };
}
