/**
 * The tracker the settings select, imported on first use (a lazy chunk, lib/bundling.ts): most
 * invocations file no ticket, so the tracker code, and the clients it builds, stay out of cold start.
 * A handler on the default tracker (OpsCenter) never loads the GitHub or Jira adapters.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { TicketSettings } from '../../core/runtime-settings.ts';
import type { OpenTicket, TicketRef, TicketRequest, TicketTracker } from '../../ports/ticket-tracker.ts';
import { TrackerAuthenticationError } from '../../ports/ticket-tracker.errors.ts';
import { onceUntilFailure } from '../once-until-failure.ts';
import type { HttpOptions } from './http.ts';
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
      return lazyTracker(async () => {
        const { OpsCenterTicketTracker } = await import('./opscenter.ts');
        return new OpsCenterTicketTracker(deps.ssm, { region: deps.region });
      });
    case 'github': {
      const secret = lazySecretValue(settings.tokenSecret, deps.secretsManager);
      return lazyTracker(async () => {
        const { GitHubTicketTracker } = await import('./github.ts');
        return new GitHubTicketTracker({
          ...deps.http,
          owner: settings.owner,
          repo: settings.repo,
          apiUrl: settings.apiUrl,
          token: async () => githubToken(await secret()),
        });
      }, secret);
    }
    case 'jira': {
      const secret = lazySecretValue(settings.tokenSecret, deps.secretsManager);
      return lazyTracker(async () => {
        const { JiraTicketTracker } = await import('./jira.ts');
        return new JiraTicketTracker({
          ...deps.http,
          baseUrl: settings.baseUrl,
          project: settings.project,
          credentials: async () => jiraCredentials(await secret()),
        });
      }, secret);
    }
  }
}

/**
 * A tracker whose implementation is loaded on the first call. With a token `secret`, a call the
 * tracker rejects as unauthenticated is retried once with the token read afresh: the secret may have
 * been rotated while this (warm) instance kept the old one.
 */
function lazyTracker(load: () => Promise<TicketTracker>, secret?: LazySecret): TicketTracker {
  const tracker = onceUntilFailure(load);
  const withFreshToken = async <T>(call: (t: TicketTracker) => Promise<T>): Promise<T> => {
    const t = await tracker();
    try {
      return await call(t);
    } catch (error) {
      if (!secret || !(error instanceof TrackerAuthenticationError)) throw error;
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
