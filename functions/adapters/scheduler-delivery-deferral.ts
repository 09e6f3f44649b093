/**
 * `DeliveryDeferral` over EventBridge Scheduler: a one-time schedule (`at(...)`, UTC, deleted after it
 * ran) that invokes the validator with the deferred payload, through a role Scheduler assumes. The
 * schedule's name is derived from the event id and attempt, so deferring the same change twice (a
 * retried invocation) finds the first schedule (ConflictException) and creates nothing more.
 */
import { ConflictException, CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { sha256 } from '../core/hash.ts';
import type { DeferredChange, DeliveryDeferral } from '../ports/delivery-deferral.ts';
import { AdapterError } from './errors.ts';

/** Every deferral schedule's name starts with this; the validator may create only such schedules. */
export const DEFERRAL_SCHEDULE_PREFIX = 'steward-deferred-';

/**
 * `steward-deferred-<32 hex of the event id's SHA-256>-<attempt>`: within Scheduler's 64 characters.
 *
 * @example
 * deferralScheduleName('4c1f7bd2-9a7e-4e0b-8d3f-0123456789ab', 2); // 'steward-deferred-<32 hex>-2'
 */
export function deferralScheduleName(eventId: string, attempt: number): string {
  return `${DEFERRAL_SCHEDULE_PREFIX}${sha256(eventId).slice(0, 32)}-${attempt}`;
}

/**
 * @example
 * const deferral = new SchedulerDeliveryDeferral(new SchedulerClient({}), { roleArn });
 * await deferral.defer({ eventId, attempt: 1, payload, at, functionArn: context.invokedFunctionArn });
 */
export class SchedulerDeliveryDeferral implements DeliveryDeferral {
  constructor(
    private readonly client: SchedulerClient,
    private readonly options: {
      roleArn: string;
      /** Where Scheduler puts an invocation it could not make (the validator's failure queue). */
      deadLetterArn?: string;
      groupName?: string;
    },
  ) {}

  async defer({ eventId, attempt, payload, at, functionArn }: DeferredChange): Promise<void> {
    const name = deferralScheduleName(eventId, attempt);
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: name,
          GroupName: this.options.groupName,
          Description:
            `config-steward: deliver the change of event ${eventId} again (attempt ${attempt})`.slice(0, 512),
          // at(yyyy-mm-ddThh:mm:ss), whole seconds, in UTC.
          ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          Target: {
            Arn: functionArn,
            RoleArn: this.options.roleArn,
            Input: JSON.stringify(payload),
            ...(this.options.deadLetterArn ? { DeadLetterConfig: { Arn: this.options.deadLetterArn } } : {}),
          },
        }),
      );
    } catch (error) {
      if (error instanceof ConflictException || (error as Error).name === 'ConflictException') return;
      throw new AdapterError(
        `CreateSchedule ${name}: could not defer event ${eventId} (${(error as Error).name})`,
        {
          cause: error,
        },
      );
    }
  }
}

/**
 * The deferral a deployed validator uses, with its own client (built when the first change is deferred).
 *
 * @example
 * const deferral = schedulerDeliveryDeferral({ roleArn, deadLetterArn: failureQueueArn });
 */
export function schedulerDeliveryDeferral(options: {
  roleArn: string;
  deadLetterArn?: string;
}): SchedulerDeliveryDeferral {
  return new SchedulerDeliveryDeferral(new SchedulerClient({}), options);
}
