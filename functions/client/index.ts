/**
 * `config-steward/client`: typed configuration and feature flags from the AppConfig Lambda
 * extension. Kept small for cold starts; the middy middleware and the OpenFeature provider live in
 * `config-steward/client/middy` and `config-steward/client/openfeature`.
 */
export { clearConfigSources, configSource, loadConfig } from './config.ts';
export type { DocumentSource } from './document-source.ts';
export {
  ClientConfigurationError,
  type ExtensionFailureReason,
  ExtensionUnavailableError,
  InvalidConfigDocumentError,
  StewardClientError,
} from './errors.ts';
export type { ClientOptions } from './extension.ts';
export type { FlagData, FlagDocument } from './flag-document.ts';
export {
  createFlagEvaluator,
  type FlagContext,
  FlagEvaluator,
  type FlagReason,
  type Flags,
  type FlagValue,
  rolloutBucket,
} from './flag-evaluator.ts';
export { clearFlagClients, type FlagsOptions, flags, LiveFlags } from './flags.ts';
export type { ClientLogger, DegradedReport } from './telemetry.ts';
