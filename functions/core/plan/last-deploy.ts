/**
 * Which writes were deploys, and when an environment was last deployed, from what Parameter Store
 * records for each parameter (`LastModifiedUser`, `LastModifiedDate`).
 *
 * A deploy writes through the stack's reconcile function (or `steward apply` run by a principal the
 * caller names). Parameter Store records that function's role session as the writer:
 * `arn:aws:sts::<account>:assumed-role/<stack>-DesiredParametersReconcilerRole<hash>-<suffix>/<session>`.
 * The environment's last deploy is the newest version any deployer wrote there; a live value written
 * by someone else after it is a console (or script) edit that the next deploy would overwrite.
 * A deploy that found nothing to write leaves no trace, so the last deploy can look older than it is:
 * the plan then marks more edits, never fewer.
 */
import type { ParameterMetadata } from '../../ports/parameter-store.ts';
import { isOwnWrite } from '../validation/principal.ts';

/** The part of the reconcile function's role name that CloudFormation keeps in the generated name. */
export const RECONCILER_ROLE_FRAGMENT = 'DesiredParametersReconciler';

/** The newest write by a deployer in an environment. */
export interface LastDeploy {
  readonly at: Date;
  readonly by: string;
}

/**
 * A test for "this writer is a deploy": one of `principals` (role ARNs or names, as
 * `STEWARD_RECONCILER_PRINCIPAL` and `--deployer` give them), or a role whose name carries
 * {@link RECONCILER_ROLE_FRAGMENT}.
 *
 * @example
 * const isDeployer = deployerMatcher(['arn:aws:iam::123456789012:role/ci-apply']);
 * isDeployer('arn:aws:sts::123456789012:assumed-role/ci-apply/run-42'); // true
 */
export function deployerMatcher(principals: readonly string[]): (user: string | undefined) => boolean {
  return (user) => {
    if (!user) return false;
    if (principals.some((principal) => isOwnWrite(user, principal))) return true;
    const role = /:assumed-role\/([^/]+)\//.exec(user)?.[1] ?? /:role\/(?:.*\/)?([^/]+)$/.exec(user)?.[1];
    return role !== undefined && role.includes(RECONCILER_ROLE_FRAGMENT);
  };
}

/**
 * The newest version a deployer wrote among the parameters, or undefined when none was.
 *
 * @example
 * const last = lastDeployOf(await source.describe('/config/production/'), deployerMatcher([]));
 */
export function lastDeployOf(
  metadata: readonly ParameterMetadata[],
  isDeployer: (user: string | undefined) => boolean,
): LastDeploy | undefined {
  let last: LastDeploy | undefined;
  for (const parameter of metadata) {
    const at = parameter.lastModifiedDate;
    if (!at || !isDeployer(parameter.lastModifiedUser)) continue;
    if (!last || at > last.at) last = { at, by: parameter.lastModifiedUser as string };
  }
  return last;
}

/**
 * Whether overwriting the live version undoes a console edit: its writer is no deployer and it is
 * newer than the last deploy (or nothing says when that was).
 */
export function isConsoleEditSinceDeploy(
  live: Pick<ParameterMetadata, 'lastModifiedUser' | 'lastModifiedDate'>,
  lastDeploy: LastDeploy | undefined,
  isDeployer: (user: string | undefined) => boolean,
): boolean {
  if (isDeployer(live.lastModifiedUser)) return false;
  if (!lastDeploy || !live.lastModifiedDate) return true;
  return live.lastModifiedDate > lastDeploy.at;
}
