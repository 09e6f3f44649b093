/**
 * AWS AppConfig validator, attached to every configuration profile the stack creates: re-validates
 * each document before AppConfig deploys it, and throws to reject (AppConfig ignores the result).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import middy from '@middy/core';
import { AppConfigProfileLocator } from '../adapters/appconfig-delivery.ts';
import { parseAppConfigTargets } from '../core/appconfig-targets.ts';
import type { SchemaRegistry } from '../core/registry.ts';
import { functionEnvironment } from '../core/runtime-settings.ts';
import { firstLocator, targetsLocator } from '../core/validation/appconfig-document.ts';
import { judgeValidatorInvocation } from '../core/validation/validator-invocation.ts';
import type { ProfileLocator } from '../ports/config-delivery.ts';
import { loadRuntime } from '../runtime/runtime.ts';
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
  functionEnvironment('STEWARD_APPCONFIG', 'STEWARD_APPCONFIG_PREFIX'),
);

export const handler = createAppConfigValidatorHandler({
  registry,
  // STEWARD_APPCONFIG when given (steward invoke, tests); otherwise AppConfig's own names. Not the
  // stack's target parameters (runtime/stack-targets.ts): AppConfig calls this function for the
  // kill-switch deployments the stack makes, possibly before it has written them, and reading them would put
  // the SDK's JSON-RPC protocol (Parameter Store's) in its cold start, about 4 KB.
  locator: firstLocator(
    targetsLocator(parseAppConfigTargets(settings.STEWARD_APPCONFIG, { whenAbsent: 'empty' })),
    new AppConfigProfileLocator(new AppConfigClient({}), settings.STEWARD_APPCONFIG_PREFIX),
  ),
  logger: new Logger(),
});
