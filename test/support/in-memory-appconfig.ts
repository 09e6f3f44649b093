/**
 * AppConfig in memory, as strict as AppConfig is about the one rule kill switches exist for: one
 * deployment at a time per environment, across all its profiles. A deployment runs for its
 * strategy's duration plus bake on the test's clock; another StartDeployment to the same environment
 * meanwhile answers busy (AppConfig's ConflictException), another environment is unaffected.
 */
import type { KillSwitchTargets } from '../../functions/core/flags/kill-switch-targets.ts';
import type { Clock } from '../../functions/ports/clock.ts';
import type {
  ConfigDelivery,
  DeploymentRequest,
  DeploymentStart,
  EnvironmentState,
  HostedDocument,
  HostedVersionReader,
  ProfileDeployment,
  ServedDeployment,
  ServedDeploymentReader,
} from '../../functions/ports/config-delivery.ts';

interface Deployment extends DeploymentRequest {
  readonly deploymentNumber: number;
  readonly startedAt: Date;
  endsAt: Date;
  /** Set when it was stopped (an alarm, StopDeployment) or reverted: its version is no longer served. */
  undone?: 'ROLLED_BACK' | 'REVERTED';
}

/** A settable clock for the simulation. */
export class ManualClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current);
  }
  advanceMinutes(minutes: number): void {
    this.current = new Date(this.current.getTime() + minutes * 60_000);
  }
}

export class InMemoryAppConfig implements ConfigDelivery, HostedVersionReader, ServedDeploymentReader {
  /** Hosted versions by `<application>/<profile>`, version n at index n-1. */
  private readonly hosted = new Map<string, HostedDocument[]>();
  /** Deployments by `<application>/<environment>`, newest last. */
  private readonly deployments = new Map<string, Deployment[]>();
  /** Minutes a deployment with this strategy keeps its environment busy (duration + bake). */
  private readonly strategyMinutes = new Map<string, number>();
  /** Every StartDeployment, started or refused. */
  readonly starts: { request: DeploymentRequest; outcome: DeploymentStart['status'] }[] = [];

  constructor(private readonly clock: Clock) {}

  /** Declare a strategy: how long its deployments run, bake included. */
  strategy(id: string, minutes: number): this {
    this.strategyMinutes.set(id, minutes);
    return this;
  }

  async ensureHostedVersion(document: HostedDocument): Promise<string> {
    const key = `${document.applicationId}/${document.configurationProfileId}`;
    const versions = this.hosted.get(key) ?? [];
    const existing = versions.findIndex((v) => v.versionLabel === document.versionLabel);
    if (existing >= 0) return String(existing + 1);
    versions.push(document);
    this.hosted.set(key, versions);
    return String(versions.length);
  }

  async hostedContent(version: {
    applicationId: string;
    configurationProfileId: string;
    versionNumber: string;
  }): Promise<string> {
    const stored = this.hosted.get(`${version.applicationId}/${version.configurationProfileId}`)?.[
      Number(version.versionNumber) - 1
    ];
    if (!stored) throw new Error(`no hosted version ${version.versionNumber}`);
    return stored.content;
  }

  async startDeployment(request: DeploymentRequest): Promise<DeploymentStart> {
    const minutes = this.strategyMinutes.get(request.deploymentStrategyId);
    if (minutes === undefined) throw new Error(`unknown strategy ${request.deploymentStrategyId}`);
    const running = this.running(request.applicationId, request.environmentId);
    if (running) {
      this.starts.push({ request, outcome: 'busy' });
      return { status: 'busy', runningDeploymentNumber: running.deploymentNumber };
    }
    const list = this.deploymentsOf(request.applicationId, request.environmentId);
    const startedAt = this.clock.now();
    const deployment: Deployment = {
      ...request,
      deploymentNumber: list.length + 1,
      startedAt,
      endsAt: new Date(startedAt.getTime() + minutes * 60_000),
    };
    list.push(deployment);
    this.starts.push({ request, outcome: 'started' });
    return { status: 'started', deploymentNumber: deployment.deploymentNumber };
  }

