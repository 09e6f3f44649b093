import {
  CreateOpsItemCommand,
  DescribeOpsItemsCommand,
  OpsItemAlreadyExistsException,
  SSMClient,
  SSMServiceException,
  UpdateOpsItemCommand,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { TicketTrackerError, TrackerRateLimitedError } from '../../functions/ports/ticket-tracker.errors.ts';
import { parameterArn } from '../../functions/adapters/ssm-parameter-store.ts';
import { OpsCenterTicketTracker } from '../../functions/adapters/tickets/opscenter.ts';
import type { TicketRequest } from '../../functions/ports/ticket-tracker.ts';

const ssm = mockClient(SSMClient);
const arn = parameterArn('/config/production/orders/max-retries', 'eu-west-1', '123456789012');
const request: TicketRequest = {
  dedupKey: 'value-drift:/config/production/orders/max-retries',
  title: 'Config drift: value-drift on /config/production/orders/max-retries',
  body: 'differs',
  severity: 'medium',
  category: 'drift',
  resourceArns: [arn],
  data: { kind: 'value-drift', expected: '3', actual: '5' },
};

describe('Class: OpsCenterTicketTracker', () => {
  let tracker: OpsCenterTicketTracker;
  beforeEach(() => {
    ssm.reset();
    tracker = new OpsCenterTicketTracker(new SSMClient({}), { region: 'eu-west-1' });
  });

  it('builds the parameter ARN without the leading slash', () => {
    // Assess
    expect(arn).toBe('arn:aws:ssm:eu-west-1:123456789012:parameter/config/production/orders/max-retries');
  });

  it('creates an OpsItem with the dedup string, the resource ARN, category, severity and the finding', async () => {
    // Prepare
    ssm.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });
    ssm.on(CreateOpsItemCommand).resolves({ OpsItemId: 'oi-123' });

    // Act
    const { ref, created } = await tracker.file(request);

    // Assess
    expect(created).toBe(true);
    expect(ref).toEqual({
      tracker: 'opscenter',
      id: 'oi-123',
      url: 'https://eu-west-1.console.aws.amazon.com/systems-manager/opsitems/oi-123?region=eu-west-1',
    });
    expect(ssm).toReceiveCommandWith(CreateOpsItemCommand, {
      Source: 'ConfigSteward',
      Category: 'Availability',
      Severity: '3',
      OperationalData: {
        '/aws/dedup': {
          Type: 'SearchableString',
          Value: JSON.stringify({ dedupString: 'value-drift:/config/production/orders/max-retries' }),
        },
        '/aws/resources': { Type: 'SearchableString', Value: JSON.stringify([{ arn }]) },
        stewardDedupKey: {
          Type: 'SearchableString',
          Value: 'value-drift:/config/production/orders/max-retries',
        },
        stewardFinding: { Type: 'String', Value: JSON.stringify(request.data) },
      },
    });
  });

  it('maps security findings to the Security category and critical severity to 1', async () => {
    // Prepare
    ssm.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });
    ssm.on(CreateOpsItemCommand).resolves({ OpsItemId: 'oi-9' });

    // Act
    await tracker.file({ ...request, category: 'security', severity: 'critical' });

    // Assess
    expect(ssm).toReceiveCommandWith(CreateOpsItemCommand, { Category: 'Security', Severity: '1' });
  });

  it('returns the open OpsItem instead of creating a second one', async () => {
    // Prepare
    ssm.on(DescribeOpsItemsCommand).resolves({
      OpsItemSummaries: [
        {
          OpsItemId: 'oi-1',
          OperationalData: { stewardDedupKey: { Type: 'SearchableString', Value: request.dedupKey } },
        },
      ],
    });

    // Act
    const result = await tracker.file(request);

    // Assess
    expect(result).toEqual({ ref: expect.objectContaining({ id: 'oi-1' }), created: false });
    expect(ssm).not.toReceiveCommand(CreateOpsItemCommand);
    expect(ssm).toReceiveCommandWith(DescribeOpsItemsCommand, {
      OpsItemFilters: [
        { Key: 'Status', Operator: 'Equal', Values: ['Open', 'InProgress'] },
        { Key: 'Source', Operator: 'Equal', Values: ['ConfigSteward'] },
        {
          Key: 'OperationalData',
          Operator: 'Equal',
          Values: [JSON.stringify({ key: 'stewardDedupKey', value: request.dedupKey })],
        },
      ],
    });
  });

  it('treats OpsItemAlreadyExists as the existing ticket', async () => {
    // Prepare
    ssm.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });
    ssm
      .on(CreateOpsItemCommand)
      .rejects(new OpsItemAlreadyExistsException({ $metadata: {}, message: 'exists', OpsItemId: 'oi-7' }));

    // Act
    const result = await tracker.file(request);

    // Assess
    expect(result).toEqual({ ref: expect.objectContaining({ id: 'oi-7' }), created: false });
  });

  it('lists open Steward OpsItems through every page, filtered by prefix', async () => {
    // Prepare
    const summary = (id: string, key: string) => ({
      OpsItemId: id,
      OperationalData: { stewardDedupKey: { Type: 'SearchableString' as const, Value: key } },
    });
    ssm
      .on(DescribeOpsItemsCommand, { NextToken: undefined })
      .resolves({ OpsItemSummaries: [summary('oi-1', 'missing:/a'), { OpsItemId: 'oi-x' }], NextToken: 'n1' })
      .on(DescribeOpsItemsCommand, { NextToken: 'n1' })
      .resolves({ OpsItemSummaries: [], NextToken: 'n2' })
      .on(DescribeOpsItemsCommand, { NextToken: 'n2' })
      .resolves({ OpsItemSummaries: [summary('oi-2', 'unmanaged:/b')] });

    // Act
    const all = await tracker.listOpen();
    const missing = await tracker.listOpen('missing:');

    // Assess
    expect(all.map((t) => t.ref.id)).toEqual(['oi-1', 'oi-2']);
    expect(missing.map((t) => t.dedupKey)).toEqual(['missing:/a']);
  });

  it('resolves a vanished finding with status Resolved and a note', async () => {
    // Prepare
    ssm.on(UpdateOpsItemCommand).resolves({});

    // Act
    await tracker.resolve({ tracker: 'opscenter', id: 'oi-1' }, 'no longer found');

    // Assess
    expect(ssm).toReceiveCommandWith(UpdateOpsItemCommand, {
      OpsItemId: 'oi-1',
      Status: 'Resolved',
      OperationalData: { stewardResolution: { Type: 'String', Value: 'no longer found' } },
    });
  });

  it('translates throttling and other failures', async () => {
    // Prepare
    ssm.on(DescribeOpsItemsCommand).rejects(
      new SSMServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        $metadata: {},
        message: 'slow',
      }),
    );
    ssm.on(UpdateOpsItemCommand).rejects(
      new SSMServiceException({
        name: 'InternalServerError',
        $fault: 'server',
        $metadata: {},
        message: 'x',
      }),
    );

    // Act
    const listing = tracker.listOpen();
    const resolving = tracker.resolve({ tracker: 'opscenter', id: 'oi-1' }, 'x');

    // Assess
    await expect(listing).rejects.toBeInstanceOf(TrackerRateLimitedError);
    await expect(resolving).rejects.toBeInstanceOf(TicketTrackerError);
  });
});
