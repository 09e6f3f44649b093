import { createHash, createHmac } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GenerateMacCommand, KMSClient } from '@aws-sdk/client-kms';
import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreateOpsItemCommand,
  DescribeOpsItemsCommand,
  DescribeParametersCommand,
  type DescribeParametersCommandInput,
  GetParametersByPathCommand,
  type GetParametersByPathCommandInput,
  GetParametersCommand,
  type GetParametersCommandInput,
  SSMClient,
  SSMServiceException,
} from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runtimeEnvironment } from '../../functions/core/runtime-settings.ts';
import { loadSettings } from '../../lib/settings.ts';
import { awsEvent } from '../support/aws-events.ts';

const ssm = mockClient(SSMClient);
const secretsManager = mockClient(SecretsManagerClient);
const eventbridge = mockClient(EventBridgeClient);
const kms = mockClient(KMSClient);
const FINGERPRINT_KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const scheduled = awsEvent('scheduler-nightly.json');
/** A step invocation with `remainingMs` left (15 minutes by default, as the function's timeout). */
const invocation = (remainingMs = 900_000) =>
  ({
    functionName: 'drift-job',
    awsRequestId: 'req-1',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:config-steward-drift',
    getRemainingTimeInMillis: () => remainingMs,
  }) as unknown as Context;
const context = invocation();
interface StepOutput {
  done: boolean;
  checkpoint: {
    runId: string;
    findingsByKind: Record<string, number>;
    nextUnit: number;
    units: number;
    steps: number;
  };
}
/** The state machine's last state: the final checkpoint back to the function, to publish. */
const publishInput = (result: StepOutput) => ({ checkpoint: result.checkpoint, publish: true });
const settings = loadSettings('config/settings.json');
const SIGNING_KEY = 'whsec-0123456789-THIS-IS-THE-SECRET-abcdef';
const now = new Date();

const staging = [
  {
    Name: '/config/staging/orders/max-retries',
    Value: '9',
    Type: 'String',
    Version: 3,
    LastModifiedDate: now,
  },
  {
    Name: '/config/staging/orders/webhook-signing-key',
    Value: 'AQICAHh-ciphertext',
    Type: 'SecureString',
    Version: 1,
    LastModifiedDate: now,
  },
] as const;

let handler: typeof import('../../functions/handlers/drift-job.ts').handler;
const stdout: string[] = [];

beforeAll(async () => {
  for (const [name, value] of Object.entries(runtimeEnvironment(settings))) vi.stubEnv(name, value);
  vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'ConfigSteward');
  vi.stubEnv('POWERTOOLS_SERVICE_NAME', 'config-steward-drift-job');
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('STEWARD_FINGERPRINT_KEY', FINGERPRINT_KEY);
  ({ handler } = await import('../../functions/handlers/drift-job.ts'));
});

afterAll(() => {
  vi.unstubAllEnvs();
});

