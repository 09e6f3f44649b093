import { describe, expect, it, vi } from 'vitest';
import { RotationStepFailedError } from '../../functions/core/rotation/errors.ts';
import { secretNameFromId } from '../../functions/core/rotation/naming.ts';
import { ALPHABETS } from '../../functions/core/rotation/random-string.ts';
import { REDACTED, Redactor } from '../../functions/core/rotation/redactor.ts';
import { STALE_PENDING_STAGE } from '../../functions/core/rotation/rotate-secret.ts';
import { randomStrategy } from '../../functions/core/rotation/strategies/random.ts';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS } from '../../functions/ports/secret-store.ts';
import { RotationHarness, rejection } from '../support/rotation-harness.ts';

const KEY_NAME = 'config/production/orders/webhook-key';
const INITIAL = JSON.stringify({ keyId: 'k-1', apiKey: 'A'.repeat(40) });

function setUp() {
  const harness = new RotationHarness();
  const arn = harness.store.create(KEY_NAME, INITIAL);
  return { harness, arn };
}

/** The end state every rotation must converge to. */
function expectConverged(stages: Record<string, string[]>, token: string) {
  const holders = (stage: string) =>
    Object.entries(stages)
      .filter(([, s]) => s.includes(stage))
      .map(([id]) => id);
  expect(holders(AWSCURRENT)).toEqual([token]);
  expect(holders(AWSPREVIOUS)).toHaveLength(1);
  expect(holders(AWSPENDING).filter((id) => id !== token)).toEqual([]);
}

