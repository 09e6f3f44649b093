/**
 * {@link FlagSource} over AppConfig's control plane: ListHostedConfigurationVersions (every page;
 * AWS documents no order, so the newest is the highest VersionNumber) and then
 * GetHostedConfigurationVersion for it. The data plane would strip the flag definitions.
 *
 * Also the {@link DeployedFlagSource} of the drift run: ListDeployments of the environment (newest
 * first, as AWS documents), the first COMPLETE deployment of the flags profile (confirmed by
 * GetDeployment, since a deployment summary names the profile but gives no id), then
 * GetHostedConfigurationVersion of the version it deployed.
 */
import {
  type AppConfigClient,
  GetDeploymentCommand,
  GetHostedConfigurationVersionCommand,
  ListApplicationsCommand,
  ListConfigurationProfilesCommand,
  ListDeploymentsCommand,
  ListHostedConfigurationVersionsCommand,
} from '@aws-sdk/client-appconfig';
import { ConfigurationError } from '../core/errors.ts';
import { fromAppConfigFlags } from '../core/flags/appconfig-format.ts';
import { FLAGS_PROFILE_NAME } from '../core/names.ts';
import type {
  DeployedFlags,
  DeployedFlagSource,
  FlagDeploymentNote,
  FlagEnvironmentRef,
  FlagProfileRef,
  FlagSource,
  HostedFlagSet,
} from '../ports/flag-source.ts';
import {
  FlagProfileNotFoundError,
  FlagSourceAccessDeniedError,
  FlagSourceError,
  FlagSourceThrottledError,
} from '../ports/flag-source.errors.ts';

export interface AppConfigFlagSourceOptions {
  /** Attempts per request while AppConfig answers ThrottlingException. @default 4 */
  readonly maxAttempts?: number;
  /** @default 200 */
  readonly baseDelayMs?: number;
  /** Injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The flags profile's name, which deployment summaries carry instead of its id. @default 'flags' */
  readonly profileName?: string;
}

const THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException']);
const decoder = new TextDecoder();

/**
 * @example
 * const source = new AppConfigFlagSource(new AppConfigClient({}));
 * const latest = await source.latest({ service: 'orders', applicationId: 'abc1234', flagsProfileId: 'def5678' });
 */
export class AppConfigFlagSource implements FlagSource, DeployedFlagSource {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly profileName: string;

  constructor(
    private readonly client: AppConfigClient,
    options: AppConfigFlagSourceOptions = {},
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.profileName = options.profileName ?? FLAGS_PROFILE_NAME;
  }

  async latest(ref: FlagProfileRef): Promise<HostedFlagSet | undefined> {
    const version = await this.newestVersion(ref);
    if (version === undefined) return undefined;
    const document = await this.hostedDocument(ref, version);
    try {
      return { ref, version, flags: fromAppConfigFlags(document) };
    } catch (cause) {
      if (!(cause instanceof ConfigurationError)) throw cause;
      throw new FlagSourceError(
        `GetHostedConfigurationVersion: version ${version} of the flags profile of ${ref.service}: ${cause.message}`,
        'GetHostedConfigurationVersion',
        { cause },
      );
    }
  }

  /**
   * What the environment serves of the flags profile. Deployments still running (DEPLOYING, BAKING,
   * VALIDATING) or rolled back (ROLLING_BACK, ROLLED_BACK, REVERTED) are passed over and listed in
   * `skipped`: until one completes, or after it was rolled back, the environment serves the version
   * of the last COMPLETE deployment.
   *
   * @example
   * const served = await source.deployed(ref, { name: 'production', environmentId: 'env1234' });
   */
  async deployed(ref: FlagProfileRef, environment: FlagEnvironmentRef): Promise<DeployedFlags> {
    const skipped: FlagDeploymentNote[] = [];
    const pages = this.pages(ref, 'ListDeployments', (token) =>
      this.client.send(
        new ListDeploymentsCommand({
          ApplicationId: ref.applicationId,
          EnvironmentId: environment.environmentId,
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const deploymentNumber = item.DeploymentNumber;
        if (item.ConfigurationName !== this.profileName || deploymentNumber === undefined) continue;
        if (item.State !== 'COMPLETE') {
          skipped.push({
            deploymentNumber,
            version: item.ConfigurationVersion ?? '',
            state: item.State ?? 'UNKNOWN',
          });
          continue;
        }
        const deployment = await this.call(ref, 'GetDeployment', () =>
          this.client.send(
            new GetDeploymentCommand({
              ApplicationId: ref.applicationId,
              EnvironmentId: environment.environmentId,
              DeploymentNumber: deploymentNumber,
            }),
          ),
        );
        // Another profile of the same name (a deleted and re-created one): not ours.
        if (deployment.ConfigurationProfileId !== ref.flagsProfileId) continue;
        const version = Number(deployment.ConfigurationVersion);
        if (!Number.isInteger(version) || version < 1) {
          throw new FlagSourceError(
            `GetDeployment: deployment ${deploymentNumber} of the flags profile of ${ref.service} to ` +
              `${environment.name} names no hosted version number`,
            'GetDeployment',
          );
        }
        const document = await this.hostedDocument(ref, version);
        return { status: 'deployed', deploymentNumber, version, document, skipped };
      }
    }
    return { status: 'never-deployed', skipped };
  }

  /** One hosted version's content, parsed from JSON. */
  private async hostedDocument(ref: FlagProfileRef, version: number): Promise<unknown> {
    const response = await this.call(ref, 'GetHostedConfigurationVersion', () =>
      this.client.send(
        new GetHostedConfigurationVersionCommand({
          ApplicationId: ref.applicationId,
          ConfigurationProfileId: ref.flagsProfileId,
          VersionNumber: version,
        }),
      ),
    );
    const text = response.Content ? decoder.decode(response.Content) : '';
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new FlagSourceError(
        `GetHostedConfigurationVersion: version ${version} of the flags profile of ${ref.service} is not JSON`,
        'GetHostedConfigurationVersion',
        { cause },
      );
    }
  }

  private async newestVersion(ref: FlagProfileRef): Promise<number | undefined> {
    let newest: number | undefined;
    const pages = this.pages(ref, 'ListHostedConfigurationVersions', (token) =>
      this.client.send(
        new ListHostedConfigurationVersionsCommand({
          ApplicationId: ref.applicationId,
          ConfigurationProfileId: ref.flagsProfileId,
          MaxResults: 50,
          ...(token ? { NextToken: token } : {}),
        }),
      ),
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        if (item.VersionNumber !== undefined && (newest === undefined || item.VersionNumber > newest)) {
          newest = item.VersionNumber;
        }
      }
    }
    return newest;
  }

