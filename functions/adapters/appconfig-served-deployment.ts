/**
 * One meaning of "deployed" for every reader of AppConfig's control plane: which deployment of a
 * profile an environment serves now. AppConfig lists an environment's deployments newest first
 * (descending deployment number, at most 50 a page, a page may be empty and still carry a
 * NextToken), and a deployment's state says whether its version is served:
 *
 * - `COMPLETE`: every target serves it.
 * - `BAKING`: it has reached every target; AppConfig only watches the alarms for the final bake time.
 * - `VALIDATING` (its validators run), `DEPLOYING` (reaching targets step by step): not every target
 *   serves it yet.
 * - `ROLLING_BACK`, `ROLLED_BACK`: stopped (an alarm or StopDeployment) while in progress; the
 *   targets go back to the version before it.
 * - `REVERTED`: completed, then reverted (StopDeployment with AllowRevert); the version before it again.
 *
 * So the served version of a profile is that of its newest `COMPLETE` or `BAKING` deployment; newer
 * deployments of the profile are passed over (and reported). Who reads it here:
 *
 * - flag drift (`appconfig-deployed-flag-source.ts`): the served version, compared with `config/`;
 * - `steward kill` and the drift run's overdue switches (`appconfig-kill-switch-store.ts`): the
 *   served switches, which a flip builds on; a rolled-back flip is not live and is not revived;
 * - `steward plan` (`appconfig-deployed-configuration.ts`): the version the environment is getting,
 *   the rolling-out deployment when there is one, else the served one.
 *
 * Readers that deliberately mean something else: the delivery (`appconfig-delivery.ts`,
 * `environmentState`) looks at the profile's newest deployment in any state (was this document
 * already delivered or attempted?) and at whether a deployment runs (may one start now?, the states
 * of {@link BUSY_STATES}); the flag-expiry job and `steward flags --live` read the
 * version of the flags deployed last in any environment, served or rolling out (definitions and
 * metadata), else the newest hosted one.
 */
