/**
 * AWS AppConfig validator, attached to every configuration profile the stack creates: re-validates
 * each document before AppConfig deploys it, and throws to reject (AppConfig ignores the result).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import middy from '@middy/core';
import { AppConfigProfileLocator } from '../adapters/appconfig-delivery.ts';
import type { SchemaRegistry } from '../core/registry.ts';
import { functionEnvironment } from '../core/runtime-settings.ts';
import { firstLocator, targetsLocator } from '../core/validation/appconfig-document.ts';
import { judgeValidatorInvocation } from '../core/validation/validator-invocation.ts';
import type { ProfileLocator } from '../ports/config-delivery.ts';
import { loadRuntime } from '../runtime/runtime.ts';
import { stackTargets } from '../runtime/stack-targets.ts';
import { PowertoolsStructuredLog } from '../adapters/powertools-structured-log.ts';

export interface AppConfigValidatorDependencies {
  readonly registry: SchemaRegistry;
  readonly locator: ProfileLocator;
  readonly logger: Logger;
}

/**
 * @example
 * export const handler = createAppConfigValidatorHandler({ registry, locator, logger });
 */
export function createAppConfigValidatorHandler(deps: AppConfigValidatorDependencies) {
  return middy().handler((event: unknown) =>
    judgeValidatorInvocation(event, { ...deps, log: new PowertoolsStructuredLog(deps.logger) }),
  );
}

const { settings, registry } = loadRuntime(
  functionEnvironment('STEWARD_APPCONFIG', 'STEWARD_APPCONFIG_TARGETS_PATH', 'STEWARD_APPCONFIG_PREFIX'),
);
const targets = stackTargets(settings, { whenAbsent: 'empty' });

export const handler = createAppConfigValidatorHandler({
  registry,
  // The stack's ids when given (steward invoke, tests); otherwise AppConfig's own names. The stack
  // gives this function none: AppConfig calls it for deployments the stack makes before it has
  // written them.
  locator: firstLocator(
    {
      locate: async (applicationId, profileId) =>
        targetsLocator(await targets.appConfig()).locate(applicationId, profileId),
    },
    new AppConfigProfileLocator(new AppConfigClient({}), settings.STEWARD_APPCONFIG_PREFIX),
  ),
  logger: new Logger(),
});
