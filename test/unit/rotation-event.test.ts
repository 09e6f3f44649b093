import { describe, expect, it } from 'vitest';
import { MalformedEventError } from '../../functions/core/errors.ts';
import { parseRotationEvent } from '../../functions/core/rotation/rotation-event.ts';

describe('Function: parseRotationEvent', () => {
  it.each([
    ['createSecret', 'createSecret'],
    ['create_secret', 'createSecret'],
    ['setSecret', 'setSecret'],
    ['set_secret', 'setSecret'],
    ['testSecret', 'testSecret'],
    ['test_secret', 'testSecret'],
    ['finishSecret', 'finishSecret'],
    ['finish_secret', 'finishSecret'],
  ])('accepts %s', (step, expected) => {
    // Act
    const request = parseRotationEvent({
      Step: step,
      SecretId: 'arn',
      ClientRequestToken: 't',
      Extra: 1,
    });

    // Assess
    expect(request).toEqual({ step: expected, secretId: 'arn', token: 't' });
  });

  it('requires SecretId and ClientRequestToken', () => {
    // Act & Assess
    expect(() => parseRotationEvent({ Step: 'createSecret' })).toThrow(/SecretId.*ClientRequestToken/);
  });

  it('keeps the rotation token and refuses an unknown step by name', () => {
    // Act
    const request = parseRotationEvent({
      Step: 'finish_secret',
      SecretId: 'arn',
      ClientRequestToken: 't',
      RotationToken: 'rt',
    });

    // Assess
    expect(request).toEqual({ step: 'finishSecret', secretId: 'arn', token: 't', rotationToken: 'rt' });
    expect(() => parseRotationEvent({ Step: 'rotate', SecretId: 'x', ClientRequestToken: 't' })).toThrow(
      MalformedEventError,
    );
    expect(() => parseRotationEvent(undefined)).toThrow(/not a Secrets Manager rotation invocation/);
  });
});