describe('Class: SecretRotator', () => {
  it('rotates a random key through the four steps and publishes Secret Rotated', async () => {
    // Prepare
    const { harness, arn } = setUp();
    const [initialVersion] = Object.keys(harness.store.stages(arn));

    // Act
    const token = await harness.rotate(arn);

    // Assess
    const rotated = JSON.parse(harness.store.peek(arn) as string);
    expect(rotated.keyId).toBe('k-1');
    expect(rotated.apiKey).toHaveLength(40);
    expect(rotated.apiKey).not.toBe('A'.repeat(40));
    expect([...rotated.apiKey].every((c: string) => ALPHABETS.alphanumeric.includes(c))).toBe(true);
    expect(harness.store.stages(arn)).toEqual({
      [initialVersion as string]: [AWSPREVIOUS],
      [token]: [AWSPENDING, AWSCURRENT],
    });
    expect(harness.publisher.events).toEqual([
      {
        detailType: 'Secret Rotated',
        detail: {
          secretName: KEY_NAME,
          strategy: 'random',
          newVersionId: token,
          previousVersionId: initialVersion,
          durationMs: 750,
        },
      },
    ]);
    expect(harness.store.rotationTokens(arn)).toEqual([`rt-${token}`]);
  });

  it('stays within 8 Secrets Manager calls with exactly one PutSecretValue', async () => {
    // Prepare
    const { harness, arn } = setUp();

    // Act
    await harness.rotate(arn);

    // Assess
    expect(harness.store.calls).toEqual({ describe: 4, getValue: 1, putPendingValue: 1, moveStage: 1 });
    expect(harness.store.totalCalls).toBeLessThanOrEqual(8);
  });

  it('rotates again and again, each time from the value the last rotation left', async () => {
    // Prepare
    const { harness, arn } = setUp();
    const seen = new Set([INITIAL]);

    // Act
    for (let i = 0; i < 5; i++) {
      const token = await harness.rotate(arn);
      seen.add(harness.store.peek(arn) as string);
      expectConverged(harness.store.stages(arn), token);
    }

    // Assess
    expect(seen.size).toBe(6);
    expect(harness.publisher.ofType('Secret Rotated')).toHaveLength(5);
  });

  it('refuses to rotate a secret whose rotation is disabled, with an event, a ticket and a metric', async () => {
    // Prepare
    const { harness, arn } = setUp();
    const token = harness.store.beginRotation(arn);
    harness.store.setRotationEnabled(arn, false);

    // Act
    const attempt = harness.runStep('createSecret', arn, token);

    // Assess
    await expect(attempt).rejects.toThrow(RotationStepFailedError);
    await expect(attempt).rejects.toMatchObject({
      errorClass: 'RotationNotEnabledError',
      step: 'createSecret',
    });
    expect(harness.publisher.events).toEqual([
      {
        detailType: 'Secret Rotation Failed',
        detail: {
          secretName: KEY_NAME,
          step: 'createSecret',
          versionId: token,
          errorClass: 'RotationNotEnabledError',
          message: `secret "${KEY_NAME}" does not have rotation enabled`,
        },
      },
    ]);
    expect(harness.tickets.tickets).toHaveLength(1);
    expect(harness.tickets.tickets[0]?.request).toMatchObject({
      dedupKey: `rotation-failed:${KEY_NAME}`,
      category: 'rotation',
      severity: 'high',
      resourceArns: [arn],
    });
    expect(harness.failures).toEqual([{ step: 'createSecret', errorClass: 'RotationNotEnabledError' }]);
    expect(harness.store.calls.putPendingValue).toBe(0);
  });

  it('files one ticket however often Secrets Manager retries a failing rotation', async () => {
    // Prepare
    const { harness, arn } = setUp();
    const token = harness.store.beginRotation(arn);
    harness.store.setRotationEnabled(arn, false);

    // Act
    for (let i = 0; i < 3; i++) await harness.runStep('createSecret', arn, token).catch(() => undefined);

    // Assess
    expect(harness.tickets.tickets).toHaveLength(1);
    expect(harness.publisher.ofType('Secret Rotation Failed')).toHaveLength(3);
  });

  it('rejects a token that is not a version of the secret', async () => {
    // Prepare
    const { harness, arn } = setUp();

    // Act
    const attempt = harness.runStep('setSecret', arn, 'not-a-version');

    // Assess
    await expect(attempt).rejects.toMatchObject({ errorClass: 'RotationTokenError' });
    await expect(attempt).rejects.toThrow(/not-a-version is not a version of secret/);
  });

  it('rejects a token whose version is not AWSPENDING', async () => {
    // Prepare
    const { harness, arn } = setUp();
    const first = await harness.rotate(arn);
    await harness.rotate(arn);

    // Act: the first rotation's version is AWSPREVIOUS now
    const attempt = harness.runStep('finishSecret', arn, first);

    // Assess
    await expect(attempt).rejects.toThrow(/is not labelled AWSPENDING/);
  });

  it('does nothing in any step when the token is already AWSCURRENT', async () => {
    // Prepare
    const { harness, arn } = setUp();
    const token = await harness.rotate(arn);
    harness.store.resetCounts();
    const before = harness.store.stages(arn);

    // Act
    const outcomes = [];
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      outcomes.push(await harness.runStep(step, arn, token));
    }

    // Assess
    expect(outcomes).toEqual(['already-current', 'already-current', 'already-current', 'already-current']);
    expect(harness.store.calls).toEqual({ describe: 4, getValue: 0, putPendingValue: 0, moveStage: 0 });
    expect(harness.store.stages(arn)).toEqual(before);
    expect(harness.publisher.ofType('Secret Rotated')).toHaveLength(1);
  });

  it('reuses the AWSPENDING value already stored for the token when createSecret runs again', async () => {
    // Prepare
    const { harness, arn } = setUp();
    const token = harness.store.beginRotation(arn);
    await harness.runStep('createSecret', arn, token);
    const stored = harness.store.peek(arn, AWSPENDING);
    harness.coldStart();

    // Act
    const outcome = await harness.runStep('createSecret', arn, token);

    // Assess
    expect(outcome).toBe('reused-pending');
    expect(harness.store.peek(arn, AWSPENDING)).toBe(stored);
    expect(harness.store.calls.putPendingValue).toBe(2);
  });

  it.each(['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const)(
    'converges after a crash right after %s and a re-run of the whole rotation',
    async (crashAfter) => {
      // Prepare
      const { harness, arn } = setUp();
      const token = harness.store.beginRotation(arn);
      await expect(harness.runSteps(arn, token, crashAfter)).rejects.toThrow('crashed');
      harness.coldStart();

      // Act
      await harness.runSteps(arn, token);

      // Assess
      expectConverged(harness.store.stages(arn), token);
      expect(JSON.parse(harness.store.peek(arn) as string).apiKey).not.toBe('A'.repeat(40));
      expect(harness.publisher.ofType('Secret Rotated')).toHaveLength(1);
    },
  );

  it('clears a stale AWSPENDING left by an abandoned rotation, reports it, and rotates', async () => {
    // Prepare: a rotation that died after createSecret, never retried (cancelled)
    const { harness, arn } = setUp();
    const abandoned = harness.store.beginRotation(arn);
    await harness.runStep('createSecret', arn, abandoned);
    expect(() => harness.store.beginRotation(arn)).toThrow(/previous rotation isn't complete/);
    harness.coldStart();

    // Act: a rotation invoked directly with a fresh token (steward invoke, or an operator)
    const token = 'fresh-token-0001';
    await harness.runSteps(arn, token);

    // Assess
    expectConverged(harness.store.stages(arn), token);
    expect(harness.store.stages(arn)[abandoned]).toEqual([]);
    expect(Object.values(harness.store.stages(arn)).flat()).not.toContain(STALE_PENDING_STAGE);
    expect(harness.publisher.ofType('Secret Rotated')[0]?.detail).toMatchObject({
      newVersionId: token,
      clearedStalePendingVersionId: abandoned,
    });
    expect(
      harness.logger.lines.some((l) => l.includes('cleared a stale AWSPENDING') && l.includes(abandoned)),
    ).toBe(true);
    // And Secrets Manager can start rotations again.
    expect(() => harness.store.beginRotation(arn)).not.toThrow();
  });

  it('never lets a secret value out of a failing step: logs, events, tickets and the thrown error', async () => {
    // Prepare: a test step whose error echoes the value, as careless drivers do
    let pendingSeen = '';
    const leaky = {
      ...randomStrategy,
      async testSecret(pending: string) {
        pendingSeen = pending;
        throw new Error(`provider refused key ${JSON.parse(pending).apiKey} (full secret ${pending})`);
      },
    };
    const harness = new RotationHarness(undefined, { random: leaky });
    const arn = harness.store.create(KEY_NAME, INITIAL);

    // Act
    const error = await rejection(harness.rotate(arn));

    // Assess
    const apiKey = JSON.parse(pendingSeen).apiKey as string;
    const everything = `${harness.captured()}\n${(error as Error).message}\n${(error as Error).stack}`;
    expect(everything).not.toContain(apiKey);
    expect(everything).not.toContain('A'.repeat(40));
    expect((error as Error).message).toContain(REDACTED);
    expect((error as Error).cause).toBeUndefined();
    expect(harness.publisher.ofType('Secret Rotation Failed')[0]?.detail).toMatchObject({
      step: 'testSecret',
      errorClass: 'Error',
    });
  });

  it('does not echo a malformed secret, not even the prefix JSON.parse would quote', async () => {
    // Prepare
    const harness = new RotationHarness();
    const arn = harness.store.create(KEY_NAME, 'hunter2-not-json-secret-material');

    // Act
    const error = await rejection(harness.rotate(arn));

    // Assess
    expect(error.message).toContain('SecretShapeError');
    expect(`${harness.captured()}${error.message}`).not.toMatch(/hunter2/);
  });

  it('finishes a rotation even when the Secret Rotated event cannot be published', async () => {
    // Prepare
    const { harness, arn } = setUp();
    vi.spyOn(harness.publisher, 'publish').mockRejectedValue(new Error('bus unavailable'));

    // Act
    const token = await harness.rotate(arn);

    // Assess
    expectConverged(harness.store.stages(arn), token);
    expect(harness.logger.lines.some((l) => l.includes('could not publish a rotation event'))).toBe(true);
    expect(harness.tickets.tickets).toHaveLength(0);
  });

  it('still throws the scrubbed step error when the ticket cannot be filed', async () => {
    // Prepare
    const { harness, arn } = setUp();
    const token = harness.store.beginRotation(arn);
    harness.store.setRotationEnabled(arn, false);
    vi.spyOn(harness.tickets, 'file').mockRejectedValue(new Error('tracker down'));

    // Act
    const attempt = harness.runStep('createSecret', arn, token);

    // Assess
    await expect(attempt).rejects.toMatchObject({ errorClass: 'RotationNotEnabledError' });
    expect(harness.logger.lines.some((l) => l.includes('could not file the rotation ticket'))).toBe(true);
    expect(harness.publisher.ofType('Secret Rotation Failed')).toHaveLength(1);
  });

  it('reports a secret that config/ does not declare, by name', async () => {
    // Prepare
    const harness = new RotationHarness();
    const arn = harness.store.create('config/production/orders/unknown', INITIAL);

    // Act
    const attempt = harness.rotate(arn);

    // Assess
    await expect(attempt).rejects.toMatchObject({ errorClass: 'UnknownSecretError' });
    expect(harness.tickets.tickets[0]?.request.title).toBe(
      'Rotation of config/production/orders/unknown failed at createSecret',
    );
  });
});

describe('Class: Redactor', () => {
  it('scrubs remembered secrets and their JSON and SQL spellings, longest first', () => {
    // Prepare
    const redactor = new Redactor();
    redactor.addSecretValue(JSON.stringify({ username: 'app', password: `pa"ss'word` }), ['password']);
    redactor.add('abcd');
    redactor.add('abcdefgh');

    // Act
    const scrubbed = redactor.scrub(`pw pa"ss'word / pa\\"ss'word / pa"ss''word / abcdefgh abcd user app`);

    // Assess
    expect(scrubbed).toBe(`pw ${REDACTED} / ${REDACTED} / ${REDACTED} / ${REDACTED} ${REDACTED} user app`);
  });
});

describe('Function: secretNameFromId', () => {
  it('drops the ARN prefix and the six-character suffix', () => {
    // Act & Assess
    expect(
      secretNameFromId(
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:config/production/orders/db-AbCdEf',
      ),
    ).toBe('config/production/orders/db');
    expect(secretNameFromId('config/production/orders/db')).toBe('config/production/orders/db');
  });
});
