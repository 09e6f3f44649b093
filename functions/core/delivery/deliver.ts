/**
 * Deliver one service's composed document for one environment through AppConfig, on behalf of every
 * deliver request queued for that (service, environment): compose it from the values stored now (one
 * read of the `shared` and service paths), validate it whole, store a hosted version, start a
 * deployment. Requests of one (service, environment) share a FIFO message group, so two deliveries of
 * it never run at once, and the document composed last is the newest state.
 *
 * Decisions that keep a burst cheap (README "Queued, coalesced, rate-bounded"):
 * - A deployment of ours that AppConfig started more than {@link DELIVERY_TIMEOUT_SECONDS} after the
 *   newest request was queued was composed after that request's change was stored: the requests are
 *   **covered**, and nothing is read.
 * - While any deployment runs in the environment (AppConfig allows one at a time), or ours started
 *   less than the retry interval ago, the requests **wait** in the queue and nothing is read; when the
 *   environment frees up, the first delivery composes the newest document.
 * - A document AppConfig already ships (same hash label) is **unchanged**: no second hosted version,
 *   no second rollout.
 */

import type { Clock } from '../../ports/clock.ts';
import type { ConfigDelivery, EnvironmentState, LatestDeployment } from '../../ports/config-delivery.ts';
import type { ParameterStore } from '../../ports/parameter-store.ts';
import { type StewardEvent, stewardEvent } from '../events.ts';
import { sha256 } from '../hash.ts';
import type { ValidationIssue } from '../keys.ts';
import { SHARED_SERVICE } from '../model.ts';
import type { SchemaRegistry } from '../registry.ts';
import type { AppConfigTargets } from '../appconfig-targets.ts';
import type { OverrideStore } from '../../ports/override-store.ts';
import { needsImmediateDelivery, OVERRIDE_DEPLOYMENT_STRATEGY_ID } from '../override.ts';

/**
 * The delivery function's timeout: the longest one delivery can take from its read to its deployment,
 * so a deployment started later than this after a request was queued read what the request wrote.
 */
export const DELIVERY_TIMEOUT_SECONDS = 180;

/** What happened to one service's document. */
export type DeliveryReport =
  | {
      readonly service: string;
      readonly environment: string;
      readonly status: 'started';
      readonly configurationVersion: string;
      readonly deploymentNumber: number;
      /** True when the requests waited for a busy environment before this deployment. */
      readonly queued: boolean;
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
    }
  | {
      readonly service: string;
      readonly environment: string;
      /** A deployment composed after the requests were queued already ships what they asked for. */
      readonly status: 'covered';
      readonly deploymentNumber: number;
    }
  | {
      readonly service: string;
      readonly environment: string;
      /** Not now: the environment runs a deployment, or ours started less than the retry interval ago. */
      readonly status: 'wait';
      readonly reason: 'busy' | 'recently-deployed';
      readonly runningDeploymentNumber?: number;
    }
  | { readonly service: string; readonly environment: string; readonly status: 'not-configured' };

/** Deployment states in which a document counts as delivered or on its way (not rolled back). */
const DELIVERING_STATES = new Set(['VALIDATING', 'DEPLOYING', 'BAKING', 'COMPLETE']);
const LABEL_PREFIX = 'sha256-';

/**
 * The version label of a document: its hash, within AppConfig's 64 characters and never all digits.
 *
 * @example
 * documentVersionLabel(sha256(content)); // 'sha256-3f2a…' (64 characters)
 */
export function documentVersionLabel(documentSha256: string): string {
  return `${LABEL_PREFIX}${documentSha256}`.slice(0, 64);
}

export interface DeliveryDependencies {
  readonly registry: SchemaRegistry;
  readonly store: ParameterStore;
  readonly delivery: ConfigDelivery;
  readonly targets: AppConfigTargets;
  readonly clock: Clock;
  /** The least time between two deliveries of one (service, environment). @default 60 s */
  readonly minIntervalMs?: number;
  /**
   * Where break-glass overrides are recorded: a document holding one not yet deployed ships all at
   * once instead of with the environment's strategy. Without it every delivery uses that strategy.
   */
  readonly overrides?: Pick<OverrideStore, 'overridesUnder'>;
}

