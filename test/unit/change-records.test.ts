import { describe, expect, it } from 'vitest';
import { judgeChangeEvent } from '../../functions/core/validation/change-records.ts';
import { RecordingLog } from '../support/recording-log.ts';
import { changeEvent, sqsEvent, validateChangePorts } from '../support/validate-change-harness.ts';

const MAX_RETRIES = '/config/production/orders/max-retries';

describe('Function: judgeChangeEvent', () => {
  it('logs each judged record by message and event id, and each malformed one by name, without a value', async () => {
    // Prepare
    const ports = await validateChangePorts({ unseeded: [MAX_RETRIES] });
    ports.store.seed(MAX_RETRIES, '7');
    const log = new RecordingLog();
    const event = sqsEvent(['{"id": "evt-broken"', changeEvent(MAX_RETRIES, 'Update', 'evt-good')], {
      ids: ['m-bad', 'm-good'],
    });

    // Act
    const response = await judgeChangeEvent(event, { ...ports.deps, log });

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-bad' }] });
    expect(log.lines).toEqual([
      [
        'error',
        'malformed change record',
        expect.objectContaining({ messageId: 'm-bad', errorName: 'SyntaxError' }),
      ],
      [
        'info',
        'change judged',
        expect.objectContaining({
          messageId: 'm-good',
          eventId: 'evt-good',
          outcome: 'accepted',
          version: 1,
        }),
      ],
    ]);
    expect(JSON.stringify(log.lines)).not.toContain('"7"');
  });

  it('returns the outcome of one event handed over directly, and logs it by event id', async () => {
    // Prepare
    const ports = await validateChangePorts({ unseeded: [MAX_RETRIES] });
    ports.store.seed(MAX_RETRIES, 'seven');
    const log = new RecordingLog();

    // Act
    const outcome = await judgeChangeEvent(changeEvent(MAX_RETRIES, 'Update', 'evt-1'), {
      ...ports.deps,
      log,
    });

    // Assess
    expect(outcome).toMatchObject({ outcome: 'rejected', parameterName: MAX_RETRIES });
    expect(log.lines).toEqual([
      ['info', 'change judged', expect.objectContaining({ eventId: 'evt-1', outcome: 'rejected' })],
    ]);
    expect(JSON.stringify(log.lines)).not.toContain('seven');
  });
});