  async environmentState(target: {
    applicationId: string;
    environmentId: string;
    configurationProfileId: string;
  }): Promise<EnvironmentState> {
    const latest = this.deploymentsOf(target.applicationId, target.environmentId).findLast(
      (d) => d.configurationProfileId === target.configurationProfileId,
    );
    const running = this.running(target.applicationId, target.environmentId);
    return {
      ...(latest
        ? {
            latest: {
              deploymentNumber: latest.deploymentNumber,
              versionLabel: this.hosted.get(`${latest.applicationId}/${latest.configurationProfileId}`)?.[
                Number(latest.configurationVersion) - 1
              ]?.versionLabel,
              configurationVersion: latest.configurationVersion,
              state: this.stateOf(latest),
              startedAt: latest.startedAt,
            },
          }
        : {}),
      ...(running ? { runningDeploymentNumber: running.deploymentNumber } : {}),
    };
  }

  async servedDeployment(target: {
    applicationId: string;
    environmentId: string;
    configurationProfileId: string;
  }): Promise<ServedDeployment> {
    const passedOver: ProfileDeployment[] = [];
    const running = this.running(target.applicationId, target.environmentId);
    const ofProfile = this.deploymentsOf(target.applicationId, target.environmentId)
      .filter((d) => d.configurationProfileId === target.configurationProfileId)
      .reverse();
    for (const deployment of ofProfile) {
      const summary = {
        deploymentNumber: deployment.deploymentNumber,
        configurationVersion: deployment.configurationVersion,
        state: this.stateOf(deployment),
        startedAt: deployment.startedAt,
      };
      if (summary.state !== 'COMPLETE') {
        passedOver.push(summary);
        continue;
      }
      return {
        served: summary,
        passedOver,
        ...(running ? { runningDeploymentNumber: running.deploymentNumber } : {}),
      };
    }
    return { passedOver, ...(running ? { runningDeploymentNumber: running.deploymentNumber } : {}) };
  }

  /**
   * Stop a deployment (an alarm, StopDeployment: ROLLED_BACK) or revert a completed one (REVERTED):
   * the environment serves the profile's version before it again.
   */
  undo(
    applicationId: string,
    environmentId: string,
    deploymentNumber: number,
    state: 'ROLLED_BACK' | 'REVERTED' = 'ROLLED_BACK',
  ): void {
    const deployment = this.deploymentsOf(applicationId, environmentId).find(
      (d) => d.deploymentNumber === deploymentNumber,
    );
    if (!deployment) throw new Error(`no deployment ${deploymentNumber} in ${environmentId}`);
    deployment.undone = state;
    deployment.endsAt = this.clock.now();
  }

  /**
   * What a consumer reading this environment and profile gets now: the content of the newest
   * deployment that has completed and was not undone (a rollout still running counts as not yet
   * live, the strictest reading).
   */
  live(applicationId: string, environmentId: string, profileId: string): string | undefined {
    const done = this.deploymentsOf(applicationId, environmentId).findLast(
      (d) => d.configurationProfileId === profileId && this.stateOf(d) === 'COMPLETE',
    );
    if (!done) return undefined;
    return this.hosted.get(`${applicationId}/${profileId}`)?.[Number(done.configurationVersion) - 1]?.content;
  }

  private deploymentsOf(applicationId: string, environmentId: string): Deployment[] {
    const key = `${applicationId}/${environmentId}`;
    const list = this.deployments.get(key) ?? [];
    this.deployments.set(key, list);
    return list;
  }

  private running(applicationId: string, environmentId: string): Deployment | undefined {
    return this.deploymentsOf(applicationId, environmentId).find((d) => this.isRunning(d));
  }

  private stateOf(deployment: Deployment): string {
    if (deployment.undone) return deployment.undone;
    return this.isRunning(deployment) ? 'DEPLOYING' : 'COMPLETE';
  }

  private isRunning(deployment: Deployment): boolean {
    return deployment.endsAt.getTime() > this.clock.now().getTime();
  }
}

/** The kill-switch ids of a `search` service in staging and production, for tests over {@link InMemoryAppConfig}. */
export const searchKillSwitchTargets: KillSwitchTargets = {
  deploymentStrategyId: 'strategy-kill-switch',
  services: {
    search: {
      applicationId: 'app-search',
      profileId: 'profile-switches',
      environments: { staging: 'env-staging-switches', production: 'env-production-switches' },
    },
  },
};
