/**
 * Secrets Manager's rotation function: one step per invocation (createSecret, setSecret, testSecret,
 * finishSecret), for every secret declared in `config/`. A failed step publishes `Secret Rotation
 * Failed`, files a ticket, counts `RotationFailed` and throws, so Secrets Manager retries the rotation.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { EventBridgeEventPublisher } from '../adapters/eventbridge-publisher.ts';
import type { PostgresDatabaseUsersOptions } from '../adapters/postgres-database-users.ts';
import { SecretsManagerSecretStore } from '../adapters/secrets-manager-secret-store.ts';
import { createTicketTracker } from '../adapters/tickets/create-ticket-tracker.ts';
import { ConfigurationError, MalformedEventError } from '../core/errors.ts';
import { METRICS_NAMESPACE, ROTATION_FAILED_METRIC } from '../core/names.ts';
import { ROTATION_STEPS, type RotationRequest, SecretRotator } from '../core/rotation/rotate-secret.ts';
import { postgresAlternatingUsers, postgresSingleUser } from '../core/rotation/strategies/postgres.ts';
import { randomStrategy } from '../core/rotation/strategies/random.ts';
import { VersionCachingSecretStore } from '../core/rotation/version-cache.ts';
import { systemClock } from '../ports/clock.ts';
import { lazyPostgresDatabaseUsers } from './lazy-postgres.ts';
import { loadRuntime } from './runtime.ts';

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

/** `STEWARD_POSTGRES_SSL`: `verify-full` (default), `require` (encrypted, unverified) or `disable`. */
export function postgresTls(mode: string | undefined): PostgresDatabaseUsersOptions['ssl'] {
  switch (mode ?? 'verify-full') {
    case 'disable':
      return false;
    case 'require':
      return { rejectUnauthorized: false };
    case 'verify-full':
      return { rejectUnauthorized: true };
    default:
      throw new ConfigurationError(
        `STEWARD_POSTGRES_SSL must be verify-full, require or disable, not "${mode}"`,
      );
  }
}

export interface RotateSecretHandlerDependencies {
  readonly rotator: SecretRotator;
  readonly metrics: Metrics;
}

/**
 * @example
 * export const handler = createRotateSecretHandler({ rotator, metrics });
 */
export function createRotateSecretHandler(deps: RotateSecretHandlerDependencies) {
  return middy<unknown, void, Error, Context>()
    .use(logMetrics(deps.metrics))
    .handler(async (event) => {
      await deps.rotator.runStep(parseRotationEvent(event));
    });
}

const logger = new Logger();
const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
const { settings, registry } = loadRuntime();
const secretsManager = new SecretsManagerClient({});
const databaseUsers = lazyPostgresDatabaseUsers({ ssl: postgresTls(process.env.STEWARD_POSTGRES_SSL) });

export const handler = createRotateSecretHandler({
  metrics,
  rotator: new SecretRotator({
    store: new VersionCachingSecretStore(new SecretsManagerSecretStore(secretsManager), {
      clock: systemClock,
    }),
    strategies: {
      random: randomStrategy,
      'postgres-alternating-users': postgresAlternatingUsers(databaseUsers),
      'postgres-single-user': postgresSingleUser(databaseUsers),
    },
    publisher: new EventBridgeEventPublisher(new EventBridgeClient({}), settings.STEWARD_EVENT_BUS),
    tickets: createTicketTracker(settings.STEWARD_TICKETS, { secretsManager }),
    clock: systemClock,
    organisation: registry.organisation,
    parameterRoot: settings.STEWARD_PARAMETER_ROOT,
    environments: registry.environments,
    // Attributes only: the rotation logs names, versions and steps, never a value.
    logger: {
      info: (message, attributes) => logger.info(message, { ...attributes }),
      warn: (message, attributes) => logger.warn(message, { ...attributes }),
      error: (message, attributes) => logger.error(message, { ...attributes }),
    },
    onFailure: () => metrics.addMetric(ROTATION_FAILED_METRIC, MetricUnit.Count, 1),
  }),
});
