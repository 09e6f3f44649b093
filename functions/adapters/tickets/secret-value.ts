/**
 * A tracker token read from Secrets Manager by secret NAME, lazily on first use and cached for the
 * life of the function instance. A failed read is not cached, so the next call tries again. The value
 * is never logged and never put into an error message.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError } from '../../core/errors.ts';
import { type OnceUntilFailure, onceUntilFailure } from '../once-until-failure.ts';

/**
 * @example
 * const token = lazySecretValue('config-steward/github-token');
 * await token(); // reads once
 */
export function lazySecretValue(secretName: string, client?: SecretsManagerClient): LazySecret {
  return onceUntilFailure(() => read(secretName, client));
}

/** A cached secret value; `reset()` forgets it, e.g. after the tracker rejected it (rotated token). */
export type LazySecret = OnceUntilFailure<string>;

async function read(secretName: string, client?: SecretsManagerClient): Promise<string> {
  const { readSecretString } = await import('./read-secret-string.ts');
  return readSecretString(secretName, client);
}

/** A GitHub token stored either as the bare token or as JSON `{ "token": ... }`. */
export function githubToken(raw: string): string {
  const trimmed = raw.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  let token: unknown;
  try {
    token = (JSON.parse(trimmed) as { token?: unknown }).token;
  } catch {
    // JSON.parse's message quotes the text it failed on: the token must not reach a log or an error.
    throw new ConfigurationError('the GitHub token secret starts with "{" but is not valid JSON');
  }
  if (typeof token !== 'string' || token === '') {
    throw new ConfigurationError('the GitHub token secret is JSON without a "token" string');
  }
  return token;
}

/** Jira credentials stored as JSON `{ "email": ..., "token": ... }`. */
export function jiraCredentials(raw: string): { email: string; token: string } {
  let parsed: { email?: unknown; token?: unknown };
  try {
    parsed = JSON.parse(raw) as { email?: unknown; token?: unknown };
  } catch {
    throw new ConfigurationError('the Jira token secret must be JSON { "email": ..., "token": ... }');
  }
  if (typeof parsed.email !== 'string' || typeof parsed.token !== 'string') {
    throw new ConfigurationError('the Jira token secret must be JSON { "email": ..., "token": ... }');
  }
  return { email: parsed.email, token: parsed.token };
}
