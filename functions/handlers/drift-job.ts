/**
 * The nightly drift job (EventBridge Scheduler): compares Parameter Store and the managed secrets with
 * the desired state in `config/` and between environments, files one ticket per finding, resolves the
 * tickets of findings that disappeared, and publishes one `Config Drift Detected` event. The schedule's
 * payload is ignored.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { EventBridgeEventPublisher } from '../adapters/eventbridge-publisher.ts';
import { FINGERPRINT_CLIENT_CONFIG, KmsValueFingerprinter } from '../adapters/kms-value-fingerprinter.ts';
import { RateLimiter } from '../adapters/rate-limiter.ts';
import { SecretsManagerInventory } from '../adapters/secrets-manager-inventory.ts';
import { BULK_READ_CLIENT_CONFIG, parameterArn, SsmParameterStore } from '../adapters/ssm-parameter-store.ts';
import { createTicketTracker } from '../adapters/tickets/create-ticket-tracker.ts';
import type { DriftMetricsSink } from '../ports/drift.ts';
import { runDrift } from '../core/drift/run.ts';
import { fingerprintKeyId } from '../core/fingerprint.ts';
import { systemClock } from '../ports/clock.ts';
import { loadRuntime } from './runtime.ts';

const logger = new Logger();
const metrics = new Metrics();
const { settings, registry } = loadRuntime();
let apiCalls = 0;
const countCall = () => {
  apiCalls++;
};
// One bucket for every Parameter Store read: they share the account's GetParameter* throughput.
const limiter = new RateLimiter({ requestsPerSecond: settings.STEWARD_DRIFT_RPS });
const source = new SsmParameterStore(new SSMClient(BULK_READ_CLIENT_CONFIG), {
  limiter,
  onRequest: countCall,
});
const secrets = new SecretsManagerInventory(
  new SecretsManagerClient({ maxAttempts: 8, retryMode: 'adaptive' }),
  {
    onRequest: countCall,
  },
);
const fingerprinter = new KmsValueFingerprinter(
  new KMSClient(FINGERPRINT_CLIENT_CONFIG),
  fingerprintKeyId(process.env, settings.STEWARD_EVENT_BUS),
  { onRequest: countCall },
);
const tracker = createTicketTracker(settings.STEWARD_TICKETS);
const publisher = new EventBridgeEventPublisher(new EventBridgeClient({}), settings.STEWARD_EVENT_BUS);

/** Findings per kind as one EMF point per kind (dimension `Kind`); totals with the invocation's metrics. */
export const emfDriftMetrics = (target: Metrics): DriftMetricsSink => ({
  record({ name, value, unit, dimensions }) {
    const metricUnit = unit === 'Milliseconds' ? MetricUnit.Milliseconds : MetricUnit.Count;
    if (!dimensions?.kind) {
      target.addMetric(name, metricUnit, value);
      return;
    }
    const single = target.singleMetric();
    single.addDimension('Kind', dimensions.kind);
    single.addMetric(name, metricUnit, value);
  },
});

// The schedule's payload carries nothing the job depends on.
const scheduledEvent = z.unknown();

async function driftJob(raw: unknown, context: Context) {
  scheduledEvent.parse(raw);
  // Region and account from the function's own ARN: no STS call needed for the parameter ARNs.
  const [, partition = 'aws', , region = '', account = ''] = context.invokedFunctionArn.split(':');
  const startCalls = apiCalls;
  const report = await runDrift({
    registry,
    source,
    secrets,
    tracker,
    publisher,
    fingerprinter,
    clock: systemClock,
    metrics: emfDriftMetrics(metrics),
    apiCalls: () => apiCalls - startCalls,
    parameterArn: (name) => parameterArn(name, region, account, partition),
    elapsed: () => performance.now(),
  });
  logger.info('drift run done', {
    runId: report.runId,
    environments: report.environments,
    parametersScanned: report.parametersScanned,
    findingsByKind: report.findingsByKind,
    ticketsFiled: report.filed,
    ticketsResolved: report.resolvedTickets.length,
    ticketsDeferred: report.deferred,
    apiCalls: report.apiCalls,
    durationMs: report.durationMs,
  });
  return {
    runId: report.runId,
    parametersScanned: report.parametersScanned,
    findingsByKind: report.findingsByKind,
    tickets: report.tickets,
    resolvedTickets: report.resolvedTickets,
  };
}

export const handler = middy<unknown, unknown, Error, Context>().use(logMetrics(metrics)).handler(driftJob);
