/**
 * The tracker the settings select. OpsCenter is built at once; the GitHub and Jira adapters, and the
 * Secrets Manager client their token needs, are imported on first use, so a handler on the default
 * tracker never loads them.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { TicketSettings } from '../../core/runtime-settings.ts';
import type { OpenTicket, TicketRef, TicketRequest, TicketTracker } from '../../ports/ticket-tracker.ts';
import { TrackerAuthenticationError } from '../errors.ts';
import type { HttpOptions } from './http.ts';
import { OpsCenterTicketTracker } from './opscenter.ts';
import { githubToken, jiraCredentials, type LazySecret, lazySecretValue } from './secret-value.ts';

export interface TicketTrackerDependencies {
  readonly ssm?: SSMClient;
  readonly secretsManager?: SecretsManagerClient;
  /** HTTP knobs for GitHub and Jira (fetch, sleep, retries), mostly for tests. */
  readonly http?: HttpOptions;
  readonly region?: string;
}

/**
 * @example
 * const tracker = createTicketTracker(settings.STEWARD_TICKETS);
 * await tracker.file({ dedupKey, title, body, severity: 'high', category: 'drift' });
 */
export function createTicketTracker(
  settings: TicketSettings,
  deps: TicketTrackerDependencies = {},
): TicketTracker {
  switch (settings.tracker) {
    case 'opscenter':
      return new OpsCenterTicketTracker(deps.ssm ?? new SSMClient({}), { region: deps.region });
    case 'github': {
      const secret = lazySecretValue(() => secretsManager(deps), settings.tokenSecret);
      return lazyTracker(secret, async () => {
        const { GitHubTicketTracker } = await import('./github.ts');
        return new GitHubTicketTracker({
          ...deps.http,
          owner: settings.owner,
          repo: settings.repo,
          apiUrl: settings.apiUrl,
          token: async () => githubToken(await secret()),
        });
      });
    }
    case 'jira': {
      const secret = lazySecretValue(() => secretsManager(deps), settings.tokenSecret);
      return lazyTracker(secret, async () => {
        const { JiraTicketTracker } = await import('./jira.ts');
        return new JiraTicketTracker({
          ...deps.http,
          baseUrl: settings.baseUrl,
          project: settings.project,
          credentials: async () => jiraCredentials(await secret()),
        });
      });
    }
  }
}

async function secretsManager(deps: TicketTrackerDependencies): Promise<SecretsManagerClient> {
  if (deps.secretsManager) return deps.secretsManager;
  const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  return new SecretsManagerClient({});
}

/**
 * A tracker whose implementation is loaded on the first call. A call the tracker rejects as
 * unauthenticated is retried once with the token read afresh: the secret may have been rotated
 * while this (warm) instance kept the old one.
 */
function lazyTracker(secret: LazySecret, load: () => Promise<TicketTracker>): TicketTracker {
  let loaded: Promise<TicketTracker> | undefined;
  const tracker = () => {
    loaded ??= load().catch((error) => {
      loaded = undefined;
      throw error;
    });
    return loaded;
  };
  const withFreshToken = async <T>(call: (t: TicketTracker) => Promise<T>): Promise<T> => {
    const t = await tracker();
    try {
      return await call(t);
    } catch (error) {
      if (!(error instanceof TrackerAuthenticationError)) throw error;
      secret.reset();
      return call(t);
    }
  };
  return {
    file: (request: TicketRequest) => withFreshToken((t) => t.file(request)),
    listOpen: (prefix?: string): Promise<OpenTicket[]> => withFreshToken((t) => t.listOpen(prefix)),
    resolve: (ref: TicketRef, comment: string) => withFreshToken((t) => t.resolve(ref, comment)),
  };
}
