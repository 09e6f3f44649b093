import {
  ConflictException,
  CreateScheduleCommand,
  SchedulerClient,
  SchedulerServiceException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../../functions/adapters/errors.ts';
import {
  DEFERRAL_SCHEDULE_PREFIX,
  deferralScheduleName,
  SchedulerDeliveryDeferral,
} from '../../functions/adapters/scheduler-delivery-deferral.ts';
import { deferredPayload } from '../../functions/core/validation/deferral.ts';
import { lazyDeliveryDeferral } from '../../functions/handlers/lazy-deferral.ts';

const scheduler = mockClient(SchedulerClient);
const ROLE = 'arn:aws:iam::123456789012:role/steward-deferral';
const FUNCTION = 'arn:aws:lambda:eu-west-1:123456789012:function:config-steward-validate-change';
const DLQ = 'arn:aws:sqs:eu-west-1:123456789012:validate-change-failures';
const EVENT = {
  id: '4c1f7bd2-9a7e-4e0b-8d3f-0123456789ab',
  detail: { name: '/config/production/orders/max-retries' },
};

const change = (attempt = 1) => ({
  eventId: EVENT.id,
  attempt,
  payload: deferredPayload(EVENT, attempt),
  at: new Date('2026-11-20T17:00:00.250Z'),
  functionArn: FUNCTION,
});

function serviceError(name: string): SchedulerServiceException {
  return new SchedulerServiceException({ name, $fault: 'client', $metadata: {}, message: 'boom' });
}

describe('Class: SchedulerDeliveryDeferral', () => {
  let deferral: SchedulerDeliveryDeferral;
  beforeEach(() => {
    scheduler.reset();
    deferral = new SchedulerDeliveryDeferral(new SchedulerClient({}), { roleArn: ROLE });
  });

  it('creates one one-time schedule that invokes the function with the deferred payload, then deletes itself', async () => {
    // Prepare
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:...' });

    // Act
    await deferral.defer(change());

    // Assess
    expect(scheduler).toReceiveCommandTimes(CreateScheduleCommand, 1);
    expect(scheduler).toReceiveCommandWith(CreateScheduleCommand, {
      Name: deferralScheduleName(EVENT.id, 1),
      ScheduleExpression: 'at(2026-11-20T17:00:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: FUNCTION, RoleArn: ROLE, Input: JSON.stringify(deferredPayload(EVENT, 1)) },
    });
    const input = scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input;
    expect(input.Description).toContain(EVENT.id);
    expect(input.GroupName).toBeUndefined();
  });

  it("names schedules within Scheduler's rules, one per event and attempt", () => {
    // Act
    const names = [
      deferralScheduleName(EVENT.id, 1),
      deferralScheduleName(EVENT.id, 8),
      deferralScheduleName('x'.repeat(500), 8),
    ];

    // Assess
    for (const name of names) {
      expect(name.startsWith(DEFERRAL_SCHEDULE_PREFIX)).toBe(true);
      expect(name).toMatch(/^[0-9a-zA-Z_.-]{1,64}$/);
    }
    expect(new Set(names).size).toBe(3);
    expect(deferralScheduleName(EVENT.id, 1)).toBe(deferralScheduleName(EVENT.id, 1));
  });

  it('treats an existing schedule of the same name as done: a retried invocation defers once', async () => {
    // Prepare
    scheduler.on(CreateScheduleCommand).rejects(
      new ConflictException({
        $metadata: {},
        message: 'Schedule already exists',
        Message: 'Schedule already exists',
      }),
    );

    // Act
    const act = deferral.defer(change());

    // Assess
    await expect(act).resolves.toBeUndefined();
    expect(scheduler).toReceiveCommandTimes(CreateScheduleCommand, 1);
  });

  it.each([
    'ThrottlingException',
    'AccessDeniedException',
    'ValidationException',
    'ServiceQuotaExceededException',
  ])('translates %s into an AdapterError naming the event, never the payload', async (name) => {
    // Prepare
    scheduler.on(CreateScheduleCommand).rejects(serviceError(name));

    // Act
    const act = deferral.defer(change(3));

    // Assess
    await expect(act).rejects.toBeInstanceOf(AdapterError);
    await expect(act).rejects.toThrow(`could not defer event ${EVENT.id} (${name})`);
    await expect(act).rejects.not.toThrow('max-retries');
  });

  it('is what the deployed handler uses, loaded and built on the first deferral', async () => {
    // Prepare
    scheduler.on(CreateScheduleCommand).resolves({});
    const lazy = lazyDeliveryDeferral({ roleArn: ROLE, deadLetterArn: DLQ });

    // Act
    await lazy.defer(change(2));

    // Assess
    expect(scheduler).toReceiveCommandWith(CreateScheduleCommand, {
      Name: deferralScheduleName(EVENT.id, 2),
      Target: {
        Arn: FUNCTION,
        RoleArn: ROLE,
        Input: JSON.stringify(deferredPayload(EVENT, 2)),
        DeadLetterConfig: { Arn: DLQ },
      },
    });
  });
});
