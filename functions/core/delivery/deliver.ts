/**
 * Deliver a service's composed document for one environment through AppConfig: compose it from the
 * values stored now, validate the whole document, store a hosted version, start a deployment.
 *
 * AppConfig runs one deployment per environment at a time. Decision: when another deployment is
 * running, wait and retry with backoff inside this invocation (bounded by the time left); if it is
 * still busy, report it as `busy` ({@link DeploymentInProgressError}) after the other services are
 * delivered, and validate-change, once it has published their events, throws it and defers the change
 * (core/validation/deferral.ts: the same event comes back 15 minutes later, up to 8 times), and
 * after that Lambda's retries and the function's failure queue keep it: the version is never
 * silently dropped. Judging again is safe because the change is labelled `last-known-good` only after
 * delivery, so the returning change is not mistaken for a duplicate. The document is composed from the
 * values stored at delivery time, so whichever delivery runs last ships the newest state.
 */

import type { ConfigDelivery } from '../../ports/config-delivery.ts';
import type { ParameterStore } from '../../ports/parameter-store.ts';
import { type StewardEvent, stewardEvent } from '../events.ts';
import { sha256 } from '../hash.ts';
import type { ValidationIssue } from '../keys.ts';
import { SHARED_SERVICE } from '../model.ts';
import type { SchemaRegistry } from '../registry.ts';
import { DeploymentInProgressError } from './errors.ts';
import type { AppConfigTargets } from './targets.ts';

/** What happened to one service's document. */
export type DeliveryReport =
  | {
      readonly service: string;
      readonly environment: string;
      readonly status: 'started';
      readonly configurationVersion: string;
      readonly deploymentNumber: number;
      /** True when another deployment was running and this one waited its turn. */
      readonly queued: boolean;
      readonly documentSha256: string;
    }
  | {
      readonly service: string;
      readonly environment: string;
      readonly status: 'invalid-document';
      readonly issues: readonly ValidationIssue[];
    }
  | {
      readonly service: string;
      readonly environment: string;
      /** The newest deployment already ships (or is shipping) this very document: nothing to do. */
      readonly status: 'unchanged';
      readonly deploymentNumber: number;
      readonly documentSha256: string;
    }
  | { readonly service: string; readonly environment: string; readonly status: 'not-configured' };

/** Deployment states in which a document counts as delivered or on its way (not rolled back). */
const DELIVERING_STATES = new Set(['VALIDATING', 'DEPLOYING', 'BAKING', 'COMPLETE']);

/**
 * The version label of a document: its hash, within AppConfig's 64 characters and never all digits.
 *
 * @example
 * documentVersionLabel(sha256(content)); // 'sha256-3f2a…' (64 characters)
 */
export function documentVersionLabel(documentSha256: string): string {
  return `sha256-${documentSha256}`.slice(0, 64);
}

export interface DeliveryDependencies {
  readonly registry: SchemaRegistry;
  readonly store: ParameterStore;
  readonly delivery: ConfigDelivery;
  readonly targets: AppConfigTargets;
  /** Waits between attempts while another deployment runs. @default [5s, 10s, 20s] */
  readonly busyRetryDelaysMs?: readonly number[];
  readonly sleep?: (ms: number) => Promise<void>;
  /** Milliseconds this invocation has left; waiting stops when the next wait would not fit. */
  readonly remainingTimeMs?: () => number;
}

const DEFAULT_BUSY_DELAYS_MS = [5_000, 10_000, 20_000];
/** Time kept back for the calls after a wait. */
const WAIT_MARGIN_MS = 5_000;

/**
 * The services whose documents a change of `service`'s key touches: a shared key is layered into
 * every service of the environment.
 */
export function affectedServices(registry: SchemaRegistry, service: string): string[] {
  return service === SHARED_SERVICE ? registry.serviceNames() : [service];
}

/**
 * Compose, validate and deploy the documents of `services` in `environment`. A service whose
 * environment stays busy does not stop the others: it comes back as `busy` (the first such error),
 * next to the reports and events of the rest, for the caller to publish before it throws.
 *
 * @example
 * const { reports, events, busy } = await deliverDocuments(['orders'], 'production', 'event-id', deps);
 */