/** The deliver requests of one (service, environment), as the queue hands them over. */
export interface DeliveryDemand {
  readonly service: string;
  readonly environment: string;
  readonly triggeringEventIds: readonly string[];
  /** When the newest of the requests was queued. */
  readonly newestQueuedAt: Date;
  /** True when one of them has been tried before (it waited for a busy environment). */
  readonly retried: boolean;
}

/**
 * Deliver the document of one (service, environment) once for all its queued requests.
 *
 * @example
 * const { report, events } = await deliverDocument(demand, deps);
 * if (report.status === 'wait') retryLater(records);
 */
export async function deliverDocument(
  demand: DeliveryDemand,
  deps: DeliveryDependencies,
): Promise<{ report: DeliveryReport; events: StewardEvent[] }> {
  const { service, environment } = demand;
  const target = deps.targets[service];
  const env = target?.environments[environment];
  if (!target || !env) return { report: { service, environment, status: 'not-configured' }, events: [] };
  const profile = {
    applicationId: target.applicationId,
    environmentId: env.environmentId,
    configurationProfileId: target.documentProfileId,
  };

  // One ListDeployments, no Parameter Store read, decides whether to compose at all.
  const { latest, runningDeploymentNumber } = await deps.delivery.environmentState(profile);
  if (latest && ours(latest) && composedAfter(latest, demand.newestQueuedAt)) {
    return {
      report: { service, environment, status: 'covered', deploymentNumber: latest.deploymentNumber },
      events: [],
    };
  }
  const wait = waitFor({ latest, runningDeploymentNumber }, deps);
  if (wait) return { report: { service, environment, status: 'wait', ...wait }, events: [] };

  const shared = await readStrings(deps, environment, SHARED_SERVICE);
  const own = await readStrings(deps, environment, service);
  const composed = deps.registry.compose(service, environment, (owner, key) =>
    (owner === SHARED_SERVICE ? shared : own).get(key),
  );
  if (!composed.ok) {
    return {
      report: { service, environment, status: 'invalid-document', issues: composed.issues },
      events: [],
    };
  }
  const content = JSON.stringify(composed.document);
  const documentSha256 = sha256(content);
  const versionLabel = documentVersionLabel(documentSha256);
  if (serves(latest, versionLabel)) {
    return {
      report: {
        service,
        environment,
        status: 'unchanged',
        deploymentNumber: latest.deploymentNumber,
      },
      events: [],
    };
  }
  return shipVersion(demand, deps, {
    profile,
    content,
    contentSha256: documentSha256,
    strategyId: () => strategyFor(deps, environment, service, env.deploymentStrategyId, latest),
  });
}

/**
 * Why a delivery into this environment must wait now, if it must: a deployment runs there (AppConfig
 * allows one at a time, across profiles), or the profile's last one started less than the interval
 * ago (a burst on a fast environment, staging deploys at once, ships one version a minute, not one a
 * batch). Undefined when it may start.
 */
export function waitFor(
  state: EnvironmentState,
  deps: Pick<DeliveryDependencies, 'clock' | 'minIntervalMs'>,
): { readonly reason: 'busy' | 'recently-deployed'; readonly runningDeploymentNumber?: number } | undefined {
  const { latest, runningDeploymentNumber } = state;
  if (runningDeploymentNumber !== undefined) return { reason: 'busy', runningDeploymentNumber };
  const minIntervalMs = deps.minIntervalMs ?? 60_000;
  if (latest?.startedAt && deps.clock.now().getTime() - latest.startedAt.getTime() < minIntervalMs) {
    return { reason: 'recently-deployed' };
  }
  return undefined;
}

/** The profile's newest deployment ships (or is shipping) the version with this label, not rolled back. */
export function serves(
  latest: LatestDeployment | undefined,
  versionLabel: string,
): latest is LatestDeployment {
  return latest?.versionLabel === versionLabel && DELIVERING_STATES.has(latest.state);
}

/**
 * Store the content as a hosted version (reused when one carries its label) and start its deployment;
 * `wait` when AppConfig refuses the start because another deployment runs there now. The started
 * deployment is announced with `Config Deployment Started`.
 */
