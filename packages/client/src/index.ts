/**
 * `@config-steward/client`: typed configuration and feature flags from the AppConfig Lambda
 * extension (or, in local mode, from files). Kept small for cold starts; the middy middleware and the
 * OpenFeature provider live in `@config-steward/client/middy` and `@config-steward/client/openfeature`.
 *
 * The public surface is what a service calls and catches; the document source, the extension's
 * URL scheme and the rollout hash stay internal.
 */
export { clearConfigSources, type ConfigSchema, loadConfig } from './config.js';
export {
  ClientConfigurationError,
  type ExtensionFailureReason,
  ExtensionUnavailableError,
  InvalidConfigDocumentError,
  StewardClientError,
} from './errors.js';
export type { ClientOptions } from './extension.js';
export type { FlagData, FlagDocument } from './flag-document.js';
export {
  createFlagEvaluator,
  type FlagContext,
  type FlagEvaluator,
  type FlagReason,
  type FlagResolution,
  type Flags,
  type FlagValue,
  loadRuleEngine,
} from './flag-evaluator.js';
export { clearFlagClients, type FlagsEvent, type FlagsOptions, type LiveFlags, loadFlags } from './flags.js';
export { FLAG_USAGE_INTERVAL_MS, flushFlagUsage } from './flag-usage.js';
export type { FlagUsageCount } from './flag-usage-lines.js';
export {
  FLAG_EVALUATIONS_METRIC,
  FLAG_USAGE_DIMENSION_SETS,
  FLAG_USAGE_DIMENSIONS,
  METRIC_NAMESPACE,
} from './metric-names.js';
// Types only: the log and metric writers load when there is something to write.
export type { ClientLogger, DegradedReport } from './telemetry.js';