import {
  type AppConfigClient,
  type DeploymentSummary,
  GetDeploymentCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-appconfig';
import type { ProfileDeployment, ServedDeployment } from '../ports/config-delivery.ts';
import {
  BUSY_STATES,
  ROLLING_OUT_STATES,
  SERVED_STATES,
  THROTTLING_ERRORS,
} from './appconfig-deployment-states.ts';
import { ThrottlingRetry, type ThrottlingRetryOptions } from './throttling-retry.ts';

/** How a reader turns failures into its port's errors. */
export interface AppConfigReadErrors {
  /** An SDK error (after throttling retries ran out) as the port's error; `name` is the SDK error's name. */
  translate(cause: unknown, name: string, operation: string): Error;
  /** A served deployment that names no hosted version number (an answer AppConfig should not give). */
  unnumbered(deploymentNumber: number, operation: 'ListDeployments' | 'GetDeployment'): Error;
}

/** One AppConfig request: throttling retried with backoff, every other failure translated. */
export type AppConfigCall = <T>(operation: string, send: () => Promise<T>) => Promise<T>;

/**
 * @example
 * const call = throttledAppConfigCall((cause, name, operation) => new MyPortError(operation, { cause }));
 * const page = await call('ListDeployments', () => client.send(command));
 */
export function throttledAppConfigCall(
  translate: AppConfigReadErrors['translate'],
  options: ThrottlingRetryOptions = {},
): AppConfigCall {
  const retry = new ThrottlingRetry(THROTTLING_ERRORS, options);
  return (operation, send) => retry.send(send, (cause, name) => translate(cause, name, operation));
}

/**
 * An environment's deployments, newest first, each ListDeployments page read once and only when a
 * walk gets that far: one instance serves several walks (`steward plan` reads the document and the
 * flags profile of one environment over one listing).
 *
 * @example
 * const deployments = new EnvironmentDeployments(client, { applicationId: 'app1', environmentId: 'env1' }, { call, unnumbered });
 * const { served } = await deployments.served({ configurationProfileId: 'prof1', profileName: 'flags' });
 */
export class EnvironmentDeployments {
  private readonly items: DeploymentSummary[] = [];
  private nextToken: string | undefined;
  private done = false;

  constructor(
    private readonly client: AppConfigClient,
    readonly environment: { readonly applicationId: string; readonly environmentId: string },
    private readonly reads: { readonly call: AppConfigCall } & Pick<AppConfigReadErrors, 'unnumbered'>,
  ) {}

  /**
   * The deployment of the profile the environment serves (the newest `COMPLETE` or `BAKING` one), the
   * newer deployments of the profile passed over on the way (rolling out, rolling back, rolled back,
   * reverted; newest first) and the deployment, of any profile, that keeps the environment busy.
   * Reads pages only until the served deployment is found.
   */
  async served(profile: ServedProfile): Promise<ServedDeployment> {
    const passedOver: ProfileDeployment[] = [];
    let running: number | undefined;
    const result = (served?: ProfileDeployment): ServedDeployment => ({
      ...(served ? { served } : {}),
      passedOver,
      ...(running === undefined ? {} : { runningDeploymentNumber: running }),
    });
    for await (const item of this.newestFirst()) {
      const deploymentNumber = item.DeploymentNumber;
      if (deploymentNumber === undefined) continue;
      const state = item.State ?? 'UNKNOWN';
      // Only the newest deployment of an environment can run: AppConfig starts none while one does.
      if (running === undefined && BUSY_STATES.has(state)) running = deploymentNumber;
      const ours = await this.isOf(profile, item, deploymentNumber, state);
      if (!ours) continue;
      const version = ours.ConfigurationVersion ?? '';
      if (!SERVED_STATES.has(state)) {
        passedOver.push(profileDeployment(deploymentNumber, version, state, item));
        continue;
      }
      if (!/^[1-9]\d*$/.test(version)) {
        throw this.reads.unnumbered(
          deploymentNumber,
          item.ConfigurationProfileId === undefined ? 'GetDeployment' : 'ListDeployments',
        );
      }
      return result(profileDeployment(deploymentNumber, version, state, item));
    }
    return result();
  }

  /**
   * The deployment when it is one of the profile's, else undefined. Summaries carry the profile's id
   * in the current API; older answers name the profile only, and a name can be reused by a deleted
   * and re-created profile, so a served candidate is confirmed by GetDeployment before its version is
   * read. One passed over is only reported and goes by the name, unless no name was given: then a
   * rolling-out one, whose version `steward plan` reads, is confirmed too.
   */
  private async isOf(
    profile: ServedProfile,
    item: DeploymentSummary,
    deploymentNumber: number,
    state: string,
  ): Promise<{ readonly ConfigurationVersion?: string | undefined } | undefined> {
    if (item.ConfigurationProfileId !== undefined) {
      return item.ConfigurationProfileId === profile.configurationProfileId ? item : undefined;
    }
    if (profile.profileName !== undefined && item.ConfigurationName !== profile.profileName) return undefined;
    const confirmed =
      SERVED_STATES.has(state) || (profile.profileName === undefined && ROLLING_OUT_STATES.has(state));
    if (!confirmed) return item;
    const deployment = await this.reads.call('GetDeployment', () =>
      this.client.send(
        new GetDeploymentCommand({
          ApplicationId: this.environment.applicationId,
          EnvironmentId: this.environment.environmentId,
          DeploymentNumber: deploymentNumber,
        }),
      ),
    );
    return deployment.ConfigurationProfileId === profile.configurationProfileId ? deployment : undefined;
  }

  /** Every deployment of the environment, newest first; reads no further page than the caller needs. */
  private async *newestFirst(): AsyncGenerator<DeploymentSummary> {
    for (let index = 0; ; index += 1) {
      while (index >= this.items.length) {
        if (this.done) return;
        await this.readNextPage();
      }
      yield this.items[index]!;
    }
  }

  private async readNextPage(): Promise<void> {
    const token = this.nextToken;
    const page = await this.reads.call('ListDeployments', () =>
      this.client.send(
        new ListDeploymentsCommand({
          ApplicationId: this.environment.applicationId,
          EnvironmentId: this.environment.environmentId,
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    );
    this.items.push(...(page.Items ?? []));
    this.nextToken = page.NextToken;
    this.done = !page.NextToken;
  }
}

/**
 * What the environment gets of the profile once the rollout running there (if any) completes: its
 * deployment rolling out (VALIDATING, DEPLOYING) when there is one, else its served one. `steward plan`
 * and the flag-expiry job read this.
 */
export function shippingDeployment({ served, passedOver }: ServedDeployment): ProfileDeployment | undefined {
  return passedOver.find((d) => ROLLING_OUT_STATES.has(d.state) && d.configurationVersion) ?? served;
}

/** The profile whose served deployment is asked for. */
export interface ServedProfile {
  readonly configurationProfileId: string;
  /**
   * The profile's name, which older ListDeployments answers carry instead of its id: a summary without
   * an id is a candidate only under this name. Without it, every summary without an id is one.
   */
  readonly profileName?: string;
}

function profileDeployment(
  deploymentNumber: number,
  configurationVersion: string,
  state: string,
  summary: DeploymentSummary,
): ProfileDeployment {
  return {
    deploymentNumber,
    configurationVersion,
    state,
    ...(summary.VersionLabel ? { versionLabel: summary.VersionLabel } : {}),
    ...(summary.StartedAt ? { startedAt: summary.StartedAt } : {}),
  };
}
