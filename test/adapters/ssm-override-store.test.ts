import {
  AddTagsToResourceCommand,
  DescribeParametersCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SsmParameterStoreWithOverrides } from '../../functions/adapters/ssm-override-store.ts';
import { OVERRIDE_TAGS } from '../../functions/core/override.ts';
import { ParameterNotFoundError } from '../../functions/ports/parameter-store.errors.ts';

const ssm = mockClient(SSMClient);
const NAME = '/config/production/orders/max-retries';
const TAGS = [
  { key: OVERRIDE_TAGS.marker, value: 'true' },
  { key: OVERRIDE_TAGS.until, value: '2026-12-01T02:00:00.000Z' },
  { key: OVERRIDE_TAGS.appliedAt, value: '2026-11-30T22:00:00.000Z' },
  { key: OVERRIDE_TAGS.actor, value: 'arn:aws:sts::123456789012:assumed-role/OnCall/alice' },
  { key: OVERRIDE_TAGS.reason, value: 'INC-4711' },
];

/** What SSM's tagging calls answer for a parameter that does not exist. */
const invalidResourceId = () =>
  new SSMServiceException({
    name: 'InvalidResourceId',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'The resource ID is not valid',
  });

describe('Class: SsmParameterStore (OverrideStore)', () => {
  beforeEach(() => {
    ssm.reset();
  });

  it('finds the overrides of a path with DescribeParameters on the marker tag, page by page, then reads their tags', async () => {
    // Prepare
    ssm
      .on(DescribeParametersCommand)
      .resolvesOnce({ Parameters: [], NextToken: 'next' })
      .resolves({ Parameters: [{ Name: NAME }] });
    ssm.on(ListTagsForResourceCommand).resolves({
      TagList: [...TAGS.map((t) => ({ Key: t.key, Value: t.value })), { Key: 'team', Value: 'payments' }],
    });
    const store = new SsmParameterStoreWithOverrides(new SSMClient({}));

    // Act
    const records = await store.overridesUnder('/config/production/');

    // Assess
    expect(ssm).toReceiveCommandTimes(DescribeParametersCommand, 2);
    expect(ssm).toReceiveNthCommandWith(DescribeParametersCommand, 1, {
      ParameterFilters: [
        { Key: 'Path', Option: 'Recursive', Values: ['/config/production'] },
        { Key: 'tag:steward:override', Option: 'Equals', Values: ['true'] },
      ],
      MaxResults: 50,
    });
    expect(ssm).toReceiveNthCommandWith(DescribeParametersCommand, 2, { NextToken: 'next' });
    expect(ssm).toReceiveCommandWith(ListTagsForResourceCommand, {
      ResourceType: 'Parameter',
      ResourceId: NAME,
    });
    expect(records).toEqual([
      {
        parameter: NAME,
        until: new Date('2026-12-01T02:00:00.000Z'),
        appliedAt: new Date('2026-11-30T22:00:00.000Z'),
        actor: 'arn:aws:sts::123456789012:assumed-role/OnCall/alice',
        reason: 'INC-4711',
      },
    ]);
  });

  it('tags and untags a parameter by name', async () => {
    // Prepare
    ssm.on(AddTagsToResourceCommand).resolves({});
    ssm.on(RemoveTagsFromResourceCommand).resolves({});
    const store = new SsmParameterStoreWithOverrides(new SSMClient({}));

    // Act
    await store.tag(NAME, TAGS);
    await store.untag(NAME, [OVERRIDE_TAGS.marker]);

    // Assess
    expect(ssm).toReceiveCommandWith(AddTagsToResourceCommand, {
      ResourceType: 'Parameter',
      ResourceId: NAME,
      Tags: TAGS.map((t) => ({ Key: t.key, Value: t.value })),
    });
    expect(ssm).toReceiveCommandWith(RemoveTagsFromResourceCommand, {
      ResourceType: 'Parameter',
      ResourceId: NAME,
      TagKeys: [OVERRIDE_TAGS.marker],
    });
  });

  it('reads the override tags of one parameter with ListTagsForResource, leaving its other tags out', async () => {
    // Prepare
    ssm.on(ListTagsForResourceCommand, { ResourceType: 'Parameter', ResourceId: NAME }).resolves({
      TagList: [{ Key: 'team', Value: 'payments' }, ...TAGS.map((t) => ({ Key: t.key, Value: t.value }))],
    });
    ssm
      .on(ListTagsForResourceCommand, { ResourceId: '/config/production/orders/timeout' })
      .rejects(invalidResourceId());
    const store = new SsmParameterStoreWithOverrides(new SSMClient({}));

    // Act
    const tags = await store.overrideTagsOf(NAME);
    const missing = store.overrideTagsOf('/config/production/orders/timeout');

    // Assess
    expect(tags).toEqual(TAGS);
    await expect(missing).rejects.toBeInstanceOf(ParameterNotFoundError);
  });

  it('calls a missing parameter (InvalidResourceId) ParameterNotFoundError', async () => {
    // Prepare
    ssm.on(AddTagsToResourceCommand).rejects(invalidResourceId());
    const store = new SsmParameterStoreWithOverrides(new SSMClient({}));

    // Act
    const tagging = store.tag(NAME, TAGS);

    // Assess
    await expect(tagging).rejects.toBeInstanceOf(ParameterNotFoundError);
  });

  it('creates a parameter with its tags in one PutParameter without Overwrite, and withholds the value from errors', async () => {
    // Prepare
    ssm
      .on(PutParameterCommand)
      .resolvesOnce({ Version: 1 })
      .rejects(
        new SSMServiceException({
          name: 'ParameterAlreadyExists',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
          message: 'value s3cret-value already exists',
        }),
      );
    const store = new SsmParameterStoreWithOverrides(new SSMClient({}));

    // Act
    const version = await store.createTagged(NAME, 's3cret-value', 'SecureString', TAGS);
    const again = await store.createTagged(NAME, 's3cret-value', 'SecureString', TAGS).catch((e: Error) => e);

    // Assess
    expect(version).toBe(1);
    const input = ssm.commandCalls(PutParameterCommand)[0]?.args[0].input;
    expect(input).toEqual({
      Name: NAME,
      Value: 's3cret-value',
      Type: 'SecureString',
      Tags: TAGS.map((t) => ({ Key: t.key, Value: t.value })),
    });
    expect(again).toBeInstanceOf(Error);
    expect(
      JSON.stringify({ message: (again as Error).message, cause: String((again as Error).cause) }),
    ).not.toContain('s3cret-value');
  });
});
