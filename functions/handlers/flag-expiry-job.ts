/**
 * The nightly flag-expiry job (EventBridge Scheduler): reads every service's hosted flag definitions
 * through AppConfig's control plane and the consumers' evaluation counts through CloudWatch, files one
 * cleanup ticket per flag that needs it, publishes `Feature Flag Expired` events and flag counts and
 * ages as EMF metrics.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { AppConfigClient } from '@aws-sdk/client-appconfig';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import middy from '@middy/core';
import * as z from 'zod/mini';
import { AppConfigFlagSource } from '../adapters/appconfig-flag-source.ts';
import { CloudWatchFlagUsageReader } from '../adapters/cloudwatch-flag-usage-reader.ts';
import { EventBridgeEventPublisher } from '../adapters/eventbridge-publisher.ts';
import { PowertoolsMetricsSink } from '../adapters/powertools-metrics-sink.ts';
import { createTicketTracker } from '../adapters/tickets/create-ticket-tracker.ts';
import { flagProfileRefs } from '../core/appconfig-targets.ts';
import { runFlagExpiryJob } from '../core/flags/expiry-job.ts';
import { functionEnvironment, parseFunctionEnvironment } from '../core/runtime-settings.ts';
import { systemClock } from '../ports/clock.ts';
import { stackTargets } from '../runtime/stack-targets.ts';

const logger = new Logger();
const metrics = new Metrics();
// Settings only: this job reads hosted flag documents, not the desired state, so no registry is built.
const settings = parseFunctionEnvironment(
  functionEnvironment(
    'STEWARD_APPCONFIG',
    'STEWARD_APPCONFIG_TARGETS_PATH',
    'STEWARD_FLAG_CODE_REFERENCES',
    'STEWARD_FLAG_USAGE_DAYS',
  ),
  process.env,
);
// The job cannot work without the ids: neither the JSON nor the path stops the cold start.
const targets = stackTargets(settings);
const source = new AppConfigFlagSource(new AppConfigClient({}));
const usage = new CloudWatchFlagUsageReader(new CloudWatchClient({}));
const publisher = new EventBridgeEventPublisher(new EventBridgeClient({}), settings.STEWARD_EVENT_BUS);
const tracker = createTicketTracker(settings.STEWARD_TICKETS);

// The schedule's payload carries nothing the job depends on.
const scheduledEvent = z.unknown();

async function flagExpiry(raw: unknown) {
  scheduledEvent.parse(raw);
  const report = await runFlagExpiryJob(
    { source, tracker, publisher, clock: systemClock, metrics: new PowertoolsMetricsSink(metrics), usage },
    {
      targets: flagProfileRefs(await targets.appConfig()),
      warnWithinDays: settings.STEWARD_FLAG_WARN_DAYS,
      codeReferences: settings.STEWARD_FLAG_CODE_REFERENCES,
      usageWindowDays: settings.STEWARD_FLAG_USAGE_DAYS,
    },
  );
  logger.info('flag-expiry job done', {
    today: report.today,
    services: report.services.length,
    flagsWithFindings: report.findings.length,
    ticketsCreated: report.ticketsCreated,
    ticketsResolved: report.resolvedTickets.length,
  });
  return {
    today: report.today,
    findings: report.findings.map((f) => ({
      service: f.service,
      flag: f.flag,
      reasons: f.assessment.findings.map((x) => x.reason),
    })),
    ticketsCreated: report.ticketsCreated,
    ticketsResolved: report.resolvedTickets.length,
  };
}

export const handler = middy().use(logMetrics(metrics)).handler(flagExpiry);
