import { Logger } from '@aws-lambda-powertools/logger';
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  GetParameterHistoryCommand,
  LabelParameterVersionCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { publishedLine } from '../../functions/cli/commands/invoke.ts';
import { main } from '../../functions/cli/main.ts';
import { InMemoryTicketTracker } from '../support/recording-ports.ts';
import { fixture } from '../support/validate-change-harness.ts';
import { eventFile, recordingIo } from '../support/command-io.ts';

vi.mock('../../functions/adapters/tickets/create-ticket-tracker.ts', () => ({
  createTicketTracker: () => new InMemoryTicketTracker(),
}));

const ssm = mockClient(SSMClient);
const eventBridge = mockClient(EventBridgeClient);
const appConfig = mockClient(AppConfigClient);
const kms = mockClient(KMSClient);

const PARAMETER = '/config/production/orders/max-retries';
const NEW_VALUE = '4';

/** stdout split into the handler's JSON result and the summary lines after it. */
function split(out: readonly string[]) {
  const text = out.join('\n');
  const end = text.lastIndexOf('\n}') + 2;
  return {
    result: JSON.parse(text.slice(0, end)) as Record<string, unknown>,
    lines: text.slice(end).split('\n').filter(Boolean),
  };
}

describe('Command: steward invoke (published events)', () => {
  let info: MockInstance<Logger['info']>;

  beforeEach(() => {
    ssm.reset();
    eventBridge.reset();
    appConfig.reset();
    kms.reset();
    kms.on(GenerateMacCommand).resolves({ Mac: new Uint8Array(32).fill(1) });
    info = vi.spyOn(Logger.prototype, 'info');
  });

  afterEach(() => {
    info.mockRestore();
  });

  it('prints one summary line per event validate-change published, after its result', async () => {
    // Prepare: an update of orders' max-retries to a valid value, by a person
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [
        {
          Name: PARAMETER,
          Type: 'String',
          Value: NEW_VALUE,
          Version: 7,
          LastModifiedDate: new Date('2026-11-20T16:44:48Z'),
          LastModifiedUser: 'arn:aws:iam::123456789012:user/alice',
          Labels: [],
        },
      ],
    });
    ssm.on(LabelParameterVersionCommand).resolves({ InvalidLabels: [], ParameterVersion: 7 });
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-0001' }] });
    const { io: commandIo, out } = recordingIo({ AWS_ENDPOINT_URL: 'http://localhost:4566' });

    // Act
    const code = await main(
      ['invoke', 'validate-change', '--event', eventFile(fixture('ssm-parameter-change-update.json'))],
      commandIo,
    );

    // Assess
    expect(code).toBe(0);
    // No STEWARD_FINGERPRINT_KEY given: the handler finds the stack's key by its alias.
    expect(kms).toHaveReceivedCommandWith(GenerateMacCommand, {
      KeyId: 'alias/config-steward/value-fingerprints',
    });
    const { result, lines } = split(out);
    expect(result).toMatchObject({
      handler: 'validate-change',
      ok: true,
      result: { outcome: 'accepted', parameterName: PARAMETER, version: 7 },
    });
    expect(lines).toEqual([
      `published Config Change Accepted: parameterName=${PARAMETER} service=orders environment=production eventId=evt-0001`,
    ]);
    expect(eventBridge).toReceiveCommandTimes(PutEventsCommand, 1);
    expect(ssm).not.toReceiveCommand(PutParameterCommand);
  });

  it('logs the published event at INFO through Powertools, with identifying fields only', async () => {
    // Prepare: the same change again (the handler module keeps its clients; the mocks are fresh)
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [
        {
          Name: PARAMETER,
          Type: 'String',
          Value: NEW_VALUE,
          Version: 8,
          LastModifiedUser: 'arn:aws:iam::123456789012:user/alice',
          Labels: [],
        },
      ],
    });
    ssm.on(LabelParameterVersionCommand).resolves({ InvalidLabels: [], ParameterVersion: 8 });
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-0002' }] });
    const { io: commandIo } = recordingIo();

    // Act
    const code = await main(
      ['invoke', 'validate-change', '--event', eventFile(fixture('ssm-parameter-change-update.json'))],
      commandIo,
    );

    // Assess
    expect(code).toBe(0);
    // The test run silences Powertools (POWERTOOLS_LOG_LEVEL=SILENT): read what was logged at INFO.
    const published = info.mock.calls
      .filter(([message]) => message === 'published event')
      .map(([, attributes]) => attributes as Record<string, unknown>);
    expect(published).toEqual([
      {
        detailType: 'Config Change Accepted',
        eventId: 'evt-0002',
        parameterName: PARAMETER,
        configService: 'orders',
        environment: 'production',
      },
    ]);
    expect(published[0]).not.toHaveProperty('value');
    expect(published[0]).not.toHaveProperty('actor');
  });

  it('still prints what was published when the handler then fails on AWS (exit 4)', async () => {
    // Prepare: the event goes out, then labelling the version fails
    ssm.on(GetParameterHistoryCommand).resolves({
      Parameters: [{ Name: PARAMETER, Type: 'String', Value: NEW_VALUE, Version: 9, Labels: [] }],
    });
    ssm
      .on(LabelParameterVersionCommand)
      .rejects(Object.assign(new Error('label failed'), { name: 'InternalServerError' }));
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-0003' }] });
    const { io: commandIo, out } = recordingIo();

    // Act
    const code = await main(
      ['invoke', 'validate-change', '--event', eventFile(fixture('ssm-parameter-change-update.json'))],
      commandIo,
    );

    // Assess
    expect(code).toBe(4);
    const { result, lines } = split(out);
    expect(result).toMatchObject({ handler: 'validate-change', ok: false });
    expect(lines).toEqual([expect.stringMatching(/^published Config Change Accepted: .*eventId=evt-0003$/)]);
  });
});

describe('Function: publishedLine', () => {
  it('names the detail type and identifying fields, and nothing else', () => {
    // Act
    const line = publishedLine({
      detailType: 'Ticket Filed',
      eventId: '',
      fields: { dedupKey: 'drift:orders' },
    });

    // Assess
    expect(line).toBe('published Ticket Filed: dedupKey=drift:orders');
  });
});
