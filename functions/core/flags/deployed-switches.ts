/**
 * What a kill-switch environment serves: the switches document of its served deployment of the
 * kill-switch profile (the newest COMPLETE or BAKING one, never a rolled-back or reverted one), and
 * whether a deployment runs there now. One read for `steward kill` (which flips on top of it) and for
 * the nightly drift run (which reports switches past their `until`).
 */
import type {
  HostedVersionReader,
  ServedDeployment,
  ServedDeploymentReader,
} from '../../ports/config-delivery.ts';
import { ConfigurationError } from '../errors.ts';
import type { AppConfigFlagsDocument } from './flag-document-schema.ts';
import type { KillSwitchDestination } from './kill-switch-destination.ts';

/** The AppConfig calls that read a kill-switch environment. */
export type KillSwitchReader = ServedDeploymentReader & HostedVersionReader;

export interface DeployedSwitches {
  /** Undefined when no deployment there is served (the stack deploys config/'s switches first). */
  readonly document?: AppConfigFlagsDocument;
  readonly version?: string;
  /** The served deployment of the profile there (the one that shipped {@link version}). */
  readonly deploymentNumber?: number;
  /**
   * The newest deployment of the profile there in any state (a rolled-back one included): a flip
   * compares it again before deploying, to see whether another was deployed since its read.
   */
  readonly newestDeploymentNumber?: number;
  /** A deployment running in the environment now, if any. */
  readonly runningDeploymentNumber?: number;
}

/**
 * The newest deployment of the profile in any state: the first one passed over, else the served one.
 *
 * @example
 * newestDeploymentNumber({ served: { deploymentNumber: 2, ... }, passedOver: [{ deploymentNumber: 3, state: 'ROLLED_BACK', ... }] }); // 3
 */
export function newestDeploymentNumber(deployment: ServedDeployment): number | undefined {
  return (deployment.passedOver[0] ?? deployment.served)?.deploymentNumber;
}

/** The deployed version is not a feature-flags document (edited outside Steward): named, never quoted. */
export class DeployedSwitchesError extends ConfigurationError {
  constructor(destination: KillSwitchDestination, version: string) {
    super(
      `version ${version} deployed to the kill-switch environment of ${destination.service} in ` +
        `${destination.environment} is not a feature-flags document`,
    );
    this.name = 'DeployedSwitchesError';
  }
}

/**
 * @example
 * const { document, runningDeploymentNumber } = await readDeployedSwitches(delivery, destination);
 */
export async function readDeployedSwitches(
  reader: KillSwitchReader,
  destination: KillSwitchDestination,
): Promise<DeployedSwitches> {
  const deployment = await reader.servedDeployment({
    applicationId: destination.applicationId,
    environmentId: destination.environmentId,
    configurationProfileId: destination.profileId,
  });
  const { served, runningDeploymentNumber } = deployment;
  const newest = newestDeploymentNumber(deployment);
  const running = {
    ...(runningDeploymentNumber === undefined ? {} : { runningDeploymentNumber }),
    ...(served === undefined ? {} : { deploymentNumber: served.deploymentNumber }),
    ...(newest === undefined ? {} : { newestDeploymentNumber: newest }),
  };
  const version = served?.configurationVersion;
  if (version === undefined) return running;
  const content = await reader.hostedContent({
    applicationId: destination.applicationId,
    configurationProfileId: destination.profileId,
    versionNumber: version,
  });
  const document = flagsDocumentOf(content);
  if (!document) throw new DeployedSwitchesError(destination, version);
  return { ...running, document, version };
}

/**
 * The document's `flags` and `values`, when it has them as objects (what AppConfig's validator and
 * ours let through). Checked by hand, not with the flags document schema: the drift job reads this
 * on its cold path, and the schema (zod) would split its bundle for one small read.
 */
function flagsDocumentOf(content: string): AppConfigFlagsDocument | undefined {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    return undefined;
  }
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null && !Array.isArray(value);
  if (
    !isRecord(json) ||
    !isRecord(json['values']) ||
    (json['flags'] !== undefined && !isRecord(json['flags']))
  ) {
    return undefined;
  }
  if (!Object.values(json['values']).every(isRecord)) return undefined;
  return {
    version: '1',
    flags: (json['flags'] ?? {}) as AppConfigFlagsDocument['flags'],
    values: json['values'] as AppConfigFlagsDocument['values'],
  };
}

/** A switch that is on with an `until` that has passed: the flip should have been undone. */
export interface OverdueSwitch {
  readonly switchName: string;
  readonly until: string;
  readonly reason?: string;
  readonly flippedBy?: string;
  readonly flippedAt?: string;
}

/**
 * The switches of a deployed document that are on past their `until`. A switch without `until`, or
 * off, is never overdue; an `until` that does not parse is reported, since nobody can tell when it ends.
 *
 * @example
 * overdueSwitches(deployed, new Date()); // [{ switchName: 'disable-recommendations', until: '2026-11-30T18:00:00.000Z', ... }]
 */
export function overdueSwitches(document: AppConfigFlagsDocument, now: Date): OverdueSwitch[] {
  const overdue: OverdueSwitch[] = [];
  for (const [switchName, value] of Object.entries(document.values ?? {})) {
    if (value?.enabled !== true || typeof value['until'] !== 'string') continue;
    const until = value['until'];
    const ends = Date.parse(until);
    if (!Number.isNaN(ends) && ends > now.getTime()) continue;
    const text = (name: string) => (typeof value[name] === 'string' ? (value[name] as string) : undefined);
    overdue.push({
      switchName,
      until,
      ...(text('reason') !== undefined ? { reason: text('reason') } : {}),
      ...(text('flippedBy') !== undefined ? { flippedBy: text('flippedBy') } : {}),
      ...(text('flippedAt') !== undefined ? { flippedAt: text('flippedAt') } : {}),
    });
  }
  return overdue.sort((a, b) => a.switchName.localeCompare(b.switchName));
}
