/** cdk-nag's AwsSolutions and Serverless packs, run over a construct tree, findings flattened. */
import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
// cdk-nag's own rendering of a resource in finding ids; not re-exported from its index.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

export interface NagFinding {
  readonly rule: string;
  readonly resource: string;
  readonly description: string;
}

/** The packs every Steward stack must pass with zero unacknowledged findings. */
export function nagPacks() {
  return [new AwsSolutionsChecks(), new ServerlessChecks()];
}

/**
 * @example
 * const findings = nagFindings(stack);
 * if (findings.length > 0) throw new Error(formatNagFindings(findings));
 */
export function nagFindings(scope: IConstruct): NagFinding[] {
  return nagPacks().flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((violation) =>
      violation.violatingResources.map((resource) => ({
        rule: violation.ruleName,
        resource: resource.constructPath ?? resource.resourceLogicalId ?? '?',
        description: violation.description.split('\n')[0] ?? '',
      })),
    ),
  );
}

export function formatNagFindings(findings: readonly NagFinding[]): string {
  return findings.map((f) => `  ${f.rule} on ${f.resource}: ${f.description}`).join('\n');
}

/**
 * Acknowledge cdk-nag's IAM5 finding for exactly these wildcard resource ARNs and no other: each id is
 * the ARN as cdk-nag renders it (tokens as `<LogicalId.Attribute>`, pseudo parameters as
 * `<AWS::Region>`), computed from the same ARNs the grant used, so a new wildcard is still reported.
 *
 * @example
 * acknowledgeWildcardResources(fn.role, [`${profileArn}/hostedconfigurationversion/*`], 'versions are created at run time');
 */
export function acknowledgeWildcardResources(
  scope: IConstruct,
  arns: readonly string[],
  reason: string,
): void {
  const stack = Stack.of(scope);
  for (const arn of arns) {
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenCfnReference(stack.resolve(arn))}]`,
      reason,
    });
  }
}