  /** Every page of a list call, each page one request through {@link call}; stops when the caller does. */
  private async *pages<Page extends { NextToken?: string }>(
    ref: FlagProfileRef,
    operation: string,
    send: (token: string | undefined) => Promise<Page>,
  ): AsyncGenerator<Page> {
    let token: string | undefined;
    do {
      const current = token;
      const page = await this.call(ref, operation, () => send(current));
      yield page;
      token = page.NextToken;
    } while (token);
  }

  /** One request: send, retry throttling with backoff, translate errors. */
  private async call<T>(ref: FlagProfileRef, operation: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (cause) {
        const name = (cause as { name?: string }).name ?? '';
        if (THROTTLING.has(name) && attempt < this.maxAttempts) {
          await this.sleep(this.baseDelayMs * 2 ** (attempt - 1));
          continue;
        }
        throw translate(cause, name, ref, operation);
      }
    }
  }
}

function translate(cause: unknown, name: string, ref: FlagProfileRef, operation: string): Error {
  if (name === 'ResourceNotFoundException') return new FlagProfileNotFoundError(ref, operation, { cause });
  if (name === 'AccessDeniedException') return new FlagSourceAccessDeniedError(ref, operation, { cause });
  if (THROTTLING.has(name)) return new FlagSourceThrottledError(ref, operation, { cause });
  return new FlagSourceError(
    `${operation}: ${name || 'error'} on the flags profile of ${ref.service}`,
    operation,
    {
      cause,
    },
  );
}

/**
 * Find the flags profile of each service by name, for tools that run outside the stack (the CLI's
 * `steward flags --live`): applications are named `<prefix><service>`, the profile `flags`.
 * Services without an application or profile are listed in `missing`.
 *
 * @example
 * const { refs, missing } = await resolveFlagProfiles(new AppConfigClient({}), ['orders', 'payments']);
 */
export async function resolveFlagProfiles(
  client: AppConfigClient,
  services: readonly string[],
  options: { namePrefix?: string; profileName?: string } = {},
): Promise<{ refs: FlagProfileRef[]; missing: string[] }> {
  const prefix = options.namePrefix ?? '';
  const profileName = options.profileName ?? FLAGS_PROFILE_NAME;
  const applications = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListApplicationsCommand({ MaxResults: 50, ...(token ? { NextToken: token } : {}) }),
    );
    for (const app of page.Items ?? []) if (app.Name && app.Id) applications.set(app.Name, app.Id);
    token = page.NextToken;
  } while (token);

  const refs: FlagProfileRef[] = [];
  const missing: string[] = [];
  for (const service of services) {
    const applicationId = applications.get(`${prefix}${service}`);
    let flagsProfileId: string | undefined;
    let next: string | undefined;
    while (applicationId && !flagsProfileId) {
      const page = await client.send(
        new ListConfigurationProfilesCommand({
          ApplicationId: applicationId,
          MaxResults: 50,
          ...(next ? { NextToken: next } : {}),
        }),
      );
      flagsProfileId = page.Items?.find((p) => p.Name === profileName && p.Id)?.Id;
      next = page.NextToken;
      if (!next) break;
    }
    if (applicationId && flagsProfileId) refs.push({ service, applicationId, flagsProfileId });
    else missing.push(service);
  }
  return { refs, missing };
}
