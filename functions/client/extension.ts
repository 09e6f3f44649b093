/**
 * Where the AppConfig Lambda extension serves a profile, and one read from it. The extension listens
 * on `localhost:${AWS_APPCONFIG_EXTENSION_HTTP_PORT:-2772}` and serves
 * `/applications/{app}/environments/{env}/configurations/{profile}`, optionally `?flag=a&flag=b`.
 */
import { ClientConfigurationError, ExtensionUnavailableError, InvalidConfigDocumentError } from './errors.ts';
import type { ClientLogger, DegradedReport } from './telemetry.ts';

/** Options shared by `loadConfig`, `flags`, the middy middleware and the OpenFeature provider. */
export interface ClientOptions {
  /** AppConfig application name. @default `STEWARD_APPCONFIG_APPLICATION`, else the service name */
  readonly application?: string;
  /** AppConfig environment name. @default `STEWARD_APPCONFIG_ENVIRONMENT` (required one way or the other) */
  readonly environment?: string;
  /**
   * Configuration profile name. @default `STEWARD_APPCONFIG_PROFILE` for `loadConfig`,
   * `STEWARD_APPCONFIG_FLAGS_PROFILE` for `flags`
   */
  readonly profile?: string;
  /** Port of the extension. @default `AWS_APPCONFIG_EXTENSION_HTTP_PORT`, else 2772 */
  readonly port?: number;
  /** Per-read timeout in milliseconds. @default 3000 */
  readonly timeoutMs?: number;
  /** Seconds a document is served before it is re-read in the background. @default `STEWARD_CONFIG_POLL_SECONDS`, else 45 */
  readonly pollSeconds?: number;
  /** Where settings are read from. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Structured logger; a Powertools `Logger` fits. @default JSON lines on stdout */
  readonly logger?: ClientLogger;
  /** Called once per failed background refresh while the last good document keeps being served. */
  readonly onDegraded?: (report: DegradedReport) => void;
  /** Receives one EMF line per failed background refresh. @default stdout */
  readonly metricSink?: (line: string) => void;
  /** Milliseconds since the epoch. @default Date.now */
  readonly clock?: () => number;
}

export interface ExtensionTarget {
  readonly service: string;
  readonly application: string;
  readonly environment: string;
  readonly profile: string;
  readonly port: number;
  readonly timeoutMs: number;
  readonly pollMs: number;
}

export const DEFAULT_EXTENSION_PORT = 2772;
export const DEFAULT_TIMEOUT_MS = 3000;
export const DEFAULT_POLL_SECONDS = 45;

/** The profile's environment variable for each kind of document. */
const PROFILE_VARIABLE = {
  config: 'STEWARD_APPCONFIG_PROFILE',
  flags: 'STEWARD_APPCONFIG_FLAGS_PROFILE',
} as const;

/**
 * Resolve where a service's document lives from options and environment variables; a missing
 * setting is named.
 *
 * @example
 * const target = resolveTarget('orders', 'config', { env: { STEWARD_APPCONFIG_ENVIRONMENT: 'staging', STEWARD_APPCONFIG_PROFILE: 'document' } });
 */
export function resolveTarget(
  service: string,
  kind: 'config' | 'flags',
  options: ClientOptions = {},
): ExtensionTarget {
  const env = options.env ?? process.env;
  const environment = options.environment ?? env['STEWARD_APPCONFIG_ENVIRONMENT'];
  if (!environment) {
    throw new ClientConfigurationError(
      `the AppConfig environment of ${service} is not set: set STEWARD_APPCONFIG_ENVIRONMENT or pass { environment }`,
    );
  }
  const profileVariable = PROFILE_VARIABLE[kind];
  const profile = options.profile ?? env[profileVariable];
  if (!profile) {
    throw new ClientConfigurationError(
      `the AppConfig ${kind} profile of ${service} is not set: set ${profileVariable} or pass { profile }`,
    );
  }
  const port =
    options.port ??
    positiveNumber(env['AWS_APPCONFIG_EXTENSION_HTTP_PORT'], 'AWS_APPCONFIG_EXTENSION_HTTP_PORT') ??
    DEFAULT_EXTENSION_PORT;
  const pollSeconds =
    options.pollSeconds ??
    positiveNumber(env['STEWARD_CONFIG_POLL_SECONDS'], 'STEWARD_CONFIG_POLL_SECONDS') ??
    DEFAULT_POLL_SECONDS;
  return {
    service,
    application: options.application ?? env['STEWARD_APPCONFIG_APPLICATION'] ?? service,
    environment,
    profile,
    port,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    pollMs: pollSeconds * 1000,
  };
}

function positiveNumber(raw: string | undefined, variable: string): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ClientConfigurationError(`${variable} must be a positive number`);
  }
  return value;
}

/**
 * The extension URL of a target; `flags` narrows a feature-flag profile to those flags.
 *
 * @example
 * extensionUrl(target, ['new-checkout']); // http://localhost:2772/applications/orders/environments/staging/configurations/flags?flag=new-checkout
 */
export function extensionUrl(target: ExtensionTarget, flags?: readonly string[]): string {
  const path =
    `/applications/${encodeURIComponent(target.application)}` +
    `/environments/${encodeURIComponent(target.environment)}` +
    `/configurations/${encodeURIComponent(target.profile)}`;
  const query =
    flags && flags.length > 0 ? '?' + flags.map((f) => `flag=${encodeURIComponent(f)}`).join('&') : '';
  return `http://localhost:${target.port}${path}${query}`;
}

/**
 * Read and JSON-parse one document from the extension, translating every failure into an
 * {@link ExtensionUnavailableError} (timeout, down, 404, 5xx) or an {@link InvalidConfigDocumentError}
 * (not JSON). Neither message carries the body.
 *
 * @example
 * const raw = await readFromExtension(extensionUrl(target), 3000);
 */
export async function readFromExtension(url: string, timeoutMs: number): Promise<unknown> {
  const where = url.replace(/^http:\/\/[^/]+/, '');
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new ExtensionUnavailableError(
        `the AppConfig extension did not answer ${where} within ${timeoutMs} ms`,
        'timeout',
        undefined,
        { cause: error },
      );
    }
    throw new ExtensionUnavailableError(
      `the AppConfig extension is unreachable for ${where}`,
      'unavailable',
      undefined,
      { cause: error },
    );
  }
  let body: string;
  try {
    body = await response.text();
  } catch (error) {
    throw new ExtensionUnavailableError(
      `the AppConfig extension broke off its answer to ${where}`,
      'timeout',
      undefined,
      { cause: error },
    );
  }
  if (response.status === 404) {
    throw new ExtensionUnavailableError(
      `the AppConfig extension does not know ${where} (404)`,
      'not-found',
      404,
    );
  }
  if (!response.ok) {
    const reason = response.status >= 500 ? 'server-error' : 'unavailable';
    throw new ExtensionUnavailableError(
      `the AppConfig extension answered ${where} with ${response.status}`,
      reason,
      response.status,
    );
  }
  try {
    return JSON.parse(body) as unknown;
  } catch {
    throw new InvalidConfigDocumentError(`the document at ${where} is not JSON`, []);
  }
}
