/**
 * `@config-steward/client/middy`: a middleware that puts the service's validated configuration and
 * its feature flags on the handler's context. Prefetched at cold start, as middy's own fetchers are.
 */
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import type * as z from 'zod/v4/core';
import type { ConfigSchema } from './config.js';
import { configSource } from './config.js';
import type { ClientOptions } from './extension.js';
import { type Flags, NO_FLAGS } from './flag-evaluator.js';
import { flagUsage } from './flag-usage.js';
import { type FlagsOptions, loadFlags } from './flags.js';

export interface StewardConfigOptions<S extends ConfigSchema> extends Omit<ClientOptions, 'profile'> {
  readonly service: string;
  readonly schema: S;
  /** Configuration profile. @default `STEWARD_APPCONFIG_PROFILE` */
  readonly profile?: string;
  /**
   * Load the flags profile too. Without it `context.flags` answers every flag as unknown.
   * @default true
   */
  readonly flags?: boolean;
  /** Flags profile. @default `STEWARD_APPCONFIG_FLAGS_PROFILE` */
  readonly flagsProfile?: string;
  /** Flag usage metrics (see `loadFlags`); `false` opts out. @default on inside Lambda */
  readonly usageMetrics?: FlagsOptions['usageMetrics'];
  /** Start reading when the middleware is created (during the init phase). @default true */
  readonly prefetch?: boolean;
}

/** What the middleware adds to the Lambda context. */
export interface StewardContext<T> {
  readonly config: T;
  readonly flags: Flags;
}

/**
 * @example
 * export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context & StewardContext<OrdersConfig>>()
 *   .use(stewardConfig({ service: 'orders', schema: ordersSchema }))
 *   .handler(async (event, context) => {
 *     const retries = context.config['max-retries'];
 *     const fresh = context.flags.isEnabled('new-checkout', { targetingKey: event.requestContext.accountId });
 *     ...
 *   });
 */
export function stewardConfig<S extends ConfigSchema, TEvent = unknown, TResult = unknown>(
  options: StewardConfigOptions<S>,
): MiddlewareObj<TEvent, TResult, Error, Context & StewardContext<z.output<S>>> {
  const {
    service,
    schema,
    flags: withFlags = true,
    profile,
    flagsProfile,
    prefetch = true,
    ...shared
  } = options;
  const configOptions: ClientOptions = profile === undefined ? shared : { ...shared, profile };
  const flagsOptions: FlagsOptions =
    flagsProfile === undefined ? shared : { ...shared, profile: flagsProfile };
  const read = async (): Promise<StewardContext<z.output<S>>> => {
    const [config, flagsOfService] = await Promise.all([
      configSource(service, schema, configOptions).get(),
      withFlags ? loadFlags(service, flagsOptions) : Promise.resolve(NO_FLAGS),
    ]);
    return { config, flags: flagsOfService };
  };

  let prefetched: Promise<StewardContext<z.output<S>>> | undefined;
  if (prefetch) {
    prefetched = read();
    // Awaited by the first request, which gets the failure; never an unhandled rejection meanwhile.
    prefetched.catch(() => undefined);
  }

  const stewardConfigMiddlewareBefore: NonNullable<
    MiddlewareObj<TEvent, TResult, Error, Context & StewardContext<z.output<S>>>['before']
  > = async (request) => {
    const pending = prefetched ?? read();
    prefetched = undefined;
    const { config, flags } = await pending;
    Object.assign(request.context, { config, flags });
  };

  // The end of an invocation is the last moment before Lambda may freeze the environment: write the
  // usage counts then (at most once a minute), so a rarely invoked function loses none of them.
  const clock = options.clock ?? Date.now;
  const stewardConfigMiddlewareAfter = async (): Promise<void> => {
    await flagUsage.flushIfDue(clock());
  };

  return {
    name: 'stewardConfig',
    before: stewardConfigMiddlewareBefore,
    after: stewardConfigMiddlewareAfter,
    onError: stewardConfigMiddlewareAfter,
  };
}
