import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  AddTagsToResourceCommand,
  ListTagsForResourceCommand,
  PutParameterCommand,
  RemoveTagsFromResourceCommand,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../functions/cli/main.ts';
import { OVERRIDE_TAGS } from '../../functions/core/override.ts';
import { recordingIo } from '../support/command-io.ts';

const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const eventbridge = mockClient(EventBridgeClient);

const CALLER = 'arn:aws:sts::123456789012:assumed-role/OnCall/alice';
const MAX_RETRIES = '/config/production/orders/max-retries';
const SIGNING_KEY = '/config/production/orders/webhook-signing-key';
const SECRET = 'whsec_cli-override-secret-0123456789abcdef';
const REASON = 'INC-4711 payment provider brown-out';

const serviceError = (name: string) =>
  new SSMServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: name });

/** Production max-retries to 8 for 4 hours, approved by `approver`. */
const productionOverride = (approver: string) => [
  'orders/max-retries',
  '8',
  '--env',
  'production',
  '--reason',
  REASON,
  '--until',
  '4h',
  '--approved-by',
  approver,
];

async function run(argv: string[]) {
  const { io, out, err } = recordingIo();
  const code = await main(['override', ...argv], io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Every AWS command sent, by client, for "nothing was written" checks. */
const sent = () => ({
  ssm: ssm.calls().length,
  sts: sts.calls().length,
  eventbridge: eventbridge.calls().length,
});

beforeEach(() => {
  ssm.reset();
  sts.reset();
  eventbridge.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Arn: CALLER, Account: '123456789012', UserId: 'AROA:alice' });
  // The parameter exists and carries no override yet (an unrelated tag only).
  ssm.on(ListTagsForResourceCommand).resolves({ TagList: [{ Key: 'team', Value: 'payments' }] });
  ssm.on(AddTagsToResourceCommand).resolves({});
  ssm.on(PutParameterCommand).resolves({ Version: 9 });
  eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('Command: steward override', () => {
  it('records the override as tags, then writes the value with Overwrite, then publishes the event', async () => {
    // Act
    const { code, out } = await run(productionOverride('bob'));

    // Assess
    expect(code).toBe(0);
    expect(sts).toReceiveCommandTimes(GetCallerIdentityCommand, 1);
    const [tagging] = ssm.commandCalls(AddTagsToResourceCommand).map((c) => c.args[0].input);
    expect(tagging).toMatchObject({ ResourceType: 'Parameter', ResourceId: MAX_RETRIES });
    const tags = Object.fromEntries((tagging?.Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({
      [OVERRIDE_TAGS.marker]: 'true',
      [OVERRIDE_TAGS.actor]: CALLER,
      [OVERRIDE_TAGS.reason]: REASON,
      [OVERRIDE_TAGS.approvedBy]: 'bob',
    });
    expect(
      new Date(tags[OVERRIDE_TAGS.until]!).getTime() - new Date(tags[OVERRIDE_TAGS.appliedAt]!).getTime(),
    ).toBe(4 * 3_600_000);
    expect(ssm).toReceiveCommandWith(PutParameterCommand, {
      Name: MAX_RETRIES,
      Value: '8',
      Type: 'String',
      Overwrite: true,
    });
    const order = ssm.calls().map((c) => c.args[0].constructor.name);
    expect(order).toEqual(['ListTagsForResourceCommand', 'AddTagsToResourceCommand', 'PutParameterCommand']);
    const entry = eventbridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({
      Source: 'config.steward',
      DetailType: 'Config Override Applied',
      EventBusName: 'config-steward',
    });
    expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({
      parameterName: MAX_RETRIES,
      version: 9,
      actor: CALLER,
      reason: REASON,
      approvedBy: 'bob',
      deploymentStrategy: 'AppConfig.AllAtOnce',
      value: '8',
    });
    expect(out).toMatch(
      /^steward override: wrote \/config\/production\/orders\/max-retries version 9 = 8, active until /,
    );
    expect(out).toMatch(/approved by bob \(as stated; not verified\)/);
  });

  it('creates a parameter that does not exist yet with its tags in the same PutParameter, without Overwrite', async () => {
    // Prepare
    ssm.on(ListTagsForResourceCommand).rejects(serviceError('InvalidResourceId'));
    ssm.on(AddTagsToResourceCommand).rejects(serviceError('InvalidResourceId'));
    ssm.on(PutParameterCommand).resolves({ Version: 1 });

    // Act
    const { code, out } = await run([
      '/config/staging/orders/page-size',
      '60',
      '--reason',
      REASON,
      '--until',
      '2h',
    ]);

    // Assess
    expect(code).toBe(0);
    const put = ssm.commandCalls(PutParameterCommand)[0]?.args[0].input;
    expect(put).toMatchObject({ Name: '/config/staging/orders/page-size', Value: '60', Type: 'String' });
    expect(put?.Overwrite).toBeUndefined();
    expect(put?.Tags).toEqual(expect.arrayContaining([{ Key: OVERRIDE_TAGS.marker, Value: 'true' }]));
    expect(out).toMatch(/created \/config\/staging\/orders\/page-size version 1/);
  });

  it.each([
    ['an undeclared key', ['orders/max-retires', '8'], /declares no key "max-retires"/],
    ['an invalid value', ['orders/max-retries', '11'], /value refused by the schema of max-retries/],
    ['a missing reason', ['orders/max-retries', '8', '--reason', ''], /--reason is required/],
    [
      'an --until in the past',
      ['orders/max-retries', '8', '--until', '2020-01-01T00:00:00Z'],
      /not in the future/,
    ],
    ['an --until beyond the maximum', ['orders/max-retries', '8', '--until', '2d'], /maximum of 24 h/],
    [
      'no approver in production',
      ['orders/max-retries', '8', '--approved-by', ''],
      /requires a second principal/,
    ],
  ])('refuses %s, exit 2, without a single AWS call', async (_, args, problem) => {
    // Prepare: every other option valid
    const defaults = { '--reason': REASON, '--until': '4h', '--approved-by': 'bob', '--env': 'production' };
    const given = new Set(args.filter((a) => a.startsWith('--')));
    const rest = Object.entries(defaults).flatMap(([option, value]) =>
      given.has(option) ? [] : [option, value],
    );

    // Act
    const { code, err } = await run([...args, ...rest]);

    // Assess
    expect(code).toBe(2);
    expect(err).toMatch(/^steward override: refused, nothing written:/);
    expect(err).toMatch(problem);
    expect(sent()).toEqual({ ssm: 0, sts: 0, eventbridge: 0 });
  });

  it('refuses the caller as their own approver after asking STS who calls, and writes nothing', async () => {
    // Act
    const { code, err } = await run(productionOverride('alice'));

    // Assess
    expect(code).toBe(2);
    expect(err).toMatch(/--approved-by must name another principal than the caller/);
    expect(sent()).toEqual({ ssm: 0, sts: 1, eventbridge: 0 });
  });

  it('never prints or publishes a SecureString value', async () => {
    // Act
    const { code, out, err } = await run([
      SIGNING_KEY,
      SECRET,
      '--reason',
      REASON,
      '--until',
      '1h',
      '--approved-by',
      'bob',
    ]);

    // Assess
    expect(code).toBe(0);
    expect(ssm).toReceiveCommandWith(PutParameterCommand, { Name: SIGNING_KEY, Type: 'SecureString' });
    expect(out).toMatch(/\(value withheld\)/);
    const published = JSON.stringify(eventbridge.calls().map((c) => c.args[0].input));
    const tagged = JSON.stringify(ssm.commandCalls(AddTagsToResourceCommand).map((c) => c.args[0].input));
    for (const text of [out, err, published, tagged]) expect(text).not.toContain(SECRET);
  });

  it('takes the tags off again when the write is refused, exits 4 and announces nothing', async () => {
    // Prepare
    ssm.on(PutParameterCommand).rejects(serviceError('AccessDeniedException'));
    ssm.on(RemoveTagsFromResourceCommand).resolves({});

    // Act
    const { code, err } = await run([
      'orders/max-retries',
      '8',
      '--env',
      'staging',
      '--reason',
      REASON,
      '--until',
      '1h',
    ]);

    // Assess
    expect(code).toBe(4);
    expect(err).toMatch(/PutParameter/);
    // every override tag it added (no approver in staging), and nothing else: the parameter had no record
    expect(ssm).toReceiveCommandWith(RemoveTagsFromResourceCommand, {
      ResourceType: 'Parameter',
      ResourceId: '/config/staging/orders/max-retries',
      TagKeys: Object.values(OVERRIDE_TAGS).filter((key) => key !== OVERRIDE_TAGS.approvedBy),
    });
    expect(eventbridge.calls()).toHaveLength(0);
  });

  it('exits 2 with usage when the value is missing', async () => {
    // Act
    const { code, err } = await run(['orders/max-retries', '--env', 'staging']);

    // Assess
    expect(code).toBe(2);
    expect(err).toMatch(/give exactly one parameter and one value/);
    expect(sent()).toEqual({ ssm: 0, sts: 0, eventbridge: 0 });
  });
});
