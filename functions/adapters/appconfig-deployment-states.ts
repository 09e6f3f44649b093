/**
 * What AppConfig's deployment states mean for a reader, in one place (AppConfig API reference:
 * `DeploymentState`, StopDeployment; user guide: final bake time). Kept apart from the served-deployment
 * walk so the delivery, which needs only the busy states, does not bundle the walk.
 */

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
