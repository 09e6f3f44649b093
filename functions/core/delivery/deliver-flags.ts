/**
 * Deliver one service's flags document for one environment through AppConfig, on behalf of every
 * flags request queued for that (service, environment). The document is built from the bundled
 * `config/` with `serviceFlagsDocument`, the builder the drift run and `steward plan` use, so nothing
 * is read from Parameter Store. It shares the document's message group and environment, and takes
 * the document path's decisions (deliver.ts), in the order that fits a document built without a read:
 * - the flags profile's newest deployment already ships this content (same hash label), not rolled
 *   back: **unchanged**, even while another deployment runs (nothing would ship anyway);
 * - any deployment runs in the environment (the document's rollout, say), or the flags' last one
 *   started less than the interval ago: **wait** in the queue;
 * - else the hosted version with this label (created if none) is deployed with the environment's
 *   strategy; `busy` on start waits too.
 */
import type { StewardEvent } from '../events.ts';
import { serviceFlagsDocument } from '../flags/profile-document.ts';
import { sha256 } from '../hash.ts';
import {
  type DeliveryDemand,
  type DeliveryDependencies,
  type DeliveryReport,
  documentVersionLabel,
  serves,
  shipVersion,
  waitFor,
} from './deliver.ts';

/** What happened to one service's flags: the document's outcomes a flags document can have. */
export type FlagsDeliveryReport = Extract<
  DeliveryReport,
  { status: 'started' | 'unchanged' | 'wait' | 'not-configured' }
> & { readonly profile: 'flags' };

/**
 * Deliver the flags of one (service, environment) once for all its queued requests.
 *
 * @example
 * const { report, events } = await deliverFlags(demand, deps);
 * if (report.status === 'wait') retryLater(records);
 */
export async function deliverFlags(
  demand: DeliveryDemand,
  deps: Pick<DeliveryDependencies, 'registry' | 'delivery' | 'targets' | 'clock' | 'minIntervalMs'>,
): Promise<{ report: FlagsDeliveryReport; events: StewardEvent[] }> {
  const { service, environment } = demand;
  const base = { service, environment, profile: 'flags' as const };
  const target = deps.targets[service];
  const env = target?.environments[environment];
  if (!target || !env) return { report: { ...base, status: 'not-configured' }, events: [] };
  const profile = {
    applicationId: target.applicationId,
    environmentId: env.environmentId,
    configurationProfileId: target.flagsProfileId,
  };

  const state = await deps.delivery.environmentState(profile);
  const content = JSON.stringify(serviceFlagsDocument(deps.registry.service(service), environment));
  const contentSha256 = sha256(content);
  if (serves(state.latest, documentVersionLabel(contentSha256))) {
    return {
      report: { ...base, status: 'unchanged', deploymentNumber: state.latest.deploymentNumber },
      events: [],
    };
  }
  const wait = waitFor(state, deps);
  if (wait) return { report: { ...base, status: 'wait', ...wait }, events: [] };

  // Overrides are parameters, never flags: the environment's strategy always applies.
  const { report, events } = await shipVersion(demand, deps, {
    profile,
    content,
    contentSha256,
    strategyId: async () => env.deploymentStrategyId,
  });
  return { report: { ...report, profile: 'flags' }, events };
}
