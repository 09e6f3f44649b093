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
import { EventBridgeEventPublisher } from '../adapters/eventbridge-publisher.ts';
import { postgresTls } from '../adapters/postgres-tls.ts';
import { SecretsManagerSecretStore } from '../adapters/secrets-manager-secret-store.ts';
import { createTicketTracker } from '../adapters/tickets/create-ticket-tracker.ts';
import { METRICS_NAMESPACE, ROTATION_FAILED_METRIC } from '../core/names.ts';
import { SecretRotator } from '../core/rotation/rotate-secret.ts';
import { parseRotationEvent } from '../core/rotation/rotation-event.ts';
import { postgresAlternatingUsers, postgresSingleUser } from '../core/rotation/strategies/postgres.ts';
import { randomStrategy } from '../core/rotation/strategies/random.ts';
import { VersionCachingSecretStore } from '../core/rotation/version-cache.ts';
import { functionEnvironment } from '../core/runtime-settings.ts';
import { systemClock } from '../ports/clock.ts';
import { lazyPostgresDatabaseUsers } from '../runtime/lazy-postgres.ts';
import { loadRuntime } from '../runtime/runtime.ts';

const logger = new Logger();
const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
const { settings, registry } = loadRuntime(functionEnvironment('STEWARD_POSTGRES_SSL'));
const secretsManager = new SecretsManagerClient({});
const databaseUsers = lazyPostgresDatabaseUsers({ ssl: postgresTls(settings.STEWARD_POSTGRES_SSL) });

const rotator = new SecretRotator({
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
});

export const handler = middy<unknown, void, Error, Context>()
  .use(logMetrics(metrics))
  .handler(async (event) => {
    await rotator.runStep(parseRotationEvent(event));
  });