export async function shipVersion(
  demand: DeliveryDemand,
  deps: Pick<DeliveryDependencies, 'delivery'>,
  version: {
    readonly profile: {
      readonly applicationId: string;
      readonly environmentId: string;
      readonly configurationProfileId: string;
    };
    readonly content: string;
    readonly contentSha256: string;
    /** Asked once the version is stored. */
    readonly strategyId: () => Promise<string>;
  },
): Promise<{ report: Extract<DeliveryReport, { status: 'started' | 'wait' }>; events: StewardEvent[] }> {
  const { service, environment } = demand;
  const { profile } = version;
  const description = describe(demand, version.contentSha256);
  const configurationVersion = await deps.delivery.ensureHostedVersion({
    applicationId: profile.applicationId,
    configurationProfileId: profile.configurationProfileId,
    content: version.content,
    contentType: 'application/json',
    description,
    versionLabel: documentVersionLabel(version.contentSha256),
  });
  const start = await deps.delivery.startDeployment({
    ...profile,
    configurationVersion,
    deploymentStrategyId: await version.strategyId(),
    description,
  });
  if (start.status === 'busy') {
    // Another deployment (the other profile's, or one started by hand) started since the listing:
    // wait as for any busy one.
    return {
      report: {
        service,
        environment,
        status: 'wait',
        reason: 'busy',
        runningDeploymentNumber: start.runningDeploymentNumber,
      },
      events: [],
    };
  }
  const report = {
    service,
    environment,
    status: 'started' as const,
    configurationVersion,
    deploymentNumber: start.deploymentNumber,
    queued: demand.retried,
  };
  // The event names the hosted version, not the document's hash: the document holds `sensitive` and
  // credential-like plain values, and a reader who knows the rest of it (defaults, Accepted events)
  // could test guesses of one against a plain hash. A version is reused for equal content, so
  // (configurationProfileId, configurationVersion) still tells whether two deployments ship the same.
  const event = stewardEvent('Config Deployment Started', {
    service,
    environment,
    applicationId: profile.applicationId,
    environmentId: profile.environmentId,
    configurationProfileId: profile.configurationProfileId,
    configurationVersion,
    deploymentNumber: start.deploymentNumber,
    queued: demand.retried,
    triggeringEventIds: [...demand.triggeringEventIds],
  });
  return { report, events: [event] };
}

/** The environment's strategy, or all at once for a document holding an override not yet deployed. */
async function strategyFor(
  deps: DeliveryDependencies,
  environment: string,
  service: string,
  environmentStrategyId: string,
  latest: LatestDeployment | undefined,
): Promise<string> {
  const { overrides } = deps;
  if (!overrides) return environmentStrategyId;
  // The document composes the shared keys and the service's own: both paths, read at once.
  const records = (
    await Promise.all(
      [SHARED_SERVICE, service].map((owner) =>
        overrides.overridesUnder(deps.registry.parameterName(environment, owner, '')),
      ),
    )
  ).flat();
  return needsImmediateDelivery(records, deps.clock.now(), latest?.startedAt)
    ? OVERRIDE_DEPLOYMENT_STRATEGY_ID
    : environmentStrategyId;
}

/** A deployment this pipeline started (its label is a document hash), still delivering. */
function ours(latest: LatestDeployment): boolean {
  return Boolean(latest.versionLabel?.startsWith(LABEL_PREFIX)) && DELIVERING_STATES.has(latest.state);
}

/** Started so long after `queuedAt` that the delivery which started it read the store after it. */
function composedAfter(latest: LatestDeployment, queuedAt: Date): boolean {
  return (
    latest.startedAt !== undefined &&
    latest.startedAt.getTime() - DELIVERY_TIMEOUT_SECONDS * 1000 > queuedAt.getTime()
  );
}

function describe(demand: DeliveryDemand, contentSha256: string): string {
  const [first, ...rest] = demand.triggeringEventIds;
  const events = first ? ` event=${first}${rest.length > 0 ? ` (+${rest.length})` : ''}` : '';
  return `config-steward ${demand.environment}/${demand.service} sha256=${contentSha256}${events}`.slice(
    0,
    1024,
  );
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
