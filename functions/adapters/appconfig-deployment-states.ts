/**
 * What AppConfig's answers mean for its adapters, in one place: the deployment states (AppConfig API
 * reference: `DeploymentState`, StopDeployment; user guide: final bake time) and the throttling
 * errors. Kept apart from the served-deployment walk so the delivery, which needs only the busy
 * states, does not bundle the walk.
 */

/** Error names with which AppConfig says "too many requests, try later". */
export const THROTTLING_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'TooManyRequestsException',
]);

/** The deployment's version is what every target serves: COMPLETE, or BAKING (all targets reached; alarms watched). */
export const SERVED_STATES: ReadonlySet<string> = new Set(['COMPLETE', 'BAKING']);

/** The deployment is reaching its targets; it is served once it completes. */
export const ROLLING_OUT_STATES: ReadonlySet<string> = new Set(['VALIDATING', 'DEPLOYING']);

/** AppConfig refuses another deployment to the environment (any profile) while one is in these. */
export const BUSY_STATES: ReadonlySet<string> = new Set([
  'VALIDATING',
  'DEPLOYING',
  'BAKING',
  'ROLLING_BACK',
]);
