/**
 * EventBridge `Parameter Store Change` (default bus, names under the root) → judge the change:
 * accept and deliver it, or reject, report and (in `enforce` environments) restore it. When AppConfig
 * stays busy longer than the invocation waits, the change is deferred: EventBridge Scheduler invokes
 * this function with it again later (core/validation/deferral.ts).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { AppConfigDelivery } from '../adapters/appconfig-delivery.ts';
import { EventBridgeEventPublisher } from '../adapters/eventbridge-publisher.ts';
import { FINGERPRINT_CLIENT_CONFIG, KmsValueFingerprinter } from '../adapters/kms-value-fingerprinter.ts';
import { SsmParameterStore } from '../adapters/ssm-parameter-store.ts';
import { createTicketTracker } from '../adapters/tickets/create-ticket-tracker.ts';
import { parseAppConfigTargets } from '../core/delivery/targets.ts';
import { fingerprintKeyId } from '../core/fingerprint.ts';
import type { RuntimeSettings } from '../core/runtime-settings.ts';
import { eventIdOf, parseParameterChange } from '../core/validation/change-event.ts';
import {
  type DeferredOutcome,
  deferBusyDelivery,
  originalEvent,
  unwrapDeferred,
} from '../core/validation/deferral.ts';
import {
  type ChangeOutcome,
  type Enforcement,
  type ValidateChangeDependencies,
  validateChange,
} from '../core/validation/validate-change.ts';
import { systemClock } from '../ports/clock.ts';
import type { DeliveryDeferral } from '../ports/delivery-deferral.ts';
import { lazyDeliveryDeferral } from './lazy-deferral.ts';
import { loadRuntime } from './runtime.ts';

/**
 * The function's ARN without a version or alias: the deferral role may invoke exactly that.
 *
 * @example
 * unqualifiedFunctionArn('arn:aws:lambda:eu-west-1:123456789012:function:v:live'); // '...:function:v'
 */
export function unqualifiedFunctionArn(arn: string): string {
  return arn.split(':').slice(0, 7).join(':');
}

/** `enforce` or `report` per environment, from `STEWARD_ENVIRONMENTS`; unknown ones only report. */
export function enforcementOf(settings: RuntimeSettings): (environment: string) => Enforcement {
  const byName = new Map(settings.STEWARD_ENVIRONMENTS.map((e) => [e.name, e.enforcement]));
  return (environment) => byName.get(environment) ?? 'report';
}

/**
 * The handler over its dependencies; the module-scope `handler` wires the AWS adapters.
 *
 * @example
 * const handler = createValidateChangeHandler({ ...deps, logger: new Logger() });
 */
export function createValidateChangeHandler(
  deps: ValidateChangeDependencies & {
    readonly logger: Logger;
    /** Without it a busy environment fails the invocation (Lambda's retries, then the failure queue). */
    readonly deferral?: DeliveryDeferral;
  },
) {
  const { logger } = deps;
  return middy<unknown, ChangeOutcome | DeferredOutcome, Error, Context>()
    .use({
      onError: async (request) => {
        // Names and ids only: an error message never carries a value (functions/core/errors.ts).
        logger.error('change not handled', {
          eventId: eventIdOf(originalEvent(request.event)),
          errorName: request.error?.name,
          errorMessage: request.error?.message,
        });
      },
    })
    .handler(async (payload, context) => {
      const { event, attempt, announcedVersion } = unwrapDeferred(payload);
      const change = parseParameterChange(event);
      let outcome: ChangeOutcome;
      try {
        outcome = await validateChange(
          change,
          {
            ...deps,
            delivery: deps.delivery && {
              ...deps.delivery,
              remainingTimeMs: () => context.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY,
            },
          },
          { announcedVersion },
        );
      } catch (error) {
        // Rethrows anything but a busy environment with deferrals left.
        const deferred = await deferBusyDelivery(error, {
          change,
          event,
          attempt,
          deferral: deps.deferral,
          clock: deps.clock,
          functionArn: unqualifiedFunctionArn(context.invokedFunctionArn),
        });
        logger.info('delivery deferred: AppConfig is busy', { eventId: change.eventId, ...deferred });
        return deferred;
      }
      logger.info('change judged', {
        eventId: change.eventId,
        parameterName: change.name,
        operation: change.operation,
        ...summary(outcome),
      });
      return outcome;
    });
}

/** The loggable part of an outcome: never a value (outcomes carry none). */
function summary(outcome: ChangeOutcome): Record<string, unknown> {
  const { parameterName: _name, ...rest } = outcome;
  return rest;
}

const logger = new Logger();
const { settings, registry } = loadRuntime();

export const handler = createValidateChangeHandler({
  registry,
  store: new SsmParameterStore(new SSMClient({})),
  publisher: new EventBridgeEventPublisher(new EventBridgeClient({}), settings.STEWARD_EVENT_BUS),
  tickets: createTicketTracker(settings.STEWARD_TICKETS),
  clock: systemClock,
  fingerprinter: new KmsValueFingerprinter(
    new KMSClient(FINGERPRINT_CLIENT_CONFIG),
    fingerprintKeyId(process.env, settings.STEWARD_EVENT_BUS),
  ),
  enforcement: enforcementOf(settings),
  validatorPrincipal: process.env.STEWARD_VALIDATOR_PRINCIPAL,
  delivery: {
    port: new AppConfigDelivery(new AppConfigClient({})),
    targets: parseAppConfigTargets(process.env.STEWARD_APPCONFIG),
  },
  deferral: process.env.STEWARD_DEFERRAL_ROLE_ARN
    ? lazyDeliveryDeferral({
        roleArn: process.env.STEWARD_DEFERRAL_ROLE_ARN,
        deadLetterArn: process.env.STEWARD_DEFERRAL_DEAD_LETTER_ARN,
      })
    : undefined,
  logger,
});