beforeEach(() => {
  ssm.reset();
  secretsManager.reset();
  eventbridge.reset();
  kms.reset();
  kms.on(GenerateMacCommand).callsFake((input: { Message: Uint8Array }) => ({
    Mac: createHmac('sha256', 'key material that stays in KMS').update(input.Message).digest(),
  }));
  stdout.length = 0;
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
  ssm.on(DescribeParametersCommand).callsFake((input: DescribeParametersCommandInput) =>
    // No parameter carries a break-glass override tag here (the scan for them filters on it).
    input.ParameterFilters?.some((f) => f.Key?.startsWith('tag:'))
      ? { Parameters: [] }
      : {
          Parameters: staging.map(({ Name, Type, Version }) => ({
            Name,
            Type,
            Version,
            LastModifiedUser: 'alice',
          })),
        },
  );
  ssm.on(GetParametersByPathCommand).callsFake((input: GetParametersByPathCommandInput) => {
    if (input.Path?.startsWith('/config/production')) {
      throw new SSMServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: {},
        message: 'denied',
      });
    }
    const under = staging.filter(({ Name }) => Name.startsWith(`${input.Path}/`));
    if (input.ParameterFilters) return { Parameters: under.map(({ Name, Version }) => ({ Name, Version })) };
    return { Parameters: under };
  });
  ssm.on(GetParametersCommand).callsFake((input: GetParametersCommandInput) => ({
    Parameters: (input.Names ?? []).map((Name) => ({
      Name,
      Value: SIGNING_KEY,
      Type: 'SecureString',
      Version: 1,
    })),
  }));
  ssm.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });
  let id = 0;
  ssm.on(CreateOpsItemCommand).callsFake(() => ({ OpsItemId: `oi-${++id}` }));
  secretsManager.on(DescribeSecretCommand).resolves({
    ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x',
    RotationEnabled: true,
    LastRotatedDate: now,
    VersionIdsToStages: { v1: ['AWSCURRENT'] },
  });
  eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('Handler: drift-job', () => {
  it('checks the readable environment, reports the other as read-error, files tickets and publishes one event', async () => {
    // Act: the scheduled payload starts a run, which fits in one invocation here; then the publish state
    const result = (await handler(scheduled, context)) as StepOutput;
    const eventsBeforePublish = eventbridge.commandCalls(PutEventsCommand).length;
    await handler(publishInput(result), context);

    // Assess
    const productionPaths = new Set(
      ssm
        .commandCalls(GetParametersByPathCommand)
        .map((c) => c.args[0].input.Path ?? '')
        .filter((path) => path.startsWith('/config/production/')),
    );
    expect(productionPaths.size).toBe(result.checkpoint.units - 1);
    expect(result.done).toBe(true);
    expect(result.checkpoint.findingsByKind).toMatchObject({
      'value-drift': 1,
      'read-error': productionPaths.size,
    });
    expect(ssm).toReceiveCommandWith(GetParametersByPathCommand, {
      Path: '/config/staging/orders',
      Recursive: true,
      WithDecryption: false,
    });
    expect(ssm).toReceiveCommandWith(GetParametersCommand, {
      Names: ['/config/staging/orders/webhook-signing-key'],
      WithDecryption: true,
    });
    expect(ssm).toReceiveCommandWith(CreateOpsItemCommand, {
      Title: 'Config drift: value-drift on /config/staging/orders/max-retries',
      OperationalData: expect.objectContaining({
        '/aws/resources': {
          Type: 'SearchableString',
          Value: JSON.stringify([
            { arn: 'arn:aws:ssm:eu-west-1:123456789012:parameter/config/staging/orders/max-retries' },
          ]),
        },
      }),
    });
    expect(eventsBeforePublish).toBe(0);
    expect(eventbridge).toReceiveCommandTimes(PutEventsCommand, 1);
    const entry = eventbridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry?.DetailType).toBe('Config Drift Detected');
    expect(JSON.parse(entry?.Detail ?? '{}').findingsByKind['value-drift']).toBe(1);
  });

  it('emits EMF metrics and keeps the SecureString value out of logs, tickets and events', async () => {
    // Act
    const result = (await handler(scheduled, context)) as StepOutput;
    await handler(publishInput(result), context);

    // Assess
    const emf = stdout.map((line) => line.trim()).filter((line) => line.includes('"_aws"'));
    expect(emf.some((line) => line.includes('ParametersScanned') && line.includes('ApiCalls'))).toBe(true);
    expect(emf.some((line) => line.includes('"Kind":"value-drift"'))).toBe(true);
    const captured = JSON.stringify({
      stdout,
      opsItems: ssm.commandCalls(CreateOpsItemCommand).map((c) => c.args[0].input),
      events: eventbridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input),
    });
    expect(captured).not.toContain(SIGNING_KEY);
  });

  it('fingerprints an invalid SecureString with the stack key: no value or plain SHA-256 in logs, tickets or events', async () => {
    // Prepare: a signing key too short for its schema, so its finding must describe the stored value
    const short = 'whsec-SHORT-91x';
    ssm.on(GetParametersCommand).callsFake((input: GetParametersCommandInput) => ({
      Parameters: (input.Names ?? []).map((Name) => ({
        Name,
        Value: short,
        Type: 'SecureString',
        Version: 1,
      })),
    }));

    // Act
    const result = (await handler(scheduled, context)) as StepOutput;

    // Assess
    expect(result.checkpoint.findingsByKind).toMatchObject({ invalid: 1 });
    expect(kms).toHaveReceivedCommandTimes(GenerateMacCommand, 1);
    expect(kms).toHaveReceivedCommandWith(GenerateMacCommand, {
      KeyId: FINGERPRINT_KEY,
      MacAlgorithm: 'HMAC_SHA_256',
    });
    const opsItem = ssm
      .commandCalls(CreateOpsItemCommand)
      .map((c) => c.args[0].input)
      .find((input) => input.Title?.startsWith('Config drift: invalid'));
    expect(opsItem?.Description).toMatch(/\| actual \| `hmac-sha256:[0-9a-f]{64}` \|/);
    const captured = JSON.stringify({
      stdout,
      opsItems: ssm.commandCalls(CreateOpsItemCommand).map((c) => c.args[0].input),
      events: eventbridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input),
    });
    expect(captured).not.toContain(short);
    expect(captured).not.toContain(createHash('sha256').update(short).digest('hex'));
  });

  it('stops while the invocation has time left and continues from the checkpoint it returned', async () => {
    // Act: a first invocation with nothing beyond its margin, then one with the full 15 minutes
    const first = (await handler(scheduled, invocation(60_000))) as StepOutput;
    const eventsAfterFirst = eventbridge.commandCalls(PutEventsCommand).length;
    const second = (await handler({ checkpoint: first.checkpoint }, context)) as StepOutput;
    await handler(publishInput(second), context);

    // Assess
    expect(first).toMatchObject({ done: false, checkpoint: { nextUnit: 1, steps: 1 } });
    expect(eventsAfterFirst).toBe(0);
    expect(second.done).toBe(true);
    expect(second.checkpoint).toMatchObject({ steps: 2, nextUnit: second.checkpoint.units });
    expect(second.checkpoint.findingsByKind['value-drift']).toBe(1);
    expect(eventbridge).toReceiveCommandTimes(PutEventsCommand, 1);
  });

  it('a run over the time budget checkpoints, and the state machine loop resumes it to the same result', async () => {
    // Prepare: what one invocation with the full 15 minutes finds
    const whole = (await handler(scheduled, context)) as StepOutput;
    const ticketsOfWhole = ssm.commandCalls(CreateOpsItemCommand).length;
    ssm.resetHistory();
    ssm.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });
    // A clock for the fake Lambda contexts: every SSM request takes 50 ms (the 20/s read budget), and
    // each invocation has its two-minute margin plus 1.5 s, about two units' worth of requests.
    let nowMs = 0;
    const send = SSMClient.prototype.send;
    const timed = vi.spyOn(SSMClient.prototype, 'send').mockImplementation(function (
      this: SSMClient,
      ...args
    ) {
      nowMs += 50;
      return (send as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof send);
    const invocationOf = (limitMs: number) => {
      const deadline = nowMs + limitMs;
      return { ...context, getRemainingTimeInMillis: () => deadline - nowMs } as Context;
    };

    // Act: the state machine's loop, with the deadline of each invocation checked
    let output = (await handler(scheduled, invocationOf(121_500))) as StepOutput;
    const steps = [output];
    while (!output.done && steps.length < 100) {
      const budget = invocationOf(121_500);
      output = (await handler({ checkpoint: output.checkpoint }, budget)) as StepOutput;
      expect(budget.getRemainingTimeInMillis()).toBeGreaterThanOrEqual(0);
      steps.push(output);
    }
    await handler(publishInput(output), context);
    timed.mockRestore();

    // Assess: several invocations, each handing on its checkpoint, and the run's counts those of one pass
    expect(steps.length).toBeGreaterThan(1);
    expect(output.done).toBe(true);
    expect(steps.map((s) => s.checkpoint.runId)).toEqual(steps.map(() => steps[0]?.checkpoint.runId));
    expect(steps.map((s) => s.checkpoint.steps)).toEqual(steps.map((_, i) => i + 1));
    expect(output.checkpoint.findingsByKind).toEqual(whole.checkpoint.findingsByKind);
    expect(ssm.commandCalls(CreateOpsItemCommand)).toHaveLength(ticketsOfWhole);
    expect(eventbridge).toReceiveCommandTimes(PutEventsCommand, 1);
  });

  it('publishes only a finished run, and the same detail when the publish state is retried', async () => {
    // Prepare
    const first = (await handler(scheduled, invocation(60_000))) as StepOutput;
    const done = (await handler({ checkpoint: first.checkpoint }, context)) as StepOutput;

    // Act
    const early = handler(publishInput(first), context);
    await handler(publishInput(done), context);
    await handler(publishInput(done), context);

    // Assess
    await expect(early).rejects.toThrow(/is not done .*nothing to publish/);
    const details = eventbridge
      .commandCalls(PutEventsCommand)
      .map((c) => c.args[0].input.Entries?.[0]?.Detail ?? '');
    expect(details).toHaveLength(2);
    expect(details[1]).toBe(details[0]);
    expect(JSON.parse(details[0] ?? '{}').runId).toBe(done.checkpoint.runId);
  });

  it('refuses a malformed checkpoint before reading or filing anything', async () => {
    // Act / Assess
    await expect(handler({ checkpoint: { runId: 'r-1', nextUnit: 'two' } }, context)).rejects.toThrow(
      /not a drift checkpoint/,
    );
    expect(ssm.calls()).toHaveLength(0);
    expect(eventbridge.calls()).toHaveLength(0);
  });
});
