/** The invocation Secrets Manager sends a rotation function, read into a {@link RotationRequest}. */
import * as z from 'zod/mini';
import { MalformedEventError } from '../errors.ts';
import { ROTATION_STEPS, type RotationRequest } from './rotate-secret.ts';

/** AWS documents the steps in camelCase and, on some pages, snake_case; both arrive. */
const STEP_ALIASES: Readonly<Record<string, (typeof ROTATION_STEPS)[number]>> = Object.fromEntries(
  ROTATION_STEPS.flatMap((step) => [
    [step, step],
    [step.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), step],
  ]),
);

const nonEmpty = z.string().check(z.minLength(1));

export const rotationEventSchema = z.looseObject({
  Step: z.pipe(
    z.string(),
    z.transform((step: string, ctx) => {
      const normalised = STEP_ALIASES[step];
      if (!normalised) {
        ctx.issues.push({
          code: 'custom',
          message: `unknown step "${step}" (expected ${ROTATION_STEPS.join(', ')})`,
          input: step,
        });
        return z.NEVER;
      }
      return normalised;
    }),
  ),
  SecretId: nonEmpty,
  ClientRequestToken: nonEmpty,
  RotationToken: z.optional(nonEmpty),
});

/**
 * @example
 * parseRotationEvent({ Step: 'create_secret', SecretId: arn, ClientRequestToken: token });
 * // { step: 'createSecret', secretId: arn, token }
 */
export function parseRotationEvent(event: unknown): RotationRequest {
  const parsed = rotationEventSchema.safeParse(event);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new MalformedEventError(`not a Secrets Manager rotation invocation: ${problems}`);
  }
  const { Step, SecretId, ClientRequestToken, RotationToken } = parsed.data;
  return {
    step: Step,
    secretId: SecretId,
    token: ClientRequestToken,
    ...(RotationToken ? { rotationToken: RotationToken } : {}),
  };
}
