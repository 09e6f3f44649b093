/**
 * `random`: API keys and signing keys. The value is a JSON object whose field (from the secret's
 * `random` declaration) holds a string of the declared length and alphabet. Nothing outside Secrets
 * Manager holds the key (the service checks callers against the secret itself), so setSecret has
 * nothing to do, and testSecret checks the shape.
 */
import type { RandomSecretSpec } from '../../model.ts';
import { parseSecretJson } from '../postgres-secret.ts';
import { RotationTestFailedError, SecretShapeError, UnknownSecretError } from '../errors.ts';
import { isOfAlphabet, randomString } from '../random-string.ts';
import type { SecretRotationStrategy, StrategyContext } from './strategy.ts';

function specOf(context: StrategyContext): RandomSecretSpec {
  const spec = context.declared.definition.random;
  if (!spec) {
    throw new UnknownSecretError(
      `secret "${context.declared.name}" uses the random strategy but declares no random spec`,
    );
  }
  return spec;
}

function objectOf(raw: string, what: string): Record<string, unknown> {
  const parsed = parseSecretJson(raw, what);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SecretShapeError(`${what} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

export const randomStrategy: SecretRotationStrategy = {
  name: 'random',
  secretFields: (declared) => (declared.definition.random ? [declared.definition.random.field] : []),

  nextValue(current, context) {
    const spec = specOf(context);
    // Keep the other fields (a key id, a description) and replace the generated one.
    const base = current.trim() === '' ? {} : objectOf(current, 'the AWSCURRENT version');
    return JSON.stringify({ ...base, [spec.field]: randomString(spec.length, spec.alphabet) });
  },

  async setSecret() {},

  async testSecret(pending, context) {
    const spec = specOf(context);
    const value = objectOf(pending, 'the AWSPENDING version')[spec.field];
    if (typeof value !== 'string') {
      throw new RotationTestFailedError(`the AWSPENDING version has no string field "${spec.field}"`);
    }
    if (value.length !== spec.length) {
      throw new RotationTestFailedError(
        `field "${spec.field}" has ${value.length} characters, ${spec.length} declared`,
      );
    }
    if (!isOfAlphabet(value, spec.alphabet)) {
      throw new RotationTestFailedError(
        `field "${spec.field}" has characters outside the ${spec.alphabet} alphabet`,
      );
    }
  },
};
