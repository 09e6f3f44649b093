/**
 * One step of the nightly drift run (a Step Functions loop started by EventBridge Scheduler; see
 * lib/constructs/drift-run.ts): starts a run when the input carries no checkpoint, else continues
 * it; checks units of the desired state against Parameter Store and the managed secrets until the
 * invocation's remaining time leaves only a margin, files and resolves tickets, and returns the
 * checkpoint; with the stack's AppConfig ids (runtime/stack-targets.ts) it also compares the flags each
 * environment serves with config/ (core/drift/flag-drift.ts). Once the run is done the state machine invokes it once more with `publish: true`, to
 * publish the run's one `Config Drift Detected` event and its metrics from the final checkpoint.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
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
import { BULK_READ_CLIENT_CONFIG, parameterArn } from '../adapters/ssm-parameter-store.ts';
import { SsmParameterStoreWithOverrides } from '../adapters/ssm-override-store.ts';
import { PowertoolsMetricsSink } from '../adapters/powertools-metrics-sink.ts';
import { createTicketTracker } from '../adapters/tickets/create-ticket-tracker.ts';
import type { DriftDependencies } from '../core/drift/run.ts';
import {
  type DriftCheckpoint,
  DriftCheckpointError,
  parseCheckpoint,
  publishDriftRun,
  runDriftStep,
} from '../core/drift/step.ts';
import { fingerprintKeyId } from '../core/fingerprint.ts';
import { functionEnvironment } from '../core/runtime-settings.ts';
import { systemClock } from '../ports/clock.ts';
import { lazyDeployedFlagSource } from '../runtime/lazy-deployed-flags.ts';
import { killSwitchDriftReader } from '../runtime/kill-switch-drift-source.ts';
import { loadRuntime } from '../runtime/runtime.ts';
import { stackTargets } from '../runtime/stack-targets.ts';

const logger = new Logger();
const metrics = new Metrics();
const { settings, registry } = loadRuntime(
  functionEnvironment(
    'STEWARD_FINGERPRINT_KEY',
    'STEWARD_APPCONFIG',
    'STEWARD_KILL_SWITCHES',
    'STEWARD_APPCONFIG_TARGETS_PATH',
  ),
);
let apiCalls = 0;
const countCall = () => {
  apiCalls++;
};
// One bucket for every Parameter Store read: they share the account's GetParameter* throughput.
const limiter = new RateLimiter({ requestsPerSecond: settings.STEWARD_DRIFT_RPS });
const source = new SsmParameterStoreWithOverrides(new SSMClient(BULK_READ_CLIENT_CONFIG), {
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
  fingerprintKeyId(settings, settings.STEWARD_EVENT_BUS),
  { onRequest: countCall },
);
const tracker = createTicketTracker(settings.STEWARD_TICKETS);
const publisher = new EventBridgeEventPublisher(new EventBridgeClient({}), settings.STEWARD_EVENT_BUS);
// The served flags of every service are compared with config/ when the stack passed the AppConfig
// ids, and kill switches past their `until` reported when it passed theirs; read once per container,
// counted and rate-limited like the sweep's own reads.
const targets = stackTargets(settings, { whenAbsent: 'empty', store: async () => source });
const flagSource = lazyDeployedFlagSource();
const killSwitchReader = killSwitchDriftReader();

// The first step gets the schedule's payload (ignored); the next ones the previous step's output;
// the state machine's publish state sends the final checkpoint with `publish: true`.
const stepInput = z.object({ checkpoint: z.optional(z.unknown()), publish: z.optional(z.boolean()) });

/**
 * Kept free at the end of each invocation: the last unit's ticket filing (up to a page of new tickets,
 * which the time estimate, made from Parameter Store requests only, leaves out), the event, the metrics.
 */
const STEP_MARGIN_MS = 120_000;

async function driftStep(raw: unknown, context: Context) {
  const input = stepInput.parse(raw);
  const checkpoint = input.checkpoint === undefined ? undefined : parseCheckpoint(input.checkpoint);
  if (input.publish === true) return publishRun(checkpoint, context);
  const step = await runDriftStep(await dependencies(context), checkpoint, {
    remainingMs: () => context.getRemainingTimeInMillis(),
    marginMs: STEP_MARGIN_MS,
    requestsPerSecond: settings.STEWARD_DRIFT_RPS,
  });
  const state = step.checkpoint;
  logger.info(state.done ? 'drift run checked, to be published' : 'drift step done, run continues', {
    runId: state.runId,
    step: state.steps,
    unitsChecked: state.nextUnit,
    units: state.units,
    parametersScanned: state.parametersScanned,
    findingsByKind: state.findingsByKind,
    ticketsFiled: state.filed,
    ticketsResolved: state.resolvedTickets,
    ticketsDeferred: state.deferred,
    apiCalls: state.apiCalls,
  });
  return { checkpoint: state, done: state.done };
}

async function publishRun(checkpoint: DriftCheckpoint | undefined, context: Context) {
  if (checkpoint === undefined) throw new DriftCheckpointError('publish: true needs the final checkpoint');
  await publishDriftRun(await dependencies(context), checkpoint);
  logger.info('drift run published', { runId: checkpoint.runId, steps: checkpoint.steps });
  return { checkpoint, done: true };
}

/** The core's dependencies for one invocation; API calls are counted from its start. */
async function dependencies(context: Context): Promise<DriftDependencies> {
  // Region and account from the function's own ARN: no STS call needed for the parameter ARNs.
  const [, partition = 'aws', , region = '', account = ''] = context.invokedFunctionArn.split(':');
  const startCalls = apiCalls;
  const appConfigTargets = await targets.appConfig();
  const killSwitchTargets = await targets.killSwitches();
  const flags =
    Object.keys(appConfigTargets).length > 0 ? { source: flagSource, targets: appConfigTargets } : undefined;
  return {
    registry,
    source,
    secrets,
    tracker,
    publisher,
    fingerprinter,
    ...(killSwitchTargets ? { killSwitches: { targets: killSwitchTargets, reader: killSwitchReader } } : {}),
    clock: systemClock,
    metrics: new PowertoolsMetricsSink(metrics),
    apiCalls: () => apiCalls - startCalls,
    parameterArn: (name) => parameterArn(name, region, account, partition),
    flags,
  };
}

export const handler = middy<unknown, unknown, Error, Context>().use(logMetrics(metrics)).handler(driftStep);
