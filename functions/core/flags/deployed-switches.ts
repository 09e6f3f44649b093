/**
 * What a kill-switch environment has deployed: the switches document of its newest deployment of
 * the kill-switch profile, and whether a deployment runs there now. One read for `steward kill`
 * (which flips on top of it) and for the nightly drift run (which reports switches past their `until`).
 */
import type { ConfigDelivery, HostedVersionReader } from '../../ports/config-delivery.ts';
import { ConfigurationError } from '../errors.ts';
import type { AppConfigFlagsDocument } from './flag-document-schema.ts';
import { lenientFlagsDocumentSchema } from './flag-document-schema.ts';
import type { KillSwitchDestination } from './kill-switch-targets.ts';

/** The AppConfig calls that read a kill-switch environment. */
export type KillSwitchReader = Pick<ConfigDelivery, 'environmentState'> & HostedVersionReader;

export interface DeployedSwitches {
  /** Undefined when nothing was ever deployed there (the stack deploys config/'s switches first). */
  readonly document?: AppConfigFlagsDocument;
  readonly version?: string;
  /** A deployment running in the environment now, if any. */
  readonly runningDeploymentNumber?: number;
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
  const state = await reader.environmentState({
    applicationId: destination.applicationId,
    environmentId: destination.environmentId,
    configurationProfileId: destination.profileId,
  });
  const running =
    state.runningDeploymentNumber === undefined
      ? {}
      : { runningDeploymentNumber: state.runningDeploymentNumber };
  const version = state.latest?.configurationVersion;
  if (version === undefined) return running;
  const content = await reader.hostedContent({
    applicationId: destination.applicationId,
    configurationProfileId: destination.profileId,
    versionNumber: version,
  });
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch {
    throw new DeployedSwitchesError(destination, version);
  }
  const parsed = lenientFlagsDocumentSchema.safeParse(json);
  if (!parsed.success) throw new DeployedSwitchesError(destination, version);
  return { ...running, document: parsed.data as AppConfigFlagsDocument, version };
}
