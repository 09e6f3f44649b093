/**
 * What the AppConfig flag adapters share (as Powertools' BaseProvider is shared by its backends):
 * one request with throttling retried and errors translated into the FlagSource port's errors, every
 * page of a list call, and one hosted version's content. {@link AppConfigFlagSource} reads the newest
 * hosted version (the flag-expiry job), {@link AppConfigDeployedFlagSource} the deployed one (the
 * drift run); each bundles only the commands it sends.
 */
import { type AppConfigClient, GetHostedConfigurationVersionCommand } from '@aws-sdk/client-appconfig';
import type { FlagProfileRef } from '../ports/flag-source.ts';
import {
  FlagProfileNotFoundError,
  FlagSourceAccessDeniedError,
  FlagSourceError,
  FlagSourceThrottledError,
} from '../ports/flag-source.errors.ts';
import { THROTTLING_ERRORS } from './appconfig-deployment-states.ts';
import { ThrottlingRetry, type ThrottlingRetryOptions } from './throttling-retry.ts';

/** Attempts, backoff and sleep while AppConfig answers ThrottlingException. */
export type AppConfigFlagReadOptions = ThrottlingRetryOptions;

const decoder = new TextDecoder();

export abstract class AppConfigFlagReads {
  private readonly retry: ThrottlingRetry;

  constructor(
    protected readonly client: AppConfigClient,
    options: AppConfigFlagReadOptions = {},
  ) {
    this.retry = new ThrottlingRetry(THROTTLING_ERRORS, options);
  }

  /** One hosted version's content, parsed from JSON. */
  protected async hostedDocument(ref: FlagProfileRef, version: number): Promise<unknown> {
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

  /** Every page of a list call, each page one request through {@link call}; stops when the caller does. */
  protected async *pages<Page extends { NextToken?: string }>(
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
  protected call<T>(ref: FlagProfileRef, operation: string, send: () => Promise<T>): Promise<T> {
    return this.retry.send(send, (cause, name) => translate(cause, name, ref, operation));
  }
}

function translate(cause: unknown, name: string, ref: FlagProfileRef, operation: string): Error {
  if (name === 'ResourceNotFoundException') return new FlagProfileNotFoundError(ref, operation, { cause });
  if (name === 'AccessDeniedException') return new FlagSourceAccessDeniedError(ref, operation, { cause });
  if (THROTTLING_ERRORS.has(name)) return new FlagSourceThrottledError(ref, operation, { cause });
  return new FlagSourceError(
    `${operation}: ${name || 'error'} on the flags profile of ${ref.service}`,
    operation,
    {
      cause,
    },
  );
}
