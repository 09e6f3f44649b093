/**
 * Read access to break-glass override records (tags on the parameters, `functions/core/override.ts`)
 * for the functions that honour them: the reconcile, deliver-changes and the drift job. One grant,
 * so the three cannot drift apart.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { acknowledgeWildcardGrant } from './nag.ts';

export interface OverrideReadOptions {
  /** The role already has `ssm:DescribeParameters` on `*` (the drift job): do not grant it twice. */
  readonly describeGranted?: boolean;
}

/**
 * Allow a role to find the overrides under `/<root>/` (DescribeParameters filtered on the override
 * tag) and read their tags (ListTagsForResource on the parameters under the root, nothing else).
 *
 * @example
 * grantReadOverrides(this.reconciler.role, settings.parameterRoot);
 */
export function grantReadOverrides(
  role: iam.IRole,
  parameterRoot: string,
  options: OverrideReadOptions = {},
): void {
  const underRoot = Stack.of(role).formatArn({
    service: 'ssm',
    resource: 'parameter',
    resourceName: `${parameterRoot}/*`,
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadOverrideTags',
      actions: ['ssm:ListTagsForResource'],
      resources: [underRoot],
    }),
  );
  acknowledgeWildcardGrant(role, {
    actions: ['ssm:ListTagsForResource'],
    resources: [underRoot],
    reason: `Reads the break-glass override tags of parameters under /${parameterRoot}/ only (read-only).`,
  });
  if (options.describeGranted) return;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'FindOverrides',
      actions: ['ssm:DescribeParameters'],
      resources: ['*'],
    }),
  );
  acknowledgeWildcardGrant(role, {
    actions: ['ssm:DescribeParameters'],
    resources: ['*'],
    reason:
      'ssm:DescribeParameters supports no resource-level permissions; it finds the overrides by their tag (metadata only).',
  });
}
