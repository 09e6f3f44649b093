import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { CreateOpsItemCommand, DescribeOpsItemsCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MalformedEventError } from '../../functions/core/errors.ts';
import { RotationStepFailedError } from '../../functions/core/rotation/errors.ts';
import {
  SecretNotFoundError,
  SecretVersionConflictError,
} from '../../functions/ports/secret-store.errors.ts';
import { AWSCURRENT, AWSPENDING } from '../../functions/ports/secret-store.ts';
import { awsEvent } from '../support/aws-events.ts';
import { InMemorySecretStore } from '../support/in-memory-secret-store.ts';

const secretsManager = mockClient(SecretsManagerClient);
const eventbridge = mockClient(EventBridgeClient);
const ssm = mockClient(SSMClient);
const fixture = awsEvent<Record<string, string>>('secretsmanager-rotation-create.json');
const context = {
  functionName: 'rotate-secret',
  awsRequestId: 'req-1',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

const ENV: Record<string, string> = {
  STEWARD_PARAMETER_ROOT: 'config',
  STEWARD_PARAMETER_TIER: 'Standard',
  STEWARD_ENVIRONMENTS: JSON.stringify([
    { name: 'staging', enforcement: 'enforce' },
    { name: 'production', enforcement: 'enforce' },
  ]),
  STEWARD_EVENT_BUS: 'config-steward',
  STEWARD_TICKETS: JSON.stringify({ tracker: 'opscenter' }),
  STEWARD_POSTGRES_SSL: 'disable',
  POWERTOOLS_SERVICE_NAME: 'config-steward-rotate-secret',
  POWERTOOLS_LOG_LEVEL: 'INFO',
};

type HandlerModule = typeof import('../../functions/handlers/rotate-secret.ts');
let module: HandlerModule;
/** Secrets Manager itself, behind the mocked client. */
let simulator: InMemorySecretStore;
/** Everything the function wrote to stdout and stderr: logs and EMF metrics. */
let stdout: string[];

/** Route the SDK commands to the in-memory simulator, with Secrets Manager's exceptions. */
function simulate() {
  const sdkError = (error: unknown) => {
    if (error instanceof SecretNotFoundError)
      return new ResourceNotFoundException({ message: error.message, $metadata: {} });
    if (error instanceof SecretVersionConflictError)
      return new ResourceExistsException({ message: error.message, $metadata: {} });
    return error;
  };
  const call = async <T>(work: () => Promise<T>) => {
    try {
      return await work();
    } catch (error) {
      throw sdkError(error);
    }
  };
  secretsManager.on(DescribeSecretCommand).callsFake((input) =>
    call(async () => {
      const d = await simulator.describe(input.SecretId);
      return { ARN: d.arn, Name: d.name, RotationEnabled: d.rotationEnabled, VersionIdsToStages: d.versions };
    }),
  );
  secretsManager.on(GetSecretValueCommand).callsFake((input) =>
    call(async () => {
      const v = await simulator.getValue(input.SecretId, {
        versionId: input.VersionId,
        stage: input.VersionStage,
      } as never);
      return {
        VersionId: v.versionId,
        SecretString: v.value,
        VersionStages: [...v.stages],
        CreatedDate: v.createdDate,
      };
    }),
  );
  secretsManager.on(PutSecretValueCommand).callsFake((input) =>
    call(async () => {
      await simulator.putPendingValue(
        input.SecretId,
        input.ClientRequestToken,
        input.SecretString,
        input.RotationToken,
      );
      return { VersionId: input.ClientRequestToken };
    }),
  );
  secretsManager.on(UpdateSecretVersionStageCommand).callsFake((input) =>
    call(async () => {
      await simulator.moveStage(input.SecretId, input.VersionStage, {
        to: input.MoveToVersionId,
        from: input.RemoveFromVersionId,
      });
      return {};
    }),
  );
}

beforeAll(async () => {
  for (const [name, value] of Object.entries(ENV)) vi.stubEnv(name, value);
  module = await import('../../functions/handlers/rotate-secret.ts');
});

afterAll(() => {
  vi.unstubAllEnvs();
});

beforeEach(() => {
  secretsManager.reset();
  eventbridge.reset();
  ssm.reset();
  simulator = new InMemorySecretStore();
  simulate();
  eventbridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  ssm.on(DescribeOpsItemsCommand).resolves({ OpsItemSummaries: [] });
  ssm.on(CreateOpsItemCommand).resolves({ OpsItemId: 'oi-1' });
  stdout = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk) => {
      stdout.push(String(chunk));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
});

function publishedDetailTypes(): string[] {
  return eventbridge
    .commandCalls(PutEventsCommand)
    .flatMap((c) => (c.args[0].input.Entries ?? []).map((e) => e.DetailType as string));
}

describe('Handler: rotate-secret', () => {
  it('runs the AWS fixture (createSecret of a PostgreSQL secret): stores AWSPENDING with the rotation token', async () => {
    // Prepare
    const arn = simulator.create(
      'config/production/orders/db',
      JSON.stringify({
        engine: 'postgres',
        host: 'db.internal',
        port: 5432,
        dbname: 'orders',
        username: 'orders',
        password: 'Current-Pw-0001',
        masterarn: 'm',
      }),
      { arn: fixture.SecretId },
    );
    simulator.beginRotation(arn, fixture.ClientRequestToken);

    // Act
    await module.handler(fixture, context);

    // Assess
    expect(secretsManager).toReceiveCommandWith(PutSecretValueCommand, {
      SecretId: fixture.SecretId,
      ClientRequestToken: fixture.ClientRequestToken,
      RotationToken: fixture.RotationToken,
      VersionStages: [AWSPENDING],
    });
    const pending = JSON.parse(simulator.peek(arn, AWSPENDING) as string);
    expect(pending).toMatchObject({ username: 'orders_clone', host: 'db.internal', masterarn: 'm' });
    expect(pending.password).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('rotates a random key through the four snake_case steps and publishes Secret Rotated', async () => {
    // Prepare
    const initial = JSON.stringify({ apiKey: 'K'.repeat(40) });
    const arn = simulator.create('config/production/payments/provider-api-key', initial);
    const token = simulator.beginRotation(arn);

    // Act
    for (const step of ['create_secret', 'set_secret', 'test_secret', 'finish_secret']) {
      await module.handler(
        { Step: step, SecretId: arn, ClientRequestToken: token, RotationToken: 'rt' },
        context,
      );
    }

    // Assess
    expect(simulator.stages(arn)[token]).toContain(AWSCURRENT);
    const rotatedKey = JSON.parse(simulator.peek(arn) as string).apiKey as string;
    expect(rotatedKey).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(publishedDetailTypes()).toEqual(['Secret Rotated']);
    const logs = stdout.join('');
    expect(logs).toContain('rotation step finished');
    expect(logs).not.toContain(rotatedKey);
    expect(logs).not.toContain('K'.repeat(40));
    const entry = eventbridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
    expect(entry).toMatchObject({ EventBusName: 'config-steward', Source: 'config.steward' });
    expect(JSON.parse(entry?.Detail as string)).toMatchObject({
      secretName: 'config/production/payments/provider-api-key',
      strategy: 'random',
      newVersionId: token,
    });
  });

  it('on failure publishes Secret Rotation Failed, files an OpsItem, emits RotationFailed and rethrows, with no value anywhere', async () => {
    // Prepare: a pending key of the wrong length, so testSecret fails
    const currentKey = 'C'.repeat(40);
    const badKey = 'tooShortButSecretValue123';
    const arn = simulator.create(
      'config/production/payments/provider-api-key',
      JSON.stringify({ apiKey: currentKey }),
    );
    const token = simulator.beginRotation(arn);
    await simulator.putPendingValue(arn, token, JSON.stringify({ apiKey: badKey }));

    // Act
    const attempt = module.handler({ Step: 'testSecret', SecretId: arn, ClientRequestToken: token }, context);

    // Assess
    await expect(attempt).rejects.toThrow(RotationStepFailedError);
    await expect(attempt).rejects.toThrow(
      /RotationTestFailedError: field "apiKey" has 25 characters, 40 declared/,
    );
    expect(publishedDetailTypes()).toEqual(['Secret Rotation Failed']);
    expect(ssm).toReceiveCommandTimes(CreateOpsItemCommand, 1);
    const metric = stdout.map((line) => line.trim()).find((line) => line.includes('"RotationFailed"'));
    expect(metric && JSON.parse(metric)).toMatchObject({
      RotationFailed: 1,
      service: 'config-steward-rotate-secret',
      _aws: { CloudWatchMetrics: [{ Namespace: 'ConfigSteward' }] },
    });
    const everything = [
      ...stdout,
      JSON.stringify(eventbridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input)),
      JSON.stringify(ssm.commandCalls(CreateOpsItemCommand).map((c) => c.args[0].input)),
      await attempt.catch((e: Error) => `${e.message}\n${e.stack}`),
    ].join('\n');
    expect(everything).toContain('rotation step failed');
    expect(everything).not.toContain(badKey);
    expect(everything).not.toContain(currentKey);
  });

  it('rejects an invocation that is not a rotation step, touching nothing', async () => {
    // Act
    const attempt = module.handler({ Step: 'rotate', SecretId: 'x', ClientRequestToken: 't' }, context);

    // Assess
    await expect(attempt).rejects.toThrow(MalformedEventError);
    await expect(attempt).rejects.toThrow(/unknown step "rotate"/);
    expect(secretsManager.calls()).toHaveLength(0);
  });
});
