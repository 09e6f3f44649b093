/**
 * Least-privilege access to the configured ticket tracker, in one place for every function that
 * files tickets: OpsCenter actions, or read access to the GitHub/Jira token secret by name (the
 * token itself never appears in the template or an environment variable).
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { secretArnByName } from '../arns.ts';
import { acknowledgeWildcardGrant } from '../nag.ts';
import type { Settings } from '../settings.ts';

export interface TicketAccessOptions {
  /** Also allow closing tickets whose problem went away (OpsCenter UpdateOpsItem). @default false */
  readonly resolve?: boolean;
}

/**
 * @example
 * grantTicketAccess(job.role, settings, { resolve: true });
 */
export function grantTicketAccess(
  role: iam.IRole,
  settings: Settings,
  options: TicketAccessOptions = {},
): void {
  const stack = Stack.of(role);
  const tickets = settings.tickets;
  if (tickets.tracker !== 'opscenter') {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadTrackerToken',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretArnByName(stack, tickets.tokenSecret)],
      }),
    );
    return;
  }
  const opsItems = stack.formatArn({ service: 'ssm', resource: 'opsitem', resourceName: '*' });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'FileOpsItems',
      actions: options.resolve ? ['ssm:CreateOpsItem', 'ssm:UpdateOpsItem'] : ['ssm:CreateOpsItem'],
      resources: [opsItems],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'FindOpsItems', actions: ['ssm:DescribeOpsItems'], resources: ['*'] }),
  );
  acknowledgeWildcardGrant(role, {
    actions: options.resolve ? ['ssm:CreateOpsItem', 'ssm:UpdateOpsItem'] : ['ssm:CreateOpsItem'],
    resources: [opsItems],
    reason: 'OpsItem ids are assigned by OpsCenter when a ticket is filed; they cannot be named in advance.',
  });
  acknowledgeWildcardGrant(role, {
    actions: ['ssm:DescribeOpsItems'],
    resources: ['*'],
    reason:
      'ssm:DescribeOpsItems (finding the open ticket to deduplicate) supports no resource-level permissions.',
  });
}
