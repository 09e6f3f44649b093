/**
 * Where the AppConfig Lambda extension serves a profile (read by `extension-read.ts`). The extension listens
 * on `localhost:${AWS_APPCONFIG_EXTENSION_HTTP_PORT:-2772}` and serves
 * `/applications/{app}/environments/{env}/configurations/{profile}`, optionally `?flag=a&flag=b`.
 */
import { ClientConfigurationError } from './errors.js';
import type { ClientLogger, DegradedReport } from './telemetry.js';

/** Options shared by `loadConfig`, `loadFlags`, the middy middleware and the OpenFeature provider. */
export interface ClientOptions {
  /**
   * Local mode: read the composed configuration document from this JSON file instead of the
   * extension (a service's own tests, local runs). Re-read after each poll interval, so edits show.
   * @default `STEWARD_CONFIG_FILE`
   */
  readonly configFile?: string;
  /** Local mode: read the flags document (the extension's shape) from this JSON file. @default `STEWARD_FLAGS_FILE` */
  readonly flagsFile?: string;
  /**
   * Local mode is refused inside Lambda (`AWS_LAMBDA_FUNCTION_NAME` set), where a stray variable
   * would silently swap the deployed configuration for a file; set this to allow it anyway.
   * @default `STEWARD_ALLOW_LOCAL_IN_LAMBDA` is `true`
   */
  readonly allowLocalInLambda?: boolean;
  /** AppConfig application name. @default `STEWARD_APPCONFIG_APPLICATION`, else the service name */
  readonly application?: string;
  /** AppConfig environment name. @default `STEWARD_APPCONFIG_ENVIRONMENT` (required one way or the other) */
  readonly environment?: string;
  /**
   * Configuration profile name. @default `STEWARD_APPCONFIG_PROFILE` for `loadConfig`,
   * `STEWARD_APPCONFIG_FLAGS_PROFILE` for `loadFlags`
   */
  readonly profile?: string;
  /**
   * Where the service's kill switches live (their own AppConfig environment and profile, which the
   * extension prefetches too): `loadFlags` reads them with the flags and serves both through the same
   * calls. `false` reads the flags profile alone.
   * @default `STEWARD_APPCONFIG_SWITCHES_ENVIRONMENT` and `STEWARD_APPCONFIG_SWITCHES_PROFILE` when both are set
   */
  readonly killSwitches?: { readonly environment: string; readonly profile: string } | false;
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
  /** Local mode: the JSON file read instead of the extension. */
  readonly localFile?: string;
  /** Flags only: the kill-switch environment and profile read with the flags, their switches on top. */
  readonly killSwitches?: { readonly environment: string; readonly profile: string };
}

export const DEFAULT_EXTENSION_PORT = 2772;
export const DEFAULT_TIMEOUT_MS = 3000;
export const DEFAULT_POLL_SECONDS = 45;

/** The profile's environment variable for each kind of document. */
const PROFILE_VARIABLE = {
  config: 'STEWARD_APPCONFIG_PROFILE',
  flags: 'STEWARD_APPCONFIG_FLAGS_PROFILE',
} as const;

/** The local-mode file's environment variable for each kind of document. */
const LOCAL_FILE_VARIABLE = {
  config: 'STEWARD_CONFIG_FILE',
  flags: 'STEWARD_FLAGS_FILE',
} as const;

/** Names AppConfig would give a local document: only in log lines and metrics. */
const LOCAL_NAME = 'local';

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
  const localFile = localFileOf(service, kind, options, env);
  const environment =
    options.environment ?? env['STEWARD_APPCONFIG_ENVIRONMENT'] ?? (localFile ? LOCAL_NAME : undefined);
  if (!environment) {
    throw new ClientConfigurationError(
      `the AppConfig environment of ${service} is not set: set STEWARD_APPCONFIG_ENVIRONMENT or pass { environment }`,
    );
  }
  const profileVariable = PROFILE_VARIABLE[kind];
  const profile = options.profile ?? env[profileVariable] ?? (localFile ? LOCAL_NAME : undefined);
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
  const killSwitches = kind === 'flags' && !localFile ? killSwitchesOf(options, env) : undefined;
  return {
    service,
    application: options.application ?? env['STEWARD_APPCONFIG_APPLICATION'] ?? service,
    environment,
    profile,
    port,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    pollMs: pollSeconds * 1000,
    ...(localFile ? { localFile } : {}),
    ...(killSwitches ? { killSwitches } : {}),
  };
}

function killSwitchesOf(
  options: ClientOptions,
  env: Readonly<Record<string, string | undefined>>,
): ExtensionTarget['killSwitches'] {
  if (options.killSwitches !== undefined) return options.killSwitches || undefined;
  const environment = env['STEWARD_APPCONFIG_SWITCHES_ENVIRONMENT'];
  const profile = env['STEWARD_APPCONFIG_SWITCHES_PROFILE'];
  return environment && profile ? { environment, profile } : undefined;
}

/** The local-mode file of this kind of document, if any; refused inside Lambda unless allowed. */
function localFileOf(
  service: string,
  kind: 'config' | 'flags',
  options: ClientOptions,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const variable = LOCAL_FILE_VARIABLE[kind];
  const file = (kind === 'config' ? options.configFile : options.flagsFile) ?? env[variable];
  if (!file) return undefined;
  const allowed = options.allowLocalInLambda ?? env['STEWARD_ALLOW_LOCAL_IN_LAMBDA'] === 'true';
  if (env['AWS_LAMBDA_FUNCTION_NAME'] && !allowed) {
    throw new ClientConfigurationError(
      `local mode (${kind === 'config' ? 'configFile' : 'flagsFile'} or ${variable}) is refused inside Lambda ` +
        `for ${service}: documents come from the AppConfig extension there; pass { allowLocalInLambda: true } ` +
        'or set STEWARD_ALLOW_LOCAL_IN_LAMBDA=true to allow it',
    );
  }
  return file;
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
