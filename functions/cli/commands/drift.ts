/**
 * `steward drift [--env E] [--config DIR] [--json] [--file-tickets]`: the nightly drift run, locally,
 * against whatever endpoint `AWS_ENDPOINT_URL` names (region from `AWS_REGION`). Read-only unless
 * `--file-tickets`, which also reconciles tickets and publishes the `Config Drift Detected` event.
 * Exit code 0 when nothing was found, 1 when something was.
 */
import * as path from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { EventBridgeEventPublisher } from '../../adapters/eventbridge-publisher.ts';
import { FINGERPRINT_CLIENT_CONFIG, KmsValueFingerprinter } from '../../adapters/kms-value-fingerprinter.ts';
import { RateLimiter } from '../../adapters/rate-limiter.ts';
import { SecretsManagerInventory } from '../../adapters/secrets-manager-inventory.ts';
import { BULK_READ_CLIENT_CONFIG, SsmParameterStore } from '../../adapters/ssm-parameter-store.ts';
import { createTicketTracker } from '../../adapters/tickets/create-ticket-tracker.ts';
import { runDrift } from '../../core/drift/run.ts';
import { fingerprintKeyId } from '../../core/fingerprint.ts';
import { systemClock } from '../../ports/clock.ts';
import { parseCommandArgs } from '../arguments.ts';
import { loadDesiredRegistry } from '../desired-state.ts';
import type { CommandIo } from '../main.ts';

export async function drift(argv: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs({
    args: argv,
    options: {
      env: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      'file-tickets': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const { settings, registry } = await loadDesiredRegistry(
    path.resolve(values.config ?? 'config'),
    values.env,
  );
  let apiCalls = 0;
  const countCall = () => {
    apiCalls++;
  };
  const limiter = new RateLimiter({ requestsPerSecond: settings.drift.requestsPerSecond });
  const filing = values['file-tickets'] === true;
  const report = await runDrift(
    {
      registry,
      source: new SsmParameterStore(new SSMClient(BULK_READ_CLIENT_CONFIG), {
        limiter,
        onRequest: countCall,
      }),
      secrets: new SecretsManagerInventory(new SecretsManagerClient({}), { onRequest: countCall }),
      // The stack's key (STEWARD_FINGERPRINT_KEY, else its alias): fingerprints match the nightly job's.
      fingerprinter: new KmsValueFingerprinter(
        new KMSClient(FINGERPRINT_CLIENT_CONFIG),
        fingerprintKeyId(io.env, settings.eventBus.name),
        { onRequest: countCall },
      ),
      clock: systemClock,
      tracker: filing ? createTicketTracker(settings.tickets) : undefined,
      publisher: filing
        ? new EventBridgeEventPublisher(new EventBridgeClient({}), settings.eventBus.name)
        : undefined,
      apiCalls: () => apiCalls,
      elapsed: () => performance.now(),
    },
    { environments: values.env ? [values.env] : undefined },
  );

  if (values.json) {
    io.out(JSON.stringify(report, null, 2));
  } else {
    for (const finding of report.findings) {
      const values =
        finding.expected !== undefined || finding.actual !== undefined
          ? ` (expected ${show(finding.expected, finding.values)}, actual ${show(finding.actual, finding.values)})`
          : '';
      io.out(`${finding.kind.padEnd(16)} ${finding.parameter}: ${finding.detail}${values}`);
    }
    const counts = Object.entries(report.findingsByKind)
      .filter(([, n]) => n > 0)
      .map(([kind, n]) => `${kind} ${n}`)
      .join(', ');
    io.out(
      `steward drift: ${report.parametersScanned} parameters in ${report.environments.join(', ')}, ` +
        `${report.findings.length} findings${counts ? ` (${counts})` : ''}, ${report.apiCalls} API calls, ` +
        `${Math.round(report.durationMs)} ms` +
        (filing ? `; tickets: ${report.filed} filed, ${report.resolvedTickets.length} resolved` : ''),
    );
  }
  return report.findings.length > 0 ? 1 : 0;
}

function show(value: string | undefined, encoding: 'plain' | 'fingerprint' | undefined): string {
  if (value === undefined) return '(none)';
  // `hmac-sha256:` and 12 hex digits tell two values apart; the full fingerprint is in --json.
  return encoding === 'fingerprint' ? `${value.slice(0, 24)}…` : JSON.stringify(value);
}
