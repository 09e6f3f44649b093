/**
 * Names that the stack (`lib/`) and the functions must agree on, declared once: Parameter Store labels,
 * AppConfig profile names and types, the change event's pattern, metric names and the environment
 * variables the stack sets for one function. Pure constants, so `lib/` imports them without loading
 * any adapter or SDK.
 */

/** The label on the newest version that passed validation: what a bad edit is rolled back to. */
export const LAST_KNOWN_GOOD = 'last-known-good';

/**
 * Set on a restored version once `Config Change Restored` is published: a retry finds a restore
 * without it unfinished (see restoreRejected). Drift and the validator look at last-known-good only.
 */
export const RESTORE_ANNOUNCED = 'steward-restore-announced';

/** The freeform profile of a service's composed document, inside the service's AppConfig application. */
export const DOCUMENT_PROFILE_NAME = 'document';
/** The feature-flags profile of a service, beside its document. */
export const FLAGS_PROFILE_NAME = 'flags';
/**
 * The kill switches of a service: a feature-flags profile of their own, deployed all at once, with no
 * bake, into an AppConfig environment of their own per Steward environment ({@link killSwitchEnvironmentName}).
 * AppConfig runs one deployment at a time per environment across all its profiles, so a switch in the
 * document's environment would queue behind a 30-minute rollout.
 */
export const KILL_SWITCHES_PROFILE_NAME = 'kill-switches';
/** The AppConfig environment that holds only a service's kill switches in one Steward environment. */
export function killSwitchEnvironmentName(environment: string): string {
  return `${environment}-kill-switches`;
}
/** The all-at-once, zero-bake deployment strategy of every kill-switch environment, after the name prefix. */
export const KILL_SWITCH_STRATEGY_NAME = 'steward-kill-switch';
/** The AppConfig ids of the kill-switch profiles and environments, for `steward kill` and the drift job. */
export const KILL_SWITCH_TARGETS_ENV = 'STEWARD_KILL_SWITCHES';
/** AppConfig's profile type for feature flags (the document profile is freeform, AppConfig's default). */
export const FEATURE_FLAGS_PROFILE_TYPE = 'AWS.AppConfig.FeatureFlags';

/** What EventBridge puts on the default bus for a Parameter Store write: the change path's trigger. */
export const PARAMETER_CHANGE_SOURCE = 'aws.ssm';
export const PARAMETER_CHANGE_DETAIL_TYPE = 'Parameter Store Change';

/** The CloudWatch namespace of every metric the functions emit (Powertools' `POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'ConfigSteward';
/** Counted by rotate-secret per failed step (Powertools EMF, dimension `service`); the stack alarms on it. */
export const ROTATION_FAILED_METRIC = 'RotationFailed';

/** The environment variables the stack sets for one function and the function (or the CLI) reads. */
/** The AppConfig ids of every service (`core/appconfig-targets.ts` parses it). */
export const APPCONFIG_TARGETS_ENV = 'STEWARD_APPCONFIG';
/**
 * Where the stack wrote the AppConfig and kill-switch ids instead (`core/target-chunks.ts`): Lambda
 * allows 4 KB for all of a function's variables, which the ids of about ten services fill.
 */
export const APPCONFIG_TARGETS_PATH_ENV = 'STEWARD_APPCONFIG_TARGETS_PATH';
/**
 * The path of a stack's target parameters: outside `/<root>/`, so the change rule and the drift
 * run, which look only under the root, never take them for configuration.
 */
export function appConfigTargetsPath(stackName: string): string {
  return `/config-steward/${stackName}/appconfig-targets`;
}
/** The fingerprint key's ARN (read by `fingerprintKeyId`; without it, the key's alias). */
export const FINGERPRINT_KEY_ENV = 'STEWARD_FINGERPRINT_KEY';
export const DELIVERY_QUEUE_URL_ENV = 'STEWARD_DELIVERY_QUEUE_URL';
export const VALIDATOR_PRINCIPAL_ENV = 'STEWARD_VALIDATOR_PRINCIPAL';
export const RECONCILER_PRINCIPAL_ENV = 'STEWARD_RECONCILER_PRINCIPAL';
export const APPCONFIG_PREFIX_ENV = 'STEWARD_APPCONFIG_PREFIX';
/** The flag-expiry job's digest of the code references synth found (`core/flags/code-reference-digest.ts`). */
export const FLAG_CODE_REFERENCES_ENV = 'STEWARD_FLAG_CODE_REFERENCES';
/** Days of evaluation counts the flag-expiry job judges flag usage by (`flags.usage.windowDays`). */
export const FLAG_USAGE_DAYS_ENV = 'STEWARD_FLAG_USAGE_DAYS';
/** The default of `flags.usage.windowDays`. */
export const DEFAULT_FLAG_USAGE_DAYS = 30;

/**
 * Detail types of the break-glass and kill-switch events (issues 18 and 17); the config-change
 * dashboard counts them. Their catalog schemas live in `core/events.ts` with the rest.
 */
export const OVERRIDE_APPLIED_DETAIL_TYPE = 'Config Override Applied';
export const KILL_SWITCH_FLIPPED_DETAIL_TYPE = 'Kill Switch Flipped';