export async function deliverDocuments(
  services: readonly string[],
  environment: string,
  triggeringEventId: string,
  deps: DeliveryDependencies,
): Promise<{ reports: DeliveryReport[]; events: StewardEvent[]; busy?: DeploymentInProgressError }> {
  const configured = services.filter((s) => deps.targets[s]?.environments[environment]);
  const reports: DeliveryReport[] = services
    .filter((s) => !configured.includes(s))
    .map((service) => ({ service, environment, status: 'not-configured' as const }));
  const events: StewardEvent[] = [];
  let busy: DeploymentInProgressError | undefined;
  if (configured.length === 0) return { reports, events };

  const shared = await readStrings(deps, environment, SHARED_SERVICE);
  for (const service of configured) {
    const own = await readStrings(deps, environment, service);
    const composed = deps.registry.compose(service, environment, (owner, key) =>
      (owner === SHARED_SERVICE ? shared : own).get(key),
    );
    if (!composed.ok) {
      reports.push({ service, environment, status: 'invalid-document', issues: composed.issues });
      continue;
    }
    let report: Awaited<ReturnType<typeof deploy>>;
    try {
      report = await deploy(service, environment, composed.document, triggeringEventId, deps);
    } catch (error) {
      if (!(error instanceof DeploymentInProgressError)) throw error;
      busy ??= error;
      continue;
    }
    reports.push(report);
    if (report.status !== 'started') continue;
    events.push(
      stewardEvent('Config Deployment Started', {
        service,
        environment,
        applicationId: deps.targets[service]!.applicationId,
        environmentId: deps.targets[service]!.environments[environment]!.environmentId,
        configurationProfileId: deps.targets[service]!.documentProfileId,
        configurationVersion: report.configurationVersion,
        deploymentNumber: report.deploymentNumber,
        queued: report.queued,
        documentSha256: report.documentSha256,
        triggeringEventId,
      }),
    );
  }
  return busy ? { reports, events, busy } : { reports, events };
}

/** The stored plain strings of one service's keys in an environment, by key. */
async function readStrings(
  deps: DeliveryDependencies,
  environment: string,
  service: string,
): Promise<Map<string, string>> {
  const prefix = `${deps.registry.parameterName(environment, service, '')}`;
  // Documents hold String keys only, so nothing is decrypted for delivery.
  const parameters = await deps.store.getByPath(prefix.replace(/\/$/, ''), { decrypt: false });
  return new Map(
    parameters
      .filter((p) => p.type === 'String' && p.name.startsWith(prefix))
      .map((p) => [p.name.slice(prefix.length), p.value]),
  );
}

async function deploy(
  service: string,
  environment: string,
  document: Record<string, unknown>,
  triggeringEventId: string,
  deps: DeliveryDependencies,
): Promise<Extract<DeliveryReport, { status: 'started' | 'unchanged' }>> {
  const target = deps.targets[service]!;
  const env = target.environments[environment]!;
  const content = JSON.stringify(document);
  const documentSha256 = sha256(content);
  const versionLabel = documentVersionLabel(documentSha256);
  // A change that comes back (a deferral, a retry) or a second change composing the same document
  // finds it already shipped: no second hosted version, no second half-hour rollout.
  const latest = await deps.delivery.latestDeployment({
    applicationId: target.applicationId,
    environmentId: env.environmentId,
    configurationProfileId: target.documentProfileId,
  });
  if (latest?.versionLabel === versionLabel && DELIVERING_STATES.has(latest.state)) {
    return {
      service,
      environment,
      status: 'unchanged',
      deploymentNumber: latest.deploymentNumber,
      documentSha256,
    };
  }
  const description = `config-steward ${environment}/${service} sha256=${documentSha256} event=${triggeringEventId}`;
  const configurationVersion = await deps.delivery.ensureHostedVersion({
    applicationId: target.applicationId,
    configurationProfileId: target.documentProfileId,
    content,
    contentType: 'application/json',
    description: description.slice(0, 1024),
    versionLabel,
  });
  const delays = deps.busyRetryDelaysMs ?? DEFAULT_BUSY_DELAYS_MS;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let queued = false;
  for (let attempt = 0; ; attempt++) {
    const start = await deps.delivery.startDeployment({
      applicationId: target.applicationId,
      environmentId: env.environmentId,
      configurationProfileId: target.documentProfileId,
      configurationVersion,
      deploymentStrategyId: env.deploymentStrategyId,
      description: description.slice(0, 1024),
    });
    if (start.status === 'started') {
      return {
        service,
        environment,
        status: 'started',
        configurationVersion,
        deploymentNumber: start.deploymentNumber,
        queued,
        documentSha256,
      };
    }
    queued = true;
    const delay = delays[attempt];
    const remaining = deps.remainingTimeMs?.() ?? Number.POSITIVE_INFINITY;
    if (delay === undefined || delay + WAIT_MARGIN_MS > remaining) {
      throw new DeploymentInProgressError(
        service,
        environment,
        configurationVersion,
        start.runningDeploymentNumber,
      );
    }
    await sleep(delay);
  }
}
